// Composition root: config → logger, store, adapters, pipeline, HTTP + WebSocket server.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { type Config, publicBaseUrl } from './config.js';
import { catalogOf, type ChannelCatalog } from './domain/catalog.js';
import type { ChannelAdapter, OutboundSender } from './domain/channel.js';
import type { Channel } from './domain/types.js';
import { createAuth, type AuthService } from './auth/service.js';
import { createExportRouter } from './http/export.js';
import { persistedSecret } from './auth/persisted-secret.js';
import { createHttpApp } from './http/app.js';
import { clientErrorHandler } from './http/client-error.js';
import type { ActingAgentResolver } from './http/acting-agent.js';
import { cannedRepliesRouter } from './http/canned.js';
import { contactsRouter } from './http/contacts.js';
import { workspaceTicketsRouter } from './http/workspace.js';
import { pagesRouter } from './http/pages.js';
import { statsRouter } from './http/stats.js';
import { createMetricsServer, metricsRouter } from './http/metrics.js';
import { outgoingWebhooksRouter } from './http/outgoing.js';
import { openApiRouter } from './http/openapi/router.js';
import { createOutgoingWebhooks, type OutgoingWebhooks } from './outgoing/webhooks.js';
import { createUrgentNotifier, type UrgentNotifier } from './notify/urgent.js';
import { createFileQueueStore, type OutgoingQueueStore } from './outgoing/queue.js';
import { createDynamoQueueStore } from './outgoing/dynamodb-queue.js';
import { createDynamoClient } from './storage/dynamodb/client.js';
import {
  createMetrics,
  instrumentAnalyzer,
  instrumentChatbot,
  instrumentSender,
  instrumentStore,
  type Metrics,
} from './observability/metrics.js';
import { createLogger } from './logger.js';
import { createInProcessBus, type EventBus } from './pipeline/bus.js';
import { createRedisBus } from './pipeline/redis-bus.js';
import { createIntelligence } from './pipeline/intelligence.js';
import { createLogSender, OUTBOX_FILE } from './pipeline/demo-outbound.js';
import { createDispatcher, type Dispatcher } from './pipeline/outbound.js';
import { withLease } from './pipeline/leases.js';
import { createPipeline, type Pipeline } from './pipeline/service.js';
import { createWorkQueue, type WorkQueue } from './pipeline/work.js';
import { startRoundRobin } from './pipeline/round-robin.js';
import { channelModules, type ChannelModule } from './registry.js';
import { createFileBlobStore } from './storage/blobs.js';
import { createStore } from './storage/index.js';
import { withReadOnlySwitch, type ReadOnlySwitch } from './storage/read-only.js';
import { adminRouter } from './http/admin.js';
import { createLeaseStore } from './storage/leases.js';
import type { TicketStore } from './storage/types.js';
import { clientIpOf, compileTrust } from './net/client-ip.js';
import { createHub, type Hub } from './ws/hub.js';

export interface AppOverrides {
  logger?: Logger;
  now?: () => Date;
  store?: TicketStore;
  /** Channel modules to wire (default: the registry). */
  modules?: ChannelModule[];
  /** Who acts on an API request (agent workspace, #16); default: whatever the auth middleware put in res.locals.agent. */
  actingAgent?: ActingAgentResolver;
  /** Printed once when API_TOKENS is unset and a token is generated. */
  print?: (line: string) => void;
}

export interface FreedaApp {
  config: Config;
  logger: Logger;
  store: TicketStore;
  bus: EventBus;
  pipeline: Pipeline;
  work: WorkQueue;
  dispatcher: Dispatcher;
  hub: Hub;
  server: Server;
  adapters: ChannelAdapter[];
  /** The channels the modules declare, with their capabilities. */
  channels: ChannelCatalog;
  apiTokens: readonly string[];
  /** Pauses writes for a store cut-over (POST /admin/read-only). */
  readOnly: ReadOnlySwitch;
  auth: AuthService;
  /** http://127.0.0.1:<port> once started. */
  url: string;
  metrics: Metrics;
  /** Urgent-ticket notifications to on-call (idle when NOTIFY_SMS_TO and NOTIFY_EMAIL_TO are unset). */
  notifier: UrgentNotifier;
  /** Outgoing webhooks (null when OUTGOING_WEBHOOK_URLS is empty). */
  outgoing: OutgoingWebhooks | null;
  /** http://127.0.0.1:<METRICS_PORT> once started, when METRICS_PORT is set. */
  metricsUrl: string | null;
  start(): Promise<void>;
  stop(): Promise<void>;
}

export const API_TOKEN_FILE = '.api-token';

/** The listen failures a newcomer meets, in one line that says what to change; other errors unchanged. */
export function listenError(error: unknown, port: number): Error {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'EADDRINUSE') return new Error(`port ${port} is in use: set PORT (e.g. PORT=${port + 1})`, { cause: error });
  if (code === 'EACCES') return new Error(`port ${port} needs privileges: set PORT above 1023`, { cause: error });
  return error instanceof Error ? error : new Error(String(error));
}

export async function createFreeda(config: Config, overrides: AppOverrides = {}): Promise<FreedaApp> {
  const logger = overrides.logger ?? createLogger({ level: config.LOG_LEVEL });
  const now = overrides.now ?? (() => new Date());
  const print = overrides.print ?? ((line: string) => process.stdout.write(line + '\n'));
  // No API_TOKENS: one token generated on the first start and kept in DATA_DIR (0600), so a restart logs nobody out.
  const generatedToken = config.API_TOKENS.length === 0 ? persistedSecret(config.DATA_DIR, API_TOKEN_FILE, 24) : null;
  const apiTokens = generatedToken ? [generatedToken.value] : config.API_TOKENS;
  const modules = overrides.modules ?? channelModules;
  const channels = catalogOf(modules);
  const metrics = createMetrics();
  const { store, readOnly } = withReadOnlySwitch(
    instrumentStore(overrides.store ?? (await createStore(config, logger, channels)), metrics),
  );
  const onListenerError = (error: unknown) => logger.error({ err: (error as Error).message }, 'event listener failed');
  const bus =
    config.EVENT_BUS === 'redis'
      ? createRedisBus({ url: config.REDIS_URL, prefix: config.REDIS_KEY_PREFIX, logger, onListenerError })
      : createInProcessBus(onListenerError);

  let listeningPort: number | undefined;
  const baseUrl = () => publicBaseUrl(config, listeningPort);
  const senders = new Map<Channel, OutboundSender>();
  const adapters = modules.map((module) => {
    const adapter = module.create(config, {
      logger: logger.child({ adapter: module.name }),
      now,
      publicBaseUrl: baseUrl,
      persistentSecret: (name) => persistedSecret(config.DATA_DIR, `.${module.name}-${name}`).value,
    });
    const served = module.channels.map((c) => c.name);
    const sender = adapter.sender ? instrumentSender(adapter.sender, metrics) : null;
    if (sender) for (const channel of sender.channels) senders.set(channel, sender);
    else
      logger.warn(
        { adapter: adapter.name, channels: served },
        `outbound disabled for ${served.join(', ')}: ${adapter.senderDisabledReason ?? 'no credentials configured'}`,
      );
    // DEMO_OUTBOUND=log: every channel left without a sender (no sender at all, or one that serves only some of them,
    // e.g. SMS credentials but no WhatsApp sender) writes its replies to the outbox instead.
    const unsent = served.filter((channel) => !senders.has(channel));
    if (config.DEMO_OUTBOUND === 'log' && unsent.length > 0) {
      const outboxPath = join(config.DATA_DIR, OUTBOX_FILE);
      const demo = createLogSender(unsent, { logger: logger.child({ adapter: module.name, demo_outbound: true }), outboxPath, now });
      for (const channel of unsent) senders.set(channel, demo);
      logger.warn(
        { adapter: adapter.name, channels: unsent, outbox: outboxPath },
        `DEMO_OUTBOUND=log: replies on ${unsent.join(', ')} are written to ${outboxPath}, not sent`,
      );
    }
    return adapter;
  });

  const leaseStore = createLeaseStore(config, store.kind);
  const leasing = {
    leases: leaseStore.leases,
    ttlMs: config.LEASE_TTL_MS,
    onBusy: (name: string) => logger.debug({ lease: name }, 'work claimed by another instance'),
  };
  const dispatcher = createDispatcher({
    leases: leasing,
    store,
    bus,
    logger,
    senders,
    now,
    retryBaseMs: config.OUTBOUND_RETRY_BASE_MS,
    maxAttempts: config.OUTBOUND_MAX_ATTEMPTS,
  });
  const intelligence = createIntelligence(config, logger, channels);
  // Mistral figures only when a key is set: without one no call is made (the offline paths are not Mistral calls).
  const mistral = config.MISTRAL_API_KEY !== undefined;
  const analyzer = intelligence.analyzer && mistral ? instrumentAnalyzer(intelligence.analyzer, metrics) : intelligence.analyzer;
  const chatbot = intelligence.chatbot && mistral ? instrumentChatbot(intelligence.chatbot, metrics) : intelligence.chatbot;
  const work = createWorkQueue({
    leases: leasing,
    store,
    channels,
    bus,
    dispatcher,
    logger,
    now,
    debounceMs: config.ANALYTICS_DEBOUNCE_MS,
    chatbot: config.ENABLE_CHATBOT ? chatbot : null,
    analyzer: config.ENABLE_AUTO_ANALYTICS ? analyzer : null,
  });
  const blobs = createFileBlobStore(join(config.DATA_DIR, 'attachments'));
  const outgoing = config.OUTGOING_WEBHOOK_URLS.length
    ? createOutgoingWebhooks({
        urls: config.OUTGOING_WEBHOOK_URLS,
        secret: config.OUTGOING_WEBHOOK_SECRET!,
        queue: outgoingQueueStore(config),
        logger: logger.child({ part: 'outgoing-webhooks' }),
        now,
        retryBaseMs: config.OUTGOING_WEBHOOK_RETRY_BASE_MS,
        maxAttempts: config.OUTGOING_WEBHOOK_MAX_ATTEMPTS,
        onAttempt: (type, outcome) => metrics.outgoingWebhookAttempts.inc({ type, outcome }),
      })
    : null;
  const notifier = createUrgentNotifier({
    store,
    bus,
    senders,
    logger: logger.child({ part: 'urgent-notifications' }),
    now,
    smsTo: config.NOTIFY_SMS_TO ?? null,
    emailTo: config.NOTIFY_EMAIL_TO ?? null,
    rules: config.NOTIFY_RULES,
    quietHours: config.NOTIFY_QUIET_HOURS,
    digestPerMinute: config.NOTIFY_DIGEST_PER_MINUTE,
    ticketUrl: (id) => `${baseUrl()}/agent#ticket=${id}`,
    maxAttempts: config.OUTBOUND_MAX_ATTEMPTS,
    retryBaseMs: config.OUTBOUND_RETRY_BASE_MS,
    onOutcome: (channel, outcome) => metrics.notifications.inc({ channel, outcome }),
  });
  const auth = createAuth({
    records: store,
    apiTokens,
    jwtSecret: config.JWT_SECRET,
    accessTtlSeconds: config.ACCESS_TOKEN_TTL_SECONDS,
    refreshTtlDays: config.REFRESH_TOKEN_TTL_DAYS,
    now,
  });
  const pipeline = createPipeline({ store, blobs, bus, dispatcher, work, logger, now, channels });
  const context = pipeline.channelContext();
  startRoundRobin({ agents: config.AUTO_ASSIGN_AGENTS, store, bus, logger, now });
  let draining = false;
  let sweeper: NodeJS.Timeout | undefined;

  // One trust function for express (req.ip) and the WebSocket upgrade (visitor limits): the same client address.
  const trustProxy = compileTrust(config.TRUST_PROXY);
  const http = createHttpApp({
    logger,
    store,
    blobs,
    pipeline,
    adapters,
    channels,
    context,
    apiTokens,
    auth,
    refreshTtlDays: config.REFRESH_TOKEN_TTL_DAYS,
    nameDisplay: config.AGENT_NAME_DISPLAY,
    publicBaseUrl: baseUrl,
    isDraining: () => draining,
    busHealth: () => bus.health(),
    trustProxy,
    protectedRouters: [
      createExportRouter({ store, channels, logger, now, audit: auth.audit }),
      statsRouter({ store, channels }),
      // With METRICS_PORT set, /metrics is served there only.
      ...(config.METRICS_PORT === null ? [metricsRouter(metrics)] : []),
      outgoingWebhooksRouter(outgoing, config.OUTGOING_WEBHOOK_URLS),
    ],
    webhookObserver: {
      refused: (adapter, reason) => metrics.webhooksRefused.inc({ adapter, reason }),
      handled: (adapter, channel, outcome, seconds) => {
        metrics.webhooksReceived.inc({ adapter, channel: channel ?? '', outcome });
        metrics.ingestSeconds.observe({ adapter }, seconds);
      },
    },
    workspaceRouters: [
      workspaceTicketsRouter({ store, bus, channels, now }),
      cannedRepliesRouter({ store, now }),
      contactsRouter({ store, channels, now }),
    ],
    actingAgent: overrides.actingAgent,
    publicRouters: [
      pagesRouter(),
      openApiRouter(adapters, { metricsOnApiPort: config.METRICS_PORT === null }),
      adminRouter({
        readOnly,
        apiTokens,
        log: (on) => logger.warn({ read_only: on }, on ? 'writes paused (store cut-over): webhooks answer 503' : 'writes resumed'),
      }),
    ],
  });
  const server = createServer({ keepAliveTimeout: 5_000, headersTimeout: 15_000, requestTimeout: 120_000 }, http);
  server.on('clientError', clientErrorHandler(logger));
  const hub = createHub({
    bus,
    logger,
    apiTokens,
    authenticate: (token) => auth.authenticate(token),
    context,
    visitorAdapter: adapters.find((a) => a.onVisitorConnection !== undefined) ?? null,
    clientIp: clientIpOf(trustProxy),
  });
  hub.attach(server);
  metrics.setDepthSources({
    retryQueue: () => dispatcher.depth,
    workQueue: () => work.depth,
    agents: () => hub.agentCount,
    visitors: () => hub.visitorCount,
    outgoingWebhooks: () => outgoing?.pendingCount ?? 0,
  });
  const metricsServer = config.METRICS_PORT === null ? null : createMetricsServer(metrics);

  const app: FreedaApp = {
    config,
    logger,
    store,
    bus,
    pipeline,
    work,
    dispatcher,
    hub,
    server,
    adapters,
    channels,
    apiTokens,
    readOnly,
    auth,
    url: '',
    metrics,
    metricsUrl: null,
    outgoing,
    notifier,
    async start() {
      try {
        await store.open();
        hub.preload(await bus.start());
        if (outgoing) {
          await outgoing.start();
          bus.subscribe((event) => {
            outgoing
              .publish(event)
              .catch((error: Error) =>
                logger.error({ err: error.message, type: event.type }, 'outgoing webhook event could not be queued'),
              );
          });
        }
        for (const adapter of adapters) await adapter.start?.(context);
        await new Promise<void>((resolve, reject) => {
          server.once('error', reject);
          server.listen(config.PORT, () => {
            server.off('error', reject);
            resolve();
          });
        });
      } catch (error) {
        // A failed start leaves nothing held: the data lock is released, so the next start is a clean one.
        for (const adapter of adapters) {
          try {
            await adapter.stop?.();
          } catch {
            // the start's own error is the one to report
          }
        }
        await store.close().catch(() => undefined);
        throw listenError(error, config.PORT);
      }
      listeningPort = (server.address() as AddressInfo).port;
      app.url = `http://127.0.0.1:${listeningPort}`;
      if (metricsServer) {
        await new Promise<void>((resolve, reject) => {
          metricsServer.once('error', reject);
          metricsServer.listen(config.METRICS_PORT!, () => resolve());
        });
        app.metricsUrl = `http://127.0.0.1:${(metricsServer.address() as AddressInfo).port}`;
      }
      if (generatedToken) {
        print(
          generatedToken.created
            ? `API_TOKENS is not set: generated an API token, kept in ${generatedToken.path} for the next starts: ${generatedToken.value}`
            : `API_TOKENS is not set: using the API token kept in ${generatedToken.path}: ${generatedToken.value}`,
        );
      }
      // Stale work (pending outbound, bot turns and analyses not done): one instance rebuilds it per LEASE_TTL_MS, and
      // with a shared store again every LEASE_TTL_MS, which is how a crashed instance's work is taken over.
      const sweep = () =>
        withLease(leasing, 'sweep', async () => ({ outbound_resumed: await dispatcher.resume(), ...(await work.rebuild()) }), true);
      const swept = (await sweep()) ?? { sweep: 'done by another instance' };
      if (store.kind === 'dynamodb') {
        sweeper = setInterval(() => {
          sweep().then(
            (result) => {
              if (result && (result.outbound_resumed || result.bot || result.analytics)) logger.info(result, 'stale work taken over');
            },
            (error: Error) => logger.error({ err: error.message }, 'stale-work sweep failed; retried at the next one'),
          );
        }, config.LEASE_TTL_MS);
        sweeper.unref();
      }
      notifier.start();
      // After a period of refused writes: what was refused may be durable now, and follow-up work that failed
      // meanwhile was dropped. Same rebuild as at start (both are idempotent).
      store.onRecovered?.(() => {
        if (draining) return;
        Promise.all([dispatcher.resume(), work.rebuild()]).then(
          ([outbound, work]) =>
            logger.info({ outbound_resumed: outbound, ...work }, 'follow-up work rescheduled after the store recovered'),
          (error: Error) => logger.error({ err: error.message }, 'could not reschedule follow-up work after the store recovered'),
        );
      });
      logger.info(
        {
          port: listeningPort,
          public_base_url: baseUrl(),
          storage: store.kind,
          event_bus: bus.kind,
          ...swept,
        },
        'freeda listening',
      );
    },
    async stop() {
      if (draining) return;
      draining = true;
      if (sweeper) clearInterval(sweeper);
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const forced = setTimeout(() => server.closeAllConnections(), 10_000);
      await hub.close();
      await closed;
      if (metricsServer?.listening) await new Promise<void>((resolve) => metricsServer.close(() => resolve()));
      clearTimeout(forced);
      await work.stop();
      await notifier.stop();
      await dispatcher.stop();
      await outgoing?.stop();
      for (const adapter of adapters) await adapter.stop?.();
      await bus.close();
      leaseStore.close();
      await store.close();
      logger.info('freeda stopped');
    },
  };
  return app;
}

/** Where outgoing webhook deliveries are kept: next to the tickets (json: a file in DATA_DIR; DynamoDB: the table). */
function outgoingQueueStore(config: Config): OutgoingQueueStore {
  if (config.STORAGE_TYPE === 'dynamodb')
    return createDynamoQueueStore(
      createDynamoClient({ region: config.AWS_REGION, endpoint: config.DYNAMODB_ENDPOINT }),
      config.DYNAMODB_TABLE,
      true,
    );
  return createFileQueueStore(config.DATA_DIR);
}
