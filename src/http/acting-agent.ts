// Who acts on a workspace request (issue #16): the signed-in agent the route matrix authenticated (#15). With a shared
// API token there is none: assignment to "me" is refused, notes have no author id. Tests may inject a resolver.
import type { RequestHandler, Response } from 'express';
import type { Request } from 'express';
import type { Principal } from '../auth/types.js';

export interface ActingAgent {
  agent_id: string;
  name: string;
}

export type ActingAgentResolver = (req: Request, res: Response) => ActingAgent | null;

export function actingAgentOf(res: Response): ActingAgent | null {
  const agent = (res.locals as { agent?: ActingAgent | null }).agent;
  return agent && typeof agent.agent_id === 'string' ? agent : null;
}

/** Sets res.locals.agent from a resolver (tests, or the auth middleware's own lookup) unless something set it already. */
export function actingAgentMiddleware(resolve: ActingAgentResolver): RequestHandler {
  return (req, res, next) => {
    if (!actingAgentOf(res)) (res.locals as { agent?: ActingAgent | null }).agent = resolve(req, res);
    next();
  };
}

/** The agent behind the request's principal (set by enforceRouteRules); a service token acts as nobody. */
export function actingAgentFromPrincipal(_req: Request, res: Response): ActingAgent | null {
  const principal = (res.locals as { principal?: Principal }).principal;
  return principal?.kind === 'agent' ? { agent_id: principal.agent_id, name: principal.name } : null;
}
