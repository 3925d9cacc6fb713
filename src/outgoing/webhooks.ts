// Outgoing webhooks (OUTGOING_WEBHOOK_URLS): ticket.created, ticket.status_changed, message.created and ticket.analyzed
// from the event bus, POSTed as {"id","type","created_at","data"} with `Freeda-Signature: t=<unix s>,v1=<hex
// HMAC-SHA256(secret, t + "." + body)>`. Each (event, URL) is a stored delivery: durably queued before the first try,
// retried with exponential backoff (same id, same body), dead-lettered after maxAttempts (an admin lists and retries).
// At-least-once: a receiver must dedup on `id`. An event published just before a crash, before its delivery was
// queued, is not sent (the bus is in-process; the store write it reports is durable).
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { ulid } from 'ulid';
import type { BusEvent, BusEventType } from '../domain/bus.js';
import type { LoggerLike } from '../domain/channel.js';
import type { OutgoingDelivery, OutgoingQueueStore } from './queue.js';

export const OUTGOING_EVENT_TYPES = ['ticket.created', 'ticket.status_changed', 'message.created', 'ticket.analyzed'] as const;
export type OutgoingEventType = (typeof OUTGOING_EVENT_TYPES)[number];

export const SIGNATURE_HEADER = 'Freeda-Signature';

/** `t=<unix seconds>,v1=<hex HMAC-SHA256(secret, t + "." + body)>`. */
export function signatureHeader(secret: string, body: string, unixSeconds: number): string {
  const v1 = createHmac('sha256', secret).update(`${unixSeconds}.${body}`).digest('hex');
  return `t=${unixSeconds},v1=${v1}`;
}

/** A receiver's check (the README snippet does the same): signature over t + "." + raw body, t within toleranceS. */
export function verifySignature(secret: string, body: string, header: string, nowS: number, toleranceS = 300): boolean {
  const parts = Object.fromEntries(header.split(',').map((p) => p.split('=', 2) as [string, string]));
  const t = Number(parts.t);
  if (!Number.isInteger(t) || Math.abs(nowS - t) > toleranceS || !parts.v1) return false;
  const expected = Buffer.from(signatureHeader(secret, body, t).split('v1=')[1], 'hex');
  const given = Buffer.from(parts.v1, 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

export interface OutgoingWebhooksOptions {
  urls: readonly string[];
  secret: string;
  queue: OutgoingQueueStore;
  logger: LoggerLike;
  now(): Date;
  retryBaseMs: number;
  maxAttempts: number;
  timeoutMs?: number;
  /** Each attempt's outcome (metrics). */
  onAttempt?(type: string, outcome: 'delivered' | 'retry' | 'dead'): void;
}

export interface OutgoingWebhooks {
  /** Load the stored queue and schedule every pending delivery. */
  start(): Promise<void>;
  /** Turn a bus event into deliveries (ignored when its type is not sent out). Resolves once they are stored. */
  publish(event: BusEvent): Promise<void>;
  /** Deliveries waiting for a (re)try. */
  readonly pendingCount: number;
  listDead(): OutgoingDelivery[];
  listPending(): OutgoingDelivery[];
  /** Put a dead delivery back in the queue (attempts reset, same event id). Null when no such dead delivery. */
  retryDead(deliveryId: string): Promise<OutgoingDelivery | null>;
  /** Resolves when nothing is in flight (tests). */
  idle(): Promise<void>;
  stop(): Promise<void>;
}

const urlKey = (url: string) => createHash('sha256').update(url).digest('hex').slice(0, 12);

export function outgoingBackoffMs(baseMs: number, attempt: number): number {
  const exponential = baseMs * 2 ** Math.max(0, attempt - 1);
  return Math.min(exponential + Math.floor(exponential * 0.2 * Math.random()), 60 * 60_000);
}

export function createOutgoingWebhooks(options: OutgoingWebhooksOptions): OutgoingWebhooks {
  const { queue, logger } = options;
  const deliveries = new Map<string, OutgoingDelivery>();
  const timers = new Map<string, NodeJS.Timeout>();
  const inFlight = new Set<Promise<void>>();
  let stopped = false;
  const iso = () => options.now().toISOString();

  function schedule(delivery: OutgoingDelivery): void {
    if (stopped || delivery.state !== 'pending' || timers.has(delivery.delivery_id)) return;
    const due = delivery.next_attempt_at ? Date.parse(delivery.next_attempt_at) : 0;
    const delay = Math.max(0, due - options.now().getTime());
    timers.set(
      delivery.delivery_id,
      setTimeout(() => {
        timers.delete(delivery.delivery_id);
        const job = attempt(delivery.delivery_id).finally(() => inFlight.delete(job));
        inFlight.add(job);
      }, delay),
    );
  }

  async function post(delivery: OutgoingDelivery): Promise<string | null> {
    try {
      const res = await fetch(delivery.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'user-agent': 'Freeda-Webhooks/1',
          'freeda-event-id': delivery.event_id,
          'freeda-event-type': delivery.type,
          [SIGNATURE_HEADER]: signatureHeader(options.secret, delivery.body, Math.floor(options.now().getTime() / 1000)),
        },
        body: delivery.body,
        redirect: 'manual',
        signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
      });
      await res.arrayBuffer().catch(() => undefined);
      return res.status >= 200 && res.status < 300 ? null : `HTTP ${res.status}`;
    } catch (error) {
      const cause = (error as { cause?: { code?: string } }).cause?.code;
      return cause ?? (error as Error).name ?? 'error';
    }
  }

  async function attempt(deliveryId: string): Promise<void> {
    const current = deliveries.get(deliveryId);
    if (!current || current.state !== 'pending' || stopped) return;
    const failure = await post(current);
    const attempts = current.attempts + 1;
    let next: OutgoingDelivery;
    if (failure === null) next = { ...current, state: 'delivered', attempts, next_attempt_at: null, last_error: null, updated_at: iso() };
    else if (attempts >= options.maxAttempts)
      next = { ...current, state: 'dead', attempts, next_attempt_at: null, last_error: failure, updated_at: iso() };
    else {
      const at = new Date(options.now().getTime() + outgoingBackoffMs(options.retryBaseMs, attempts)).toISOString();
      next = { ...current, attempts, next_attempt_at: at, last_error: failure, updated_at: iso() };
    }
    options.onAttempt?.(current.type, next.state === 'pending' ? 'retry' : next.state);
    try {
      await queue.put([next]);
    } catch (error) {
      // Not recorded: keep the previous state and try again later (a delivered event may then be sent twice).
      logger.error({ err: (error as Error).message, delivery_id: deliveryId }, 'outgoing webhook state could not be stored');
      if (!stopped) setTimeout(() => schedule(current), options.retryBaseMs).unref();
      return;
    }
    if (next.state === 'delivered') deliveries.delete(deliveryId);
    else deliveries.set(deliveryId, next);
    if (next.state === 'dead')
      logger.warn({ delivery_id: deliveryId, url: next.url, attempts, error: failure }, 'outgoing webhook dead-lettered');
    else if (next.state === 'pending') schedule(next);
  }

  return {
    async start() {
      for (const delivery of await queue.open()) {
        deliveries.set(delivery.delivery_id, delivery);
        schedule(delivery);
      }
    },
    async publish(event) {
      if (stopped || !(OUTGOING_EVENT_TYPES as readonly BusEventType[]).includes(event.type) || !options.urls.length) return;
      const created = iso();
      const id = `evt_${ulid()}`;
      const body = JSON.stringify({ id, type: event.type, created_at: created, data: event.data });
      const fresh: OutgoingDelivery[] = options.urls.map((url) => ({
        delivery_id: `${id}@${urlKey(url)}`,
        event_id: id,
        type: event.type,
        url,
        body,
        state: 'pending',
        attempts: 0,
        next_attempt_at: null,
        last_error: null,
        created_at: created,
        updated_at: created,
      }));
      await queue.put(fresh);
      for (const delivery of fresh) {
        deliveries.set(delivery.delivery_id, delivery);
        schedule(delivery);
      }
    },
    get pendingCount() {
      let n = 0;
      for (const d of deliveries.values()) if (d.state === 'pending') n++;
      return n;
    },
    listPending() {
      return [...deliveries.values()].filter((d) => d.state === 'pending');
    },
    listDead() {
      return [...deliveries.values()].filter((d) => d.state === 'dead').sort((a, b) => (a.created_at < b.created_at ? -1 : 1));
    },
    async retryDead(deliveryId) {
      const dead = deliveries.get(deliveryId);
      if (!dead || dead.state !== 'dead') return null;
      const revived: OutgoingDelivery = { ...dead, state: 'pending', attempts: 0, next_attempt_at: null, updated_at: iso() };
      await queue.put([revived]);
      deliveries.set(deliveryId, revived);
      schedule(revived);
      return revived;
    },
    async idle() {
      while (inFlight.size) await Promise.allSettled([...inFlight]);
    },
    async stop() {
      stopped = true;
      for (const timer of timers.values()) clearTimeout(timer);
      timers.clear();
      await Promise.allSettled([...inFlight]);
      await queue.close();
    },
  };
}
