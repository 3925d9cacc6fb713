// Outbound dispatcher: every reply is a stored message whose delivery state is the source of truth.
// Pending attempts are persisted (delivery.next_attempt_at), so a restart resumes them.
import type { LoggerLike, OutboundSendRequest, OutboundSender, ReconcileResult, SendResult } from '../domain/channel.js';
import { isPendingOutbound, publicMessage, publicTicket, queuedDelivery } from '../domain/ticket.js';
import type { Channel, Delivery, Message, Ticket } from '../domain/types.js';
import { UnavailableError } from '../errors.js';
import type { TicketMutation, TicketStore } from '../storage/types.js';
import type { EventBus } from './bus.js';
import { createMemoryLeases, withLease, type LeaseOptions } from './leases.js';
import { createSemaphore } from './semaphore.js';
import { refreshTicketStats } from './stats.js';

export interface DispatcherOptions {
  store: TicketStore;
  bus: EventBus;
  logger: LoggerLike;
  senders: Map<Channel, OutboundSender>;
  now(): Date;
  retryBaseMs: number;
  maxAttempts: number;
  /** Cap on concurrent provider calls. */
  concurrency?: number;
  /** Claims on attempts (several instances resume the same pending message); default: in this process. */
  leases?: LeaseOptions;
}

/** A reply we send (agent or bot), before it is stored. */
export interface QueuedReply {
  author: 'agent' | 'bot';
  text: string;
  /** Dedup key: a retried request (agent client_id) or a redone bot turn stores nothing twice. */
  external_id: string | null;
  meta?: Record<string, unknown>;
}

export interface Dispatcher {
  /**
   * Store a reply on the ticket with a queued delivery (with `mutateTicket` applied in the same write), show it live,
   * and send it. A duplicate (same external_id) changes nothing.
   */
  queueReply(ticketId: string, reply: QueuedReply, mutateTicket?: TicketMutation): Promise<{ message: Message; duplicate: boolean }>;
  /** Schedule the message's next attempt (at delivery.next_attempt_at). */
  schedule(message: Message): void;
  /** Reload every pending message from the store and schedule it. */
  resume(): Promise<number>;
  /** Messages waiting for an attempt (scheduled or running): the retry queue depth (metrics). */
  readonly depth: number;
  stop(): Promise<void>;
}

export function backoffMs(baseMs: number, attempt: number, retryAfterMs?: number): number {
  const exponential = baseMs * 2 ** Math.max(0, attempt - 1);
  const jitter = Math.floor(exponential * 0.2 * Math.random());
  return Math.max(retryAfterMs ?? 0, Math.min(exponential + jitter, 15 * 60_000));
}

export function createDispatcher(options: DispatcherOptions): Dispatcher {
  const { store, bus, logger, senders } = options;
  const timers = new Map<string, NodeJS.Timeout>();
  const inFlight = new Set<Promise<void>>();
  /** Message ids with an attempt running: resume() after a store recovery must not start a second one. */
  const attempting = new Set<string>();
  const providerCalls = createSemaphore(options.concurrency ?? 8);
  const leasing: LeaseOptions = options.leases ?? { leases: createMemoryLeases(), ttlMs: 30_000 };
  let stopped = false;

  const iso = () => options.now().toISOString();

  async function saveDelivery(message: Message, delivery: Delivery): Promise<Message | null> {
    const updated = await store.updateMessage(message.ticket_id, message.message_id, (m) => ({ ...m, delivery }));
    if (updated) bus.publish({ type: 'message.updated', data: publicMessage(updated) });
    // A reply that never reached the customer is no response.
    if (updated && delivery.status === 'failed') await refreshTicketStats(store, message.ticket_id);
    return updated;
  }

  /** Nothing more will be tried: `failed` with the error given in `delivery`. */
  const fail = (message: Message, delivery: Delivery) =>
    saveDelivery(message, { ...delivery, status: 'failed', next_attempt_at: null, updated_at: iso() });

  /** The provider has the message (sent now, or found by reconciliation): its record must say so before anything else. */
  async function recordSent(
    channel: Channel,
    message: Message,
    delivery: Delivery,
    result: Extract<SendResult, { ok: true }>,
    attempts: number,
  ) {
    const { ticket_id: ticketId, message_id: messageId } = message;
    // Index first: a customer reply or a status callback may arrive as soon as the provider accepted it.
    const extraIds = result.extra_provider_ids ?? [];
    if (extraIds.length) await untilWritable(() => store.indexProviderIds(channel, ticketId, messageId, extraIds));
    const sent: Delivery = {
      ...delivery,
      status: result.status,
      provider_id: result.provider_id,
      attempts,
      error_code: null,
      error_message: null,
      next_attempt_at: null,
      updated_at: iso(),
    };
    const saved = await untilWritable(() =>
      store.updateMessage(ticketId, messageId, (m) => ({
        ...m,
        delivery: sent,
        ...(result.meta ? { meta: { ...m.meta, ...result.meta } } : {}),
      })),
    );
    if (saved) bus.publish({ type: 'message.updated', data: publicMessage(saved) });
    logger.info({ ticket_id: ticketId, message_id: messageId, provider_id: result.provider_id, attempts }, 'outbound sent');
  }

  /**
   * The outcome of an attempt is not known: never resend blindly. Reconciled after a backoff (the provider lists a new
   * message a moment later); after the last attempt it stays `unknown` for good, for an agent to check.
   */
  async function markUnknown(message: Message, delivery: Delivery, attempts: number, code: string, detail: string, canReconcile: boolean) {
    // Not `stopped`-dependent: during a shutdown the next lookup is persisted and runs after the restart.
    const again = canReconcile && attempts < options.maxAttempts;
    const next = again ? new Date(options.now().getTime() + backoffMs(options.retryBaseMs, attempts)).toISOString() : null;
    logger.warn(
      { ticket_id: message.ticket_id, message_id: message.message_id, attempts, code, next_attempt_at: next },
      again
        ? 'outbound outcome unknown: the provider will be asked before any resend'
        : 'outbound outcome unknown: not resent, check with the provider',
    );
    const saved = await untilWritable(() =>
      saveDelivery(message, {
        ...delivery,
        status: 'unknown',
        attempts,
        error_code: again ? code : 'outcome_unknown',
        error_message: again
          ? detail
          : `${detail} — the provider may have accepted this message; it was not resent. / Le fournisseur a peut-être accepté ce message ; il n’a pas été renvoyé.`,
        next_attempt_at: next,
        updated_at: iso(),
      }),
    );
    if (saved) schedule(saved);
  }

  async function reconcile(sender: OutboundSender, request: OutboundSendRequest): Promise<ReconcileResult> {
    try {
      return await providerCalls.run(() => sender.reconcile!(request));
    } catch (error) {
      return { state: 'unknown', reason: (error as Error).message };
    }
  }

  async function attempt(messageId: string, ticketId: string): Promise<void> {
    const message = await store.getMessage(ticketId, messageId);
    const delivery = message?.delivery;
    if (!message || !delivery || !isPendingOutbound(message)) return;
    const ticket = await store.getTicket(ticketId);
    if (!ticket) return;
    const sender = senders.get(ticket.channel);
    if (!sender) {
      const reason = `Outbound is disabled for channel ${ticket.channel} (no provider credentials configured).`;
      return void (await fail(message, { ...delivery, error_code: 'outbound_disabled', error_message: reason }));
    }
    await attemptWith(sender, ticket, message, delivery);
  }

  async function attemptWith(sender: OutboundSender, ticket: Ticket, message: Message, delivery: Delivery): Promise<void> {
    const { ticket_id: ticketId, message_id: messageId } = message;
    const history = await store.getMessages(ticketId);
    const lastInbound = [...history].reverse().find((m) => m.direction === 'inbound' && m.author === 'customer') ?? null;
    const contact = await store.getContact(ticket.channel, ticket.contact.address);
    const request = { ticket, message, contact, lastInbound, history };
    if (delivery.status === 'unknown') {
      // An earlier attempt may have gone (reset after the request was sent, or a crash during the call): ask first.
      const verdict = sender.reconcile ? await reconcile(sender, request) : { state: 'unknown' as const, reason: 'no reconciliation' };
      if (verdict.state === 'sent') return recordSent(ticket.channel, message, delivery, verdict.result, delivery.attempts);
      if (verdict.state === 'unknown') {
        return markUnknown(message, delivery, delivery.attempts + 1, 'reconcile_failed', verdict.reason, !!sender.reconcile);
      }
      logger.info({ ticket_id: ticketId, message_id: messageId }, 'outbound reconciled: the provider does not have it, sending');
    }
    const refusal = sender.precheck?.(request);
    if (refusal && !refusal.ok) {
      logger.warn({ ticket_id: ticketId, message_id: messageId, code: refusal.error_code }, 'outbound refused before sending');
      return void (await fail(message, { ...delivery, error_code: refusal.error_code, error_message: refusal.error_message }));
    }
    // Sending while the store refuses writes would leave a sent message recorded as queued (sent again on resume).
    const health = store.health?.();
    if (health && health.state !== 'ok') throw new UnavailableError(health.code, `store not writable: ${health.detail}`);
    if (sender.reconcile) {
      // Write-ahead: a crash during the call leaves `unknown`, so the restart reconciles instead of resending.
      const inFlight: Delivery = {
        ...delivery,
        status: 'unknown',
        error_code: 'attempt_in_progress',
        error_message: null,
        updated_at: iso(),
      };
      await store.updateMessage(ticketId, messageId, (m) => ({ ...m, delivery: inFlight }));
    }
    let result: SendResult;
    try {
      result = await providerCalls.run(() => sender.send(request));
    } catch (error) {
      result = { ok: false, retryable: true, error_code: 'send_exception', error_message: (error as Error).message };
    }
    const attempts = delivery.attempts + 1;
    if (result.ok) return recordSent(ticket.channel, message, delivery, result, attempts);
    if (result.outcome_unknown)
      return markUnknown(message, delivery, attempts, result.error_code, result.error_message, !!sender.reconcile);
    if (result.retryable && attempts < options.maxAttempts && !stopped) {
      const next = new Date(options.now().getTime() + backoffMs(options.retryBaseMs, attempts, result.retry_after_ms)).toISOString();
      logger.warn(
        { ticket_id: ticketId, message_id: messageId, attempts, code: result.error_code, next_attempt_at: next },
        'outbound failed, will retry',
      );
      const saved = await saveDelivery(message, {
        ...delivery,
        status: 'queued',
        attempts,
        error_code: result.error_code,
        error_message: result.error_message,
        next_attempt_at: next,
        updated_at: iso(),
      });
      if (saved) schedule(saved);
      return;
    }
    logger.warn({ ticket_id: ticketId, message_id: messageId, attempts, code: result.error_code }, 'outbound failed permanently');
    if (result.contact_opted_out) {
      await store.upsertContact(ticket.channel, ticket.contact.address, { opted_out: true, opted_out_at: iso() }, iso());
    }
    await fail(message, { ...delivery, attempts, error_code: result.error_code, error_message: result.error_message });
  }

  /**
   * The provider accepted the message: its record must say so, or a later resume sends it again. While the store
   * refuses writes (disk full), wait for it to recover instead of dropping the result.
   */
  async function untilWritable<T>(write: () => Promise<T>): Promise<T> {
    for (let delayMs = 100; ; delayMs = Math.min(delayMs * 2, 5_000)) {
      try {
        return await write();
      } catch (error) {
        if (!(error instanceof UnavailableError) || stopped) throw error;
        await new Promise((resolve) => setTimeout(resolve, delayMs));
      }
    }
  }

  function run(messageId: string, ticketId: string): void {
    timers.delete(messageId);
    if (stopped) return;
    attempting.add(messageId);
    // One instance attempts a message at a time; `attempt` reads its state again under the lease (sent meanwhile → nothing).
    const job = withLease(leasing, `outbound:${messageId}`, () => attempt(messageId, ticketId))
      .then(() => undefined)
      .catch((error: Error) =>
        logger.error(
          { message_id: messageId, err: error.message },
          'outbound attempt crashed; it stays pending (resumed at the next start or when the store recovers)',
        ),
      )
      .finally(() => {
        attempting.delete(messageId);
        inFlight.delete(job);
      });
    inFlight.add(job);
  }

  function schedule(message: Message): void {
    const at = message.delivery?.next_attempt_at;
    if (stopped || !at || !isPendingOutbound(message) || timers.has(message.message_id)) return;
    const delay = Math.max(0, Date.parse(at) - options.now().getTime());
    timers.set(
      message.message_id,
      setTimeout(() => run(message.message_id, message.ticket_id), delay),
    );
  }

  return {
    async queueReply(ticketId, reply, mutateTicket) {
      const at = iso();
      const { message, ticket, duplicate } = await store.appendMessage(
        ticketId,
        { direction: 'outbound', ...reply, attachments: [], created_at: at, delivery: queuedDelivery(at) },
        mutateTicket,
      );
      if (!duplicate) {
        bus.publish({ type: 'message.created', data: publicMessage(message) });
        bus.publish({ type: 'ticket.updated', data: publicTicket(ticket) });
        schedule(message);
      }
      return { message, duplicate };
    },
    schedule,
    async resume() {
      const pending = (await store.listPendingOutbound()).filter((m) => !attempting.has(m.message_id));
      for (const message of pending) schedule(message);
      return pending.length;
    },
    get depth() {
      return timers.size + inFlight.size;
    },
    async stop() {
      stopped = true;
      for (const timer of timers.values()) clearTimeout(timer);
      timers.clear();
      await Promise.allSettled([...inFlight]);
    },
  };
}
