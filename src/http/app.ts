// The express application: API (bearer token), webhooks (provider verification), health.
import express, { type Express, type RequestHandler } from 'express';
import { pinoHttp } from 'pino-http';
import type { Logger } from 'pino';
import { randomUUID } from 'node:crypto';
import type { ChannelCatalog } from '../domain/catalog.js';
import type { ChannelAdapter, ChannelContext } from '../domain/channel.js';
import { redactUrl } from '../logger.js';
import type { TrustFunction } from '../net/client-ip.js';
import type { BusHealth } from '../pipeline/bus.js';
import type { Pipeline } from '../pipeline/service.js';
import type { BlobStore } from '../storage/blobs.js';
import type { TicketStore } from '../storage/types.js';
import { actingAgentFromPrincipal, actingAgentMiddleware, type ActingAgentResolver } from './acting-agent.js';
import type { AuthService } from '../auth/service.js';
import type { NameDisplay } from '../domain/authors.js';
import { enforceRouteRules } from './access.js';
import { agentsRouter } from './agents.js';
import { authRouter } from './auth-routes.js';
import { channelsRouter } from './channels.js';
import { errorBody, errorHandler, notFoundHandler } from './errors.js';
import { ticketsRouter } from './tickets.js';
import { webhooksRouter, type WebhookObserver } from './webhooks.js';

export interface HttpAppDeps {
  logger: Logger;
  store: TicketStore;
  blobs: BlobStore;
  pipeline: Pipeline;
  adapters: ChannelAdapter[];
  channels: ChannelCatalog;
  context: ChannelContext;
  apiTokens: readonly string[];
  /** Agents, sessions and bearer checks (API_TOKENS included): every API route goes through its route matrix. */
  auth: AuthService;
  refreshTtlDays: number;
  nameDisplay?: NameDisplay;
  publicBaseUrl: () => string;
  /** Extra API routers: each of their routes needs a rule in the route matrix (src/http/access.ts), else it answers 404. */
  protectedRouters?: express.Router[];
  /** Agent workspace routers (#16): mounted before the tickets router (GET /tickets with assignee= or q=). */
  workspaceRouters?: express.Router[];
  /** Who acts on an API request (res.locals.agent); the agent-accounts auth sets it, tests inject one. */
  actingAgent?: ActingAgentResolver;
  /** Extra public routers (static pages...). */
  publicRouters?: express.Router[];
  /** Set while shutting down: readiness fails and new requests are told to retry. */
  isDraining(): boolean;
  /** The event bus's state, shown by /readyz (a shared bus may be degraded). */
  busHealth?: () => BusHealth;
  /** TRUST_PROXY compiled: which proxies may set X-Forwarded-For (req.ip); the WebSocket hub uses the same function. */
  trustProxy?: TrustFunction;
  /** Counts webhooks received and refused (metrics). */
  webhookObserver?: WebhookObserver;
}

export function createHttpApp(deps: HttpAppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', 'simple');
  app.set('trust proxy', deps.trustProxy ?? false);

  app.use(
    pinoHttp({
      logger: deps.logger,
      genReqId: (req, res) => {
        const incoming = req.headers['x-request-id'];
        const id = typeof incoming === 'string' && /^[\w.-]{1,128}$/.test(incoming) ? incoming : randomUUID();
        res.setHeader('X-Request-Id', id);
        return id;
      },
      serializers: {
        req: (req: { id: string; method: string; url: string }) => ({ id: req.id, method: req.method, url: redactUrl(req.url) }),
        res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
      },
      // A 503 is a refusal the client retries (disk full, draining): its cause is logged once, not per request.
      customLogLevel: (_req, res, err) =>
        err || (res.statusCode >= 500 && res.statusCode !== 503) ? 'error' : res.statusCode >= 400 ? 'warn' : 'info',
      autoLogging: { ignore: (req) => req.url === '/healthz' || req.url === '/readyz' },
    }),
  );

  const draining: RequestHandler = (_req, res, next) => {
    if (!deps.isDraining()) return next();
    res.setHeader('Connection', 'close');
    res.setHeader('Retry-After', '1');
    res.status(503).json(errorBody('shutting_down', 'The server is restarting; retry in a moment.'));
  };
  app.use(draining);

  // Liveness: 503 only when the process cannot recover by itself (a restart is needed); `degraded` while writes
  // are refused and the store is probing to resume on its own.
  app.get('/healthz', (_req, res) => {
    const storage = deps.store.health?.() ?? { state: 'ok' as const };
    if (storage.state === 'ok') return void res.json({ status: 'ok' });
    res.status(storage.state === 'failed' ? 503 : 200).json({ status: storage.state, storage });
  });
  // Readiness: can this instance take writes now.
  app.get('/readyz', async (_req, res) => {
    try {
      await deps.store.ping();
      // The event bus does not decide readiness: webhooks are stored and acked without it (the store is the source of
      // truth); a `degraded` bus only delays live delivery, and says so here.
      const bus = deps.busHealth?.();
      res.json({ status: 'ready', storage: deps.store.kind, ...(bus ? { event_bus: bus } : {}) });
    } catch (error) {
      const storage = deps.store.health?.();
      const message =
        storage && storage.state !== 'ok'
          ? `Storage is not writable (${storage.code}: ${storage.detail}); ${storage.action}.`
          : `Storage is not reachable: ${(error as Error).message}`;
      res.setHeader('Retry-After', String((error as { retryAfterSeconds?: number }).retryAfterSeconds ?? 1));
      res.status(503).json(errorBody('not_ready', message, storage && storage.state !== 'ok' ? { storage } : undefined));
    }
  });

  app.use(
    webhooksRouter({
      adapters: deps.adapters,
      context: deps.context,
      publicBaseUrl: deps.publicBaseUrl,
      logger: deps.logger,
      observer: deps.webhookObserver,
    }),
  );
  for (const router of deps.publicRouters ?? []) app.use(router);

  app.use(authRouter({ auth: deps.auth, refreshTtlDays: deps.refreshTtlDays }));
  // Everything below is the API: one rule per route in the matrix, checked against the caller's role.
  app.use(enforceRouteRules(deps.auth));
  // Who acts on workspace routes: the signed-in agent (an API token is nobody); tests may inject one.
  app.use(actingAgentMiddleware(deps.actingAgent ?? actingAgentFromPrincipal));
  app.use(express.json({ limit: '1mb', strict: true, type: ['application/json', 'application/*+json'] }));
  app.use(agentsRouter({ auth: deps.auth }));
  for (const router of deps.workspaceRouters ?? []) app.use(router);
  app.use(
    ticketsRouter({
      store: deps.store,
      blobs: deps.blobs,
      pipeline: deps.pipeline,
      channels: deps.channels,
      audit: deps.auth.audit,
      nameDisplay: deps.nameDisplay,
    }),
  );
  app.use(channelsRouter(deps.channels));
  for (const router of deps.protectedRouters ?? []) app.use(router);

  app.use(notFoundHandler);
  app.use(errorHandler(deps.logger));
  return app;
}
