// GET /me, GET|POST /agents, PATCH /agents/:id, POST|GET /tokens, DELETE /tokens/:id, GET /audit. Who may call what
// is decided by the route matrix (access.ts) before these run; here only "whose token" (own vs. someone else's).
import { Router, type Request } from 'express';
import { z } from 'zod';
import type { AuditAction } from '../auth/audit.js';
import { MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH } from '../auth/passwords.js';
import { publicToken } from '../auth/personal-tokens.js';
import type { AuthService } from '../auth/service.js';
import { AGENT_STATUSES, type Principal, publicAgent, ROLES } from '../auth/types.js';
import { ForbiddenError, NotFoundError, ValidationError } from '../errors.js';
import { parseCursor, parseLimit } from '../query/filters.js';
import { principalOf } from './access.js';
import { jsonBody } from './body.js';

const name = z.string().trim().min(1, 'must not be empty').max(120);
const password = z.string().min(MIN_PASSWORD_LENGTH, `must be at least ${MIN_PASSWORD_LENGTH} characters`).max(MAX_PASSWORD_LENGTH);
const newAgentBody = z.object({ email: z.email().max(320), name, role: z.enum(ROLES), password });
const patchAgentBody = z
  .object({
    name: name.optional(),
    role: z.enum(ROLES).optional(),
    status: z.enum(AGENT_STATUSES).optional(),
    password: password.optional(),
  })
  .strict()
  .refine((b) => Object.keys(b).length > 0, { message: 'give at least one of name, role, status, password' });
const newTokenBody = z.object({ name: z.string().trim().min(1).max(80), agent_id: z.string().min(1).max(64).optional() });

export const actorId = (principal: Principal) => principal.agent_id ?? 'service';
const ipOf = (req: Request) => req.ip ?? null;

export function agentsRouter(deps: { auth: AuthService }): Router {
  const router = Router();
  const { auth } = deps;
  const audit = (req: Request, principal: Principal, action: AuditAction, target: string | null, details?: Record<string, unknown>) =>
    auth.audit.record({ actor_id: actorId(principal), action, target, ip: ipOf(req), ...(details ? { details } : {}) });

  router.get('/me', async (_req, res) => {
    const principal = principalOf(res);
    if (principal.kind === 'service') return void res.json({ kind: 'service', role: principal.role, agent: null });
    const agent = await auth.agents.get(principal.agent_id);
    res.json({ kind: 'agent', role: principal.role, via: principal.via.type, agent: agent ? publicAgent(agent) : null });
  });

  router.get('/agents', async (_req, res) => {
    res.json({ items: (await auth.agents.list()).map(publicAgent) });
  });

  router.post('/agents', async (req, res) => {
    const principal = principalOf(res);
    const body = jsonBody(newAgentBody, req.body, 'invalid_agent');
    const agent = await auth.agents.create(body);
    await audit(req, principal, 'agent_created', agent.agent_id, { email: agent.email, role: agent.role });
    res.status(201).json(publicAgent(agent));
  });

  router.patch('/agents/:id', async (req, res) => {
    const principal = principalOf(res);
    const { password: newPassword, ...patch } = jsonBody(patchAgentBody, req.body, 'invalid_agent');
    const id = req.params.id;
    if (id === principal.agent_id && (patch.status === 'disabled' || (patch.role && patch.role !== 'admin')))
      throw new ValidationError('cannot_demote_self', 'An admin cannot disable or demote their own account (ask another admin).');
    const { before, after } = await auth.agents.update(id, patch);
    if (before.role !== after.role) await audit(req, principal, 'role_changed', id, { from: before.role, to: after.role });
    if (before.status !== after.status) await audit(req, principal, after.status === 'disabled' ? 'agent_disabled' : 'agent_enabled', id);
    if (before.name !== after.name) await audit(req, principal, 'agent_updated', id, { name: after.name });
    let result = after;
    if (newPassword !== undefined) {
      result = await auth.agents.setPassword(id, newPassword);
      await auth.sessions.revokeAllOf(id, 'password_reset');
      await audit(req, principal, 'password_reset', id);
    }
    res.json(publicAgent(result));
  });

  router.post('/tokens', async (req, res) => {
    const principal = principalOf(res);
    const body = jsonBody(newTokenBody, req.body, 'invalid_token');
    const owner = body.agent_id ?? principal.agent_id;
    if (!owner) throw new ValidationError('agent_id_required', 'A service token creates personal tokens for an agent: give agent_id.');
    if (owner !== principal.agent_id && principal.role !== 'admin')
      throw new ForbiddenError('Only an admin creates tokens for another agent.');
    const agent = await auth.agents.get(owner);
    if (!agent) throw new NotFoundError('agent_not_found', `No agent ${owner}.`);
    const { token, record } = await auth.tokens.create({ agent_id: owner, name: body.name, created_by: actorId(principal) });
    await audit(req, principal, 'token_created', record.token_id, { agent_id: owner, name: record.name });
    res.status(201).json({ token_id: record.token_id, token, name: record.name, agent_id: owner, created_at: record.created_at });
  });

  router.get('/tokens', async (req, res) => {
    const principal = principalOf(res);
    const all = principal.role === 'admin' && req.query.agent_id === undefined;
    const agentId =
      principal.role === 'admin' ? (typeof req.query.agent_id === 'string' ? req.query.agent_id : undefined) : principal.agent_id;
    res.json({ items: (await auth.tokens.list(all ? undefined : agentId)).map(publicToken) });
  });

  router.delete('/tokens/:id', async (req, res) => {
    const principal = principalOf(res);
    const token = await auth.tokens.get(req.params.id);
    // Someone else's token is "not found" for a non-admin: ids are not confirmed to those who may not see them.
    if (!token || (token.agent_id !== principal.agent_id && principal.role !== 'admin'))
      throw new NotFoundError('token_not_found', `No token ${req.params.id}.`);
    const revoked = await auth.tokens.revoke(token.token_id);
    await audit(req, principal, 'token_revoked', token.token_id, { agent_id: token.agent_id });
    res.json(publicToken(revoked));
  });

  router.get('/audit', async (req, res) => {
    const page = await auth.audit.list(parseLimit(req.query), parseCursor(req.query));
    res.json(page);
  });

  return router;
}
