// Who acts on a workspace request (issue #16). Agent accounts (#15) set `res.locals.agent` in their auth middleware;
// until then, or with a shared API token, there is none: assignment to "me" is refused, notes have no author id.
import type { RequestHandler, Response } from 'express';
import type { Request } from 'express';

export interface ActingAgent {
  agent_id: string;
  name: string;
}

export type ActingAgentResolver = (req: Request) => ActingAgent | null;

export function actingAgentOf(res: Response): ActingAgent | null {
  const agent = (res.locals as { agent?: ActingAgent | null }).agent;
  return agent && typeof agent.agent_id === 'string' ? agent : null;
}

/** Sets res.locals.agent from a resolver (tests, or the auth middleware's own lookup) unless something set it already. */
export function actingAgentMiddleware(resolve: ActingAgentResolver): RequestHandler {
  return (req, res, next) => {
    if (!actingAgentOf(res)) (res.locals as { agent?: ActingAgent | null }).agent = resolve(req);
    next();
  };
}
