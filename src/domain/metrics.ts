// Response-time figures (docs/design.md "Metric definitions"), maintained incrementally on the ticket.
import type { Message, Ticket, TicketStats } from './types.js';

export function emptyStats(): TicketStats {
  return {
    messages_count: 0,
    first_customer_at: null,
    first_response_at: null,
    first_bot_response_at: null,
    first_agent_response_at: null,
    waiting_since: null,
    waits_count: 0,
    waits_total_seconds: 0,
    last_customer_message_id: null,
    last_customer_message_at: null,
    last_message_at: null,
  };
}

export function secondsBetween(fromIso: string, toIso: string): number {
  return Math.max(0, Math.round((Date.parse(toIso) - Date.parse(fromIso)) / 1000));
}

/** A reply the customer sees: bot or agent, outbound, not failed (a reply that never arrived answers nobody). */
export function isPublicReply(message: Message): boolean {
  if (message.direction !== 'outbound' || isInternal(message)) return false;
  if (message.author !== 'bot' && message.author !== 'agent') return false;
  return message.delivery?.status !== 'failed';
}

/** An agents' note (visibility internal): never sent, never shown to the customer, not conversation. */
export function isInternal(message: Pick<Message, 'visibility'>): boolean {
  return message.visibility === 'internal';
}

/** Counted in messages_count: customer, bot and agent messages; system notes and agents' notes are not conversation. */
export function isPublicMessage(message: Message): boolean {
  return message.author !== 'system' && !isInternal(message);
}

export function isCustomerMessage(message: Message): boolean {
  return message.direction === 'inbound' && message.author === 'customer';
}

/** Fold one appended message into the running figures. Messages must be applied in time order. */
export function applyMessageToStats(stats: TicketStats, message: Message): TicketStats {
  const next: TicketStats = {
    ...stats,
    messages_count: stats.messages_count + (isPublicMessage(message) ? 1 : 0),
    last_message_at: message.created_at,
  };
  const at = message.created_at;
  if (isCustomerMessage(message)) {
    next.first_customer_at ??= at;
    next.waiting_since ??= at;
    next.last_customer_message_id = message.message_id;
    next.last_customer_message_at = at;
  } else if (isPublicReply(message)) {
    if (next.first_customer_at !== null) {
      next.first_response_at ??= at;
      if (message.author === 'bot') next.first_bot_response_at ??= at;
      if (message.author === 'agent') next.first_agent_response_at ??= at;
    }
    if (next.waiting_since !== null) {
      next.waits_count += 1;
      next.waits_total_seconds += secondsBetween(next.waiting_since, at);
      next.waiting_since = null;
    }
  }
  return next;
}

/** Rebuild figures from the whole conversation (used by tests and repairs). */
export function statsFromMessages(messages: Message[]): TicketStats {
  return [...messages].sort(compareMessages).reduce(applyMessageToStats, emptyStats());
}

/** Time order of two records by (created_at, id): ISO instants and ULIDs both sort as strings. */
export function compareTimeThenId(aAt: string, aId: string, bAt: string, bId: string): number {
  if (aAt !== bAt) return aAt < bAt ? -1 : 1;
  return aId < bId ? -1 : aId > bId ? 1 : 0;
}

export function compareMessages(a: Message, b: Message): number {
  return compareTimeThenId(a.created_at, a.message_id, b.created_at, b.message_id);
}

export interface TicketMetrics {
  messages_count: number;
  first_response_time_seconds: number | null;
  avg_response_time_seconds: number | null;
  bot_first_response_time_seconds: number | null;
  first_human_response_time_seconds: number | null;
  resolution_duration_seconds: number | null;
}

export function ticketMetrics(ticket: Ticket): TicketMetrics {
  const s = ticket.stats;
  const since = (at: string | null) => (at !== null && s.first_customer_at !== null ? secondsBetween(s.first_customer_at, at) : null);
  return {
    messages_count: s.messages_count,
    first_response_time_seconds: since(s.first_response_at),
    avg_response_time_seconds: s.waits_count > 0 ? Math.round(s.waits_total_seconds / s.waits_count) : null,
    bot_first_response_time_seconds: since(s.first_bot_response_at),
    first_human_response_time_seconds: since(s.first_agent_response_at),
    resolution_duration_seconds: ticket.resolution_duration,
  };
}
