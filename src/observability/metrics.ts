// Prometheus metrics (prom-client): one registry per app instance (tests run several in one process). The parts are
// observed from the outside where possible — store, senders and analyzer are wrapped in the composition root, queue
// depths and WebSocket counts are read at scrape time — so the pipeline code does not depend on this module.
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { OutboundSender } from '../domain/channel.js';
import type { Analyzer, Chatbot } from '../domain/intelligence.js';
import type { TicketStore } from '../storage/types.js';

export interface DepthSources {
  /** Outbound messages waiting for a (re)try. */
  retryQueue(): number;
  /** Bot turns and analyses queued or running. */
  workQueue(): number;
  agents(): number;
  visitors(): number;
  /** Outgoing webhook deliveries not delivered yet (pending, not dead). */
  outgoingWebhooks?(): number;
}

export interface Metrics {
  registry: Registry;
  webhooksReceived: Counter<'adapter' | 'channel' | 'outcome'>;
  webhooksRefused: Counter<'adapter' | 'reason'>;
  ingestSeconds: Histogram<'adapter'>;
  storeCommitSeconds: Histogram<'operation'>;
  outboundSends: Counter<'channel' | 'status' | 'error_code'>;
  mistralCalls: Counter<'kind' | 'outcome'>;
  mistralFallbacks: Counter<'kind'>;
  mistralSeconds: Histogram<'kind'>;
  outgoingWebhookAttempts: Counter<'type' | 'outcome'>;
  notifications: Counter<'channel' | 'outcome'>;
  /** Read the depth gauges from these (set once the parts exist). */
  setDepthSources(sources: DepthSources): void;
  /** The Prometheus text exposition. */
  render(): Promise<{ contentType: string; body: string }>;
}

const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export function createMetrics(): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'freeda_' });
  const registers = [registry];
  let sources: DepthSources | null = null;
  const gauge = (name: string, help: string, read: (s: DepthSources) => number | undefined) =>
    new Gauge({
      name,
      help,
      registers,
      collect() {
        const value = sources ? read(sources) : undefined;
        if (value !== undefined) this.set(value);
      },
    });
  gauge('freeda_outbound_retry_queue_depth', 'Outbound messages waiting for a send attempt or a retry.', (s) => s.retryQueue());
  gauge('freeda_work_queue_depth', 'Bot turns and analyses queued or running.', (s) => s.workQueue());
  gauge('freeda_websocket_agents', 'Agent WebSocket connections.', (s) => s.agents());
  gauge('freeda_websocket_visitors', 'Web-chat visitor WebSocket connections.', (s) => s.visitors());
  gauge('freeda_outgoing_webhooks_pending', 'Outgoing webhook deliveries waiting for a (re)try.', (s) => s.outgoingWebhooks?.());

  return {
    registry,
    webhooksReceived: new Counter({
      name: 'freeda_webhooks_received_total',
      help: 'Provider webhooks verified and handled, by adapter, channel and outcome (stored, duplicate, delivery_updated, ignored, unsupported, none).',
      labelNames: ['adapter', 'channel', 'outcome'],
      registers,
    }),
    webhooksRefused: new Counter({
      name: 'freeda_webhooks_refused_total',
      help: 'Provider webhooks refused, by adapter and reason (signature failures, 4xx/5xx answers).',
      labelNames: ['adapter', 'reason'],
      registers,
    }),
    ingestSeconds: new Histogram({
      name: 'freeda_ingest_duration_seconds',
      help: 'Webhook handling time, from the request to the answer (the durable write included).',
      labelNames: ['adapter'],
      buckets: LATENCY_BUCKETS,
      registers,
    }),
    storeCommitSeconds: new Histogram({
      name: 'freeda_store_commit_duration_seconds',
      help: 'Store writes, until durable (json journal fdatasync or DynamoDB acknowledgement).',
      labelNames: ['operation'],
      buckets: LATENCY_BUCKETS,
      registers,
    }),
    outboundSends: new Counter({
      name: 'freeda_outbound_sends_total',
      help: 'Outbound send attempts at the providers, by channel, status and error code.',
      labelNames: ['channel', 'status', 'error_code'],
      registers,
    }),
    mistralCalls: new Counter({
      name: 'freeda_mistral_calls_total',
      help: 'Analyses and bot turns with MISTRAL_API_KEY set, by kind and outcome (analytics: ai or fallback; chatbot: decided or error).',
      labelNames: ['kind', 'outcome'],
      registers,
    }),
    mistralFallbacks: new Counter({
      name: 'freeda_mistral_fallbacks_total',
      help: 'Analyses that fell back to the offline rules although MISTRAL_API_KEY is set.',
      labelNames: ['kind'],
      registers,
    }),
    mistralSeconds: new Histogram({
      name: 'freeda_mistral_duration_seconds',
      help: 'Time of analyses and bot turns with MISTRAL_API_KEY set (the fallback included when it happens).',
      labelNames: ['kind'],
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 4, 8, 16],
      registers,
    }),
    outgoingWebhookAttempts: new Counter({
      name: 'freeda_outgoing_webhook_attempts_total',
      help: 'Outgoing webhook delivery attempts, by event type and outcome (delivered, retry, dead).',
      labelNames: ['type', 'outcome'],
      registers,
    }),
    notifications: new Counter({
      name: 'freeda_urgent_notifications_total',
      help: 'Urgent-ticket notifications to on-call, by channel and outcome (sent, failed, quiet_hours, digest).',
      labelNames: ['channel', 'outcome'],
      registers,
    }),
    setDepthSources(next) {
      sources = next;
    },
    async render() {
      return { contentType: registry.contentType, body: await registry.metrics() };
    },
  };
}

const seconds = (startNs: bigint) => Number(process.hrtime.bigint() - startNs) / 1e9;

const TIMED_WRITES = new Set([
  'ingest',
  'appendMessage',
  'updateTicket',
  'updateMessage',
  'setStatus',
  'upsertContact',
  'indexProviderIds',
]);

/** The same store, with its writes timed. Other members pass through (bound to the store: class privates work). */
export function instrumentStore(store: TicketStore, metrics: Metrics): TicketStore {
  return new Proxy(store, {
    get(target, property, _receiver) {
      const value: unknown = Reflect.get(target, property, target);
      if (typeof value !== 'function') return value;
      const method = value as (...args: unknown[]) => unknown;
      if (typeof property !== 'string' || !TIMED_WRITES.has(property)) return method.bind(target);
      return async (...args: unknown[]) => {
        const start = process.hrtime.bigint();
        try {
          return await method.apply(target, args);
        } finally {
          metrics.storeCommitSeconds.observe({ operation: property }, seconds(start));
        }
      };
    },
  });
}

/** The same sender, each attempt counted by channel, status and error code. */
export function instrumentSender(sender: OutboundSender, metrics: Metrics): OutboundSender {
  return {
    ...sender,
    channels: sender.channels,
    precheck: sender.precheck?.bind(sender),
    reconcile: sender.reconcile?.bind(sender),
    async send(req) {
      try {
        const result = await sender.send(req);
        if (result.ok) metrics.outboundSends.inc({ channel: req.ticket.channel, status: result.status, error_code: '' });
        else
          metrics.outboundSends.inc({
            channel: req.ticket.channel,
            status: result.retryable ? 'retryable_error' : 'failed',
            error_code: result.error_code,
          });
        return result;
      } catch (error) {
        metrics.outboundSends.inc({ channel: req.ticket.channel, status: 'error', error_code: 'exception' });
        throw error;
      }
    },
  };
}

/** Analyses timed and counted (only when Mistral is configured: otherwise no call is made). */
export function instrumentAnalyzer(analyzer: Analyzer, metrics: Metrics): Analyzer {
  return {
    async analyze(input) {
      const start = process.hrtime.bigint();
      const result = await analyzer.analyze(input);
      metrics.mistralSeconds.observe({ kind: 'analytics' }, seconds(start));
      metrics.mistralCalls.inc({ kind: 'analytics', outcome: result.source });
      if (result.source === 'fallback') metrics.mistralFallbacks.inc({ kind: 'analytics' });
      return result;
    },
  };
}

export function instrumentChatbot(chatbot: Chatbot, metrics: Metrics): Chatbot {
  return {
    async decide(input) {
      const start = process.hrtime.bigint();
      try {
        const decision = await chatbot.decide(input);
        metrics.mistralCalls.inc({ kind: 'chatbot', outcome: 'decided' });
        return decision;
      } catch (error) {
        metrics.mistralCalls.inc({ kind: 'chatbot', outcome: 'error' });
        throw error;
      } finally {
        metrics.mistralSeconds.observe({ kind: 'chatbot' }, seconds(start));
      }
    },
  };
}
