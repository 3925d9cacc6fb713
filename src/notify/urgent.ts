// Urgent-ticket notifications to on-call (NOTIFY_SMS_TO, NOTIFY_EMAIL_TO) through the channels' own outbound senders.
// Trigger: a `ticket.analyzed` event whose labels match NOTIFY_RULES. Once per ticket and channel: the claim is a
// system note appended with external_id `notify:urgent:<ticket_id>:<channel>` (the store's dedup makes it atomic and durable,
// across instances too). The note carries the delivery like any outbound message (queued → sent → delivered via the
// provider's status callback, or failed). Quiet hours: the note says it was not sent. More than NOTIFY_DIGEST_PER_MINUTE
// in a minute: later ones wait for one digest message at the end of the minute.
import type { LoggerLike, OutboundSender, SendResult } from '../domain/channel.js';
import type { BusEvent } from '../domain/bus.js';
import { publicMessage } from '../domain/ticket.js';
import type { Delivery, Message, Ticket } from '../domain/types.js';
import type { EventBus } from '../pipeline/bus.js';
import type { TicketStore } from '../storage/types.js';
import { inQuietHours, isUrgent, type NotifyRule, type QuietHours } from './rules.js';

export interface UrgentNotifierOptions {
  store: TicketStore;
  bus: EventBus;
  senders: ReadonlyMap<string, OutboundSender>;
  logger: LoggerLike;
  now(): Date;
  smsTo: string | null;
  emailTo: string | null;
  rules: readonly NotifyRule[];
  quietHours: QuietHours | null;
  digestPerMinute: number;
  /** Link to the ticket in the dashboard. */
  ticketUrl(ticketId: string): string;
  maxAttempts: number;
  retryBaseMs: number;
  onOutcome?(channel: string, outcome: 'sent' | 'failed' | 'quiet_hours' | 'digest'): void;
}

export interface UrgentNotifier {
  start(): void;
  /** Send the waiting digest now (also done by a timer at the end of the minute). */
  flushDigest(): Promise<void>;
  idle(): Promise<void>;
  stop(): Promise<void>;
}

interface Target {
  channel: 'sms' | 'email';
  to: string;
}

interface Claimed {
  ticket: Ticket;
  note: Message;
}

const WINDOW_MS = 60_000;
const LABEL: Record<Target['channel'], string> = { sms: 'SMS', email: 'e-mail' };

function delivery(status: Delivery['status'], at: string, extra: Partial<Delivery> = {}): Delivery {
  return { status, error_code: null, error_message: null, attempts: 0, provider_id: null, next_attempt_at: null, updated_at: at, ...extra };
}

export function createUrgentNotifier(options: UrgentNotifierOptions): UrgentNotifier {
  const { store, logger } = options;
  const targets: Target[] = [
    ...(options.smsTo ? [{ channel: 'sms' as const, to: options.smsTo }] : []),
    ...(options.emailTo ? [{ channel: 'email' as const, to: options.emailTo }] : []),
  ];
  const recent: number[] = [];
  const digest = new Map<Target['channel'], Claimed[]>();
  let digestTimer: NodeJS.Timeout | null = null;
  const running = new Set<Promise<unknown>>();
  let unsubscribe: (() => void) | null = null;
  let stopped = false;
  const iso = () => options.now().toISOString();

  const track = (job: Promise<unknown>) => {
    running.add(job);
    void job.finally(() => running.delete(job));
  };

  function describe(ticket: Ticket): string {
    const a = ticket.analytics;
    const labels = a ? `${a.category}, ${a.sentiment}, urgence ${a.urgency}` : '';
    return `${ticket.channel} ${ticket.contact.address} (${labels}) : ${a?.summary ?? ticket.subject ?? ''}`.slice(0, 300);
  }

  /** Append the note once per ticket and channel; null when it was already there. */
  async function claim(ticketId: string, target: Target, text: string, state: Delivery | null): Promise<Claimed | null> {
    const { message, ticket, duplicate } = await store.appendMessage(ticketId, {
      direction: 'outbound',
      author: 'system',
      text,
      attachments: [],
      external_id: `notify:urgent:${ticketId}:${target.channel}`, // external ids are unique per channel, not per ticket
      created_at: iso(),
      delivery: state,
      meta: { notification: { kind: 'urgent', channel: target.channel, to: target.to } },
    });
    if (duplicate) return null;
    options.bus.publish({ type: 'message.created', data: publicMessage(message) });
    return { ticket, note: message };
  }

  async function record(
    notes: Claimed[],
    channel: string,
    result: SendResult | { ok: false; error_code: string; error_message: string; retryable: false },
    attempts: number,
  ) {
    const at = iso();
    for (const [i, { ticket, note }] of notes.entries()) {
      const state = result.ok
        ? delivery(result.status, at, { attempts, provider_id: result.provider_id })
        : delivery(result.retryable && attempts < options.maxAttempts ? 'queued' : 'failed', at, {
            attempts,
            error_code: result.error_code,
            error_message: result.error_message,
          });
      await store.updateMessage(ticket.ticket_id, note.message_id, (m) => ({ ...m, delivery: state }));
      // The provider's status callbacks (delivered, failed) find the first note by the provider id.
      if (result.ok && i === 0) await store.indexProviderIds(channel, ticket.ticket_id, note.message_id, [result.provider_id]);
    }
  }

  async function send(target: Target, notes: Claimed[], text: string, attempt = 1): Promise<void> {
    const sender = options.senders.get(target.channel);
    const first = notes[0];
    if (!sender) {
      await record(
        notes,
        target.channel,
        { ok: false, retryable: false, error_code: 'channel_not_configured', error_message: `No ${target.channel} sender is configured.` },
        attempt,
      );
      options.onOutcome?.(target.channel, 'failed');
      return;
    }
    // The ticket as the sender expects it, addressed to on-call: the provider call, its errors and ids are the channel's.
    const addressed: Ticket = {
      ...first.ticket,
      channel: target.channel,
      contact: { address: target.to, display_name: 'Astreinte Freeda' },
      subject: notes.length > 1 ? `[Freeda] ${notes.length} tickets urgents` : `[Freeda] Ticket urgent ${first.ticket.ticket_id}`,
    };
    let result: SendResult;
    try {
      result = await sender.send({ ticket: addressed, message: { ...first.note, text }, contact: null, lastInbound: null, history: [] });
    } catch (error) {
      result = { ok: false, retryable: true, error_code: 'send_error', error_message: (error as Error).message };
    }
    await record(notes, target.channel, result, attempt);
    if (!result.ok && result.retryable && attempt < options.maxAttempts && !stopped) {
      const delay = options.retryBaseMs * 2 ** (attempt - 1);
      setTimeout(() => track(send(target, notes, text, attempt + 1)), delay).unref();
      return;
    }
    options.onOutcome?.(target.channel, result.ok ? 'sent' : 'failed');
    if (!result.ok) logger.warn({ channel: target.channel, error_code: result.error_code }, 'urgent notification could not be sent');
  }

  async function onUrgent(ticketId: string): Promise<void> {
    const ticket = await store.getTicket(ticketId);
    if (!ticket || !isUrgent(ticket.analytics, options.rules)) return;
    const now = options.now();
    const link = options.ticketUrl(ticketId);
    if (inQuietHours(now, options.quietHours)) {
      for (const target of targets) {
        const claimed = await claim(
          ticketId,
          target,
          `Notification urgente non envoyée (${LABEL[target.channel]} ${target.to}) : heures calmes ${options.quietHours!.text}.`,
          null,
        );
        if (claimed) options.onOutcome?.(target.channel, 'quiet_hours');
      }
      return;
    }
    while (recent.length && recent[0] <= now.getTime() - WINDOW_MS) recent.shift();
    const batched = recent.length >= options.digestPerMinute;
    if (!batched) recent.push(now.getTime());
    for (const target of targets) {
      const text = batched
        ? `Notification urgente (${LABEL[target.channel]} ${target.to}) : regroupée dans le résumé de la minute.`
        : `Notification urgente envoyée par ${LABEL[target.channel]} à ${target.to}.`;
      const claimed = await claim(ticketId, target, text, delivery('queued', iso()));
      if (!claimed) continue;
      if (batched) {
        digest.set(target.channel, [...(digest.get(target.channel) ?? []), claimed]);
        options.onOutcome?.(target.channel, 'digest');
        digestTimer ??= setTimeout(() => track(flushDigest()), WINDOW_MS);
        digestTimer.unref();
      } else await send(target, [claimed], `Freeda – ticket urgent : ${describe(claimed.ticket)}\n${link}`);
    }
  }

  async function flushDigest(): Promise<void> {
    if (digestTimer) clearTimeout(digestTimer);
    digestTimer = null;
    const batches = [...digest.entries()];
    digest.clear();
    for (const [channel, notes] of batches) {
      const target = targets.find((t) => t.channel === channel)!;
      const lines = notes.map(({ ticket }) => `- ${describe(ticket)}\n  ${options.ticketUrl(ticket.ticket_id)}`);
      await send(target, notes, `Freeda – ${notes.length} autres tickets urgents dans la dernière minute :\n${lines.join('\n')}`);
    }
  }

  return {
    start() {
      if (!targets.length) return;
      unsubscribe = options.bus.subscribe((event: BusEvent) => {
        if (event.type !== 'ticket.analyzed' || stopped) return;
        if (!isUrgent(event.data.analytics, options.rules)) return;
        track(
          onUrgent(event.data.ticket_id).catch((error: Error) =>
            logger.error({ err: error.message, ticket_id: event.data.ticket_id }, 'urgent notification failed'),
          ),
        );
      });
    },
    flushDigest,
    async idle() {
      while (running.size) await Promise.allSettled([...running]);
    },
    async stop() {
      stopped = true;
      unsubscribe?.();
      if (digestTimer) clearTimeout(digestTimer);
      await Promise.allSettled([...running]);
    },
  };
}
