// THE route × role matrix, and the one middleware that enforces it. Every API route has exactly one rule here; a
// request whose method + path has no rule is refused (404, as if the route did not exist) before any handler runs, so
// a route added without a rule cannot be reached. Public routes (webhooks, pages, health, sign-in) are served before
// this middleware and are listed in PUBLIC_ROUTES for the documentation and the tests.
import type { RequestHandler, Response } from 'express';
import { bearerToken } from '../auth/tokens.js';
import type { AuthService } from '../auth/service.js';
import type { Principal, Role } from '../auth/types.js';
import { ForbiddenError, NotFoundError, UnauthorizedError } from '../errors.js';

export type Method = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';

export interface RouteRule {
  method: Method;
  /** Express-style path; `:name` matches one segment. */
  path: string;
  roles: readonly Role[];
}

const EVERYONE: readonly Role[] = ['admin', 'agent', 'analyst'];
const AGENTS: readonly Role[] = ['admin', 'agent'];
const ADMIN: readonly Role[] = ['admin'];

/** admin: everything; agent: tickets (read, reply, close/reopen), export, own tokens; analyst: read + export, no writes. */
export const ROUTE_RULES: readonly RouteRule[] = [
  { method: 'GET', path: '/me', roles: EVERYONE },
  { method: 'GET', path: '/tickets', roles: EVERYONE },
  { method: 'GET', path: '/tickets/:id', roles: EVERYONE },
  { method: 'GET', path: '/tickets/:id/attachments/:key', roles: EVERYONE },
  { method: 'POST', path: '/tickets/:id/messages', roles: AGENTS },
  { method: 'PATCH', path: '/tickets/:id/status', roles: AGENTS },
  { method: 'GET', path: '/export/csv', roles: EVERYONE },
  { method: 'GET', path: '/export/csv/:ticket_id', roles: EVERYONE },
  { method: 'GET', path: '/channels', roles: EVERYONE },
  { method: 'GET', path: '/agents', roles: ADMIN },
  { method: 'POST', path: '/agents', roles: ADMIN },
  { method: 'PATCH', path: '/agents/:id', roles: ADMIN },
  // Everyone manages their own tokens; an admin sees and revokes everyone's and may create one for another agent.
  { method: 'GET', path: '/tokens', roles: EVERYONE },
  { method: 'POST', path: '/tokens', roles: EVERYONE },
  { method: 'DELETE', path: '/tokens/:id', roles: EVERYONE },
  { method: 'GET', path: '/audit', roles: ADMIN },
  // Agent workspace (#16): agents own, assign, annotate and correct tickets; analysts read contacts and canned replies.
  { method: 'PATCH', path: '/tickets/:id/assignee', roles: AGENTS },
  { method: 'POST', path: '/tickets/:id/notes', roles: AGENTS },
  { method: 'PATCH', path: '/tickets/:id/analytics', roles: AGENTS },
  { method: 'GET', path: '/canned-replies', roles: EVERYONE },
  { method: 'POST', path: '/canned-replies', roles: AGENTS },
  { method: 'PATCH', path: '/canned-replies/:id', roles: AGENTS },
  { method: 'DELETE', path: '/canned-replies/:id', roles: AGENTS },
  { method: 'GET', path: '/contacts/:id', roles: EVERYONE },
  { method: 'PATCH', path: '/contacts/:id', roles: AGENTS },
  { method: 'POST', path: '/contacts/:id/links', roles: AGENTS },
  { method: 'DELETE', path: '/contacts/:id/links/:other_id', roles: AGENTS },
  // Reports and operations (#17): figures for analysts and up; Prometheus and outgoing-webhook deliveries for admins
  // (an API token is admin-equivalent; with METRICS_PORT set, /metrics is served on that port only, without a token).
  { method: 'GET', path: '/stats', roles: EVERYONE },
  { method: 'GET', path: '/metrics', roles: ADMIN },
  { method: 'GET', path: '/webhooks/outgoing', roles: ADMIN },
  { method: 'GET', path: '/webhooks/outgoing/dead', roles: ADMIN },
  { method: 'POST', path: '/webhooks/outgoing/dead/:delivery_id/retry', roles: ADMIN },
];

/** Served before the matrix, without a bearer token (each has its own check: provider signature, password, cookie...). */
export const PUBLIC_ROUTES: readonly { method: Method; path: string }[] = [
  { method: 'GET', path: '/healthz' },
  { method: 'GET', path: '/readyz' },
  { method: 'POST', path: '/auth/login' },
  { method: 'POST', path: '/auth/refresh' },
  { method: 'POST', path: '/auth/logout' },
  { method: 'GET', path: '/auth/status' },
  { method: 'GET', path: '/chat' },
  { method: 'GET', path: '/agent' },
  { method: 'GET', path: '/agent/reports' },
  { method: 'GET', path: '/static/:file' },
  { method: 'GET', path: '/static/vendor/chart.umd.min.js' },
  { method: 'GET', path: '/openapi.json' },
  // Store cut-over switch (#19): checks API_TOKENS itself (a service operation, not an agent's).
  { method: 'GET', path: '/admin/read-only' },
  { method: 'POST', path: '/admin/read-only' },
];

function matches(pattern: string, path: string): boolean {
  const want = pattern.split('/');
  const got = path.split('/');
  if (want.length !== got.length) return false;
  return want.every((segment, i) => (segment.startsWith(':') ? got[i].length > 0 : segment === got[i]));
}

export function ruleFor(method: string, path: string, rules: readonly RouteRule[] = ROUTE_RULES): RouteRule | null {
  const wanted = method === 'HEAD' ? 'GET' : method;
  const normalised = path.length > 1 ? path.replace(/\/+$/, '') : path;
  return rules.find((rule) => rule.method === wanted && matches(rule.path, normalised)) ?? null;
}

export function principalOf(res: Response): Principal {
  const principal = res.locals.principal as Principal | undefined;
  if (!principal) throw new UnauthorizedError();
  return principal;
}

/** Authenticates the bearer credential, then checks the caller's current role against the route's rule. */
export function enforceRouteRules(auth: AuthService, rules: readonly RouteRule[] = ROUTE_RULES): RequestHandler {
  return (req, res, next) => {
    const rule = ruleFor(req.method, req.path, rules);
    if (!rule) return next(new NotFoundError('route_not_found', `No route for ${req.method} ${req.path}.`));
    auth.authenticate(bearerToken(req.headers.authorization)).then((principal) => {
      if (!principal)
        return next(
          new UnauthorizedError(
            'A valid token is required (Authorization: Bearer <token>): an access token, a personal token or an API token.',
          ),
        );
      if (!rule.roles.includes(principal.role))
        return next(new ForbiddenError(`The ${principal.role} role may not ${req.method} ${rule.path}.`));
      res.locals.principal = principal;
      next();
    }, next);
  };
}
