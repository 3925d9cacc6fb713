// Composition root: config → logger, store, adapters, pipeline, HTTP + WebSocket server.
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { type Config, publicBaseUrl } from './config.js';
import { catalogOf, type ChannelCatalog } from './domain/catalog.js';
import type { ChannelAdapter, OutboundSender } from './domain/channel.js';
import type { Channel } from './domain/types.js';
import { createExportRouter } from './http/export.js';
import { createHttpApp } from './http/app.js';
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
import { createIntelligence } from './pipeline/intelligence.js';
import { createDispatcher, type Dispatcher } from './pipeline/outbound.js';
import { createPipeline, type Pipeline } from './pipeline/service.js';
import { createWorkQueue, type WorkQueue } from './pipeline/work.js';
import { channelModules, type ChannelModule } from './registry.js';
import { createFileBlobStore } from './storage/blobs.js';
import { createStore } from './storage/index.js';
import type { TicketStore } from './storage/types.js';
import { clientIpOf, compileTrust } from './net/client-ip.js';
import { createHub, type Hub } from './ws/hub.js';

export interface AppOverrides {
  logger?: Logger;
  now?: () => Date;
  store?: TicketStore;
  /** Channel modules to wire (default: the registry). */
  modules?: ChannelModule[];
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

export async function createFreeda(config: Config, overrides: AppOverrides = {}): Promise<FreedaApp> {
  const logger = overrides.logger ?? createLogger({ level: config.LOG_LEVEL });
  const now = overrides.now ?? (() => new Date());
  const print = overrides.print ?? ((line: string) => process.stdout.write(line + '\n'));
  const generatedToken = config.API_TOKENS.length === 0 ? randomBytes(24).toString('base64url') : null;
  const apiTokens = generatedToken ? [generatedToken] : config.API_TOKENS;
  const modules = overrides.modules ?? channelModules;
  const channels = catalogOf(modules);
  const metrics = createMetrics();
  const store = instrumentStore(overrides.store ?? (await createStore(config, logger, channels)), metrics);
  const bus = createInProcessBus((error) => logger.error({ err: (error as Error).message }, 'event listener failed'));

  let listeningPort: number | undefined;
  const baseUrl = () => publicBaseUrl(config, listeningPort);
  const senders = new Map<Channel, OutboundSender>();
  const adapters = modules.map((module) => {
    const adapter = module.create(config, { logger: logger.child({ adapter: module.name }), now, publicBaseUrl: baseUrl });
    const served = module.channels.map((c) => c.name);
    const sender = adapter.sender ? instrumentSender(adapter.sender, metrics) : null;
    if (sender) for (const channel of sender.channels) senders.set(channel, sender);
    else
      logger.warn(
        { adapter: adapter.name, channels: served },
        `outbound disabled for ${served.join(', ')}: ${adapter.senderDisabledReason ?? 'no credentials configured'}`,
      );
    return adapter;
  });

  const dispatcher = createDispatcher({
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
  const pipeline = createPipeline({ store, blobs, bus, dispatcher, work, logger, now, channels });
  const context = pipeline.channelContext();
  let draining = false;

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
    publicBaseUrl: baseUrl,
    isDraining: () => draining,
    trustProxy,
    protectedRouters: [
      createExportRouter({ store, channels, logger, now }),
      statsRouter({ store, channels, apiTokens }),
      // With METRICS_PORT set, /metrics is served there only.
      ...(config.METRICS_PORT === null ? [metricsRouter(metrics, apiTokens)] : []),
      outgoingWebhooksRouter(outgoing, config.OUTGOING_WEBHOOK_URLS, apiTokens),
    ],
    webhookObserver: {
      refused: (adapter, reason) => metrics.webhooksRefused.inc({ adapter, reason }),
      handled: (adapter, channel, outcome, seconds) => {
        metrics.webhooksReceived.inc({ adapter, channel: channel ?? '', outcome });
        metrics.ingestSeconds.observe({ adapter }, seconds);
      },
    },
    publicRouters: [pagesRouter(), openApiRouter(adapters, { metricsOnApiPort: config.METRICS_PORT === null })],
  });
  const server = createServer({ keepAliveTimeout: 5_000, headersTimeout: 15_000, requestTimeout: 120_000 }, http);
  const hub = createHub({
    bus,
    logger,
    apiTokens,
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
    url: '',
    metrics,
    metricsUrl: null,
    outgoing,
    notifier,
    async start() {
      await store.open();
      if (outgoing) {
        await outgoing.start();
        bus.subscribe((event) => {
          outgoing
            .publish(event)
            .catch((error: Error) => logger.error({ err: error.message, type: event.type }, 'outgoing webhook event could not be queued'));
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
        print(`API_TOKENS is not set: generated an API token for this run: ${generatedToken}`);
        if (store.kind === 'json') await writeFile(join(config.DATA_DIR, API_TOKEN_FILE), generatedToken + '\n', { mode: 0o600 });
      }
      notifier.start();
      const resumed = await dispatcher.resume();
      const rebuilt = await work.rebuild();
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
        { port: listeningPort, public_base_url: baseUrl(), storage: store.kind, outbound_resumed: resumed, ...rebuilt },
        'freeda listening',
      );
    },
    async stop() {
      if (draining) return;
      draining = true;
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
