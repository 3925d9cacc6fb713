// Pure ticket and message transitions shared by every store.
import { agentIdOf, authorNameOf } from './authors.js';
import { monotonicFactory } from 'ulid';
import { applyMessageToStats, emptyStats, secondsBetween } from './metrics.js';
import { contactIdOf } from './workspace.js';
import type { Channel, Contact, Delivery, DeliveryStatus, Message, Ticket, TicketStatus } from './types.js';
import { STATUS_CLOSED, STATUS_OPEN } from './types.js';

export type IdFactory = (nowMs?: number) => string;

/** ULIDs: sortable by time, monotonic within one process. */
export function createIdFactory(): IdFactory {
  const next = monotonicFactory();
  return (nowMs?: number) => next(nowMs);
}

export function newTicket(input: {
  ticket_id: string;
  channel: Channel;
  contact: Contact;
  subject?: string | null;
  previous_ticket_id?: string | null;
  now: string;
}): Ticket {
  return {
    ticket_id: input.ticket_id,
    status: STATUS_OPEN,
    channel: input.channel,
    contact: { address: input.contact.address, display_name: input.contact.display_name ?? null },
    subject: input.subject ?? null,
    created_at: input.now,
    updated_at: input.now,
    closed_at: null,
    resolution_duration: null,
    handled_by: 'bot',
    analytics: null,
    previous_ticket_id: input.previous_ticket_id ?? null,
    reopen_count: 0,
    stats: emptyStats(),
    bot_handled_through: null,
    analytics_through: null,
    version: 0,
  };
}

/** The ticket after `message` was appended to it. */
export function withMessage(ticket: Ticket, message: Message): Ticket {
  const contactName = ticket.contact.display_name;
  return {
    ...ticket,
    updated_at: maxIso(ticket.updated_at, message.created_at),
    stats: applyMessageToStats(ticket.stats, message),
    contact:
      message.direction === 'inbound' && !contactName && typeof message.meta?.display_name === 'string'
        ? { ...ticket.contact, display_name: message.meta.display_name }
        : ticket.contact,
  };
}

export function withStatus(ticket: Ticket, status: TicketStatus, now: string): Ticket | null {
  if (ticket.status === status) return null;
  if (status === STATUS_CLOSED) {
    return { ...ticket, status, closed_at: now, resolution_duration: secondsBetween(ticket.created_at, now), updated_at: now };
  }
  return { ...ticket, status, closed_at: null, resolution_duration: null, reopen_count: ticket.reopen_count + 1, updated_at: now };
}

export function maxIso(a: string, b: string): string {
  return a > b ? a : b;
}

const DELIVERY_RANK: Record<DeliveryStatus, number> = { queued: 0, unknown: 0, sent: 1, delivered: 2, read: 3, failed: 4 };

/**
 * Status callbacks arrive late, duplicated and out of order: state only moves forward.
 * queued → sent → delivered → read; `failed` ends a queued/sent message; delivered/read/failed are never undone.
 */
export function advanceDelivery(
  current: Delivery,
  update: { status: DeliveryStatus; error_code?: string | null; error_message?: string | null; at: string },
): Delivery | null {
  const terminal = current.status === 'failed' || current.status === 'read';
  if (terminal || DELIVERY_RANK[update.status] <= DELIVERY_RANK[current.status]) return null;
  if (current.status === 'delivered' && update.status === 'failed') return null;
  const failed = update.status === 'failed';
  return {
    ...current,
    status: update.status,
    error_code: failed ? (update.error_code ?? null) : current.error_code,
    error_message: failed ? (update.error_message ?? null) : current.error_message,
    next_attempt_at: null,
    updated_at: update.at,
  };
}

/**
 * An outbound message whose next attempt is scheduled (the dispatcher's queue, rebuilt at start-up): a send (`queued`),
 * or a reconciliation with the provider (`unknown`).
 */
export function isPendingOutbound(message: Message): boolean {
  const status = message.delivery?.status;
  return (
    (status === 'queued' || status === 'unknown') &&
    message.delivery!.next_attempt_at !== null &&
    message.delivery!.next_attempt_at !== undefined
  );
}

/** The ticket's latest customer message still awaits a bot decision (reply, silence or hand-off); closed tickets get none. */
export function botDecisionPending(ticket: Ticket): boolean {
  const last = ticket.stats.last_customer_message_id;
  return last !== null && ticket.status === STATUS_OPEN && ticket.bot_handled_through !== last;
}

/** The ticket's labels do not cover its latest customer message yet. */
export function analyticsPending(ticket: Ticket): boolean {
  const last = ticket.stats.last_customer_message_id;
  return last !== null && ticket.analytics_through !== last;
}

/** Follow-up work (bot decision or analytics) is owed on this ticket: what the work queue is rebuilt from. */
export function needsFollowUp(ticket: Ticket): boolean {
  return botDecisionPending(ticket) || analyticsPending(ticket);
}

export function queuedDelivery(now: string): Delivery {
  return { status: 'queued', error_code: null, error_message: null, attempts: 0, provider_id: null, next_attempt_at: now, updated_at: now };
}

/** A ticket as the API, the WebSocket and the CSV show it: internal bookkeeping removed, running figures summed up. */
export type PublicTicket = Omit<Ticket, 'stats' | 'bot_handled_through' | 'analytics_through' | 'version'> & {
  messages_count: number;
  last_message_at: string | null;
  /** GET /contacts/:id: the person across channels (domain/workspace.ts). */
  contact_id: string;
  assignee_id: string | null;
};

export type PublicDelivery = Omit<Delivery, 'next_attempt_at' | 'updated_at'>;

/** A message as the API and the WebSocket show it: the delivery without its retry bookkeeping. */
export type PublicMessage = Omit<Message, 'delivery'> & {
  delivery: PublicDelivery | null;
  /** The agent account that wrote it (null for customers, the bot, service tokens). */
  agent_id: string | null;
  author_name: string | null;
};

export function publicTicket(ticket: Ticket): PublicTicket {
  const { stats, bot_handled_through: _b, analytics_through: _a, version: _v, ...rest } = ticket;
  return {
    ...rest,
    messages_count: stats.messages_count,
    last_message_at: stats.last_message_at,
    contact_id: contactIdOf(ticket.channel, ticket.contact.address),
    assignee_id: ticket.assignee_id ?? null,
  };
}

export function publicMessage(message: Message): PublicMessage {
  const { delivery, ...rest } = message;
  const authors = { agent_id: agentIdOf(message), author_name: authorNameOf(message) };
  if (!delivery) return { ...rest, delivery: null, ...authors };
  const { next_attempt_at: _n, updated_at: _u, ...publicDelivery } = delivery;
  return { ...rest, delivery: publicDelivery, ...authors };
}
