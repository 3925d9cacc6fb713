// The one ticket/message model every channel is normalised into (see docs/design.md "Model").

/**
 * A channel's name (`sms`, `email`…) as the adapter serving it declares it (ChannelModule.channels). The core learns the
 * set from the registry (ChannelCatalog, src/domain/catalog.ts) and never names one.
 */
export type Channel = string;

export const TICKET_STATUSES = ['en cours', 'fermé'] as const;
export type TicketStatus = (typeof TICKET_STATUSES)[number];
export const STATUS_OPEN: TicketStatus = 'en cours';
export const STATUS_CLOSED: TicketStatus = 'fermé';

/** Spellings accepted for a status wherever one is given (filters, PATCH, CLI): `ferme` is `fermé` typed without the accent. */
const STATUS_ALIASES: Readonly<Record<string, TicketStatus>> = { ferme: STATUS_CLOSED };

/** The status a client meant (alias, decomposed accent, surrounding spaces), or the input unchanged when it names none. */
export function canonicalStatus(value: string): string {
  const normalized = value.normalize('NFC').trim();
  return STATUS_ALIASES[normalized] ?? normalized;
}

export const SENTIMENTS = ['positif', 'neutre', 'negatif'] as const;
export const CATEGORIES = ['facturation', 'technique', 'commercial', 'resiliation', 'autre'] as const;
export const URGENCIES = ['basse', 'moyenne', 'haute'] as const;
export type Sentiment = (typeof SENTIMENTS)[number];
export type Category = (typeof CATEGORIES)[number];
export type Urgency = (typeof URGENCIES)[number];

export interface Analytics {
  sentiment: Sentiment;
  category: Category;
  urgency: Urgency;
  summary: string;
  analyzed_at: string;
  /** `agent`: at least one label was corrected by an agent (the corrected labels win over any later analysis). */
  source: 'ai' | 'fallback' | 'agent';
  model: string | null;
}

/** Labels an agent set by hand (PATCH /tickets/:id/analytics): kept over every later run of the analyzer. */
export interface LabelCorrection {
  sentiment?: Sentiment;
  category?: Category;
  urgency?: Urgency;
  /** The analyzer's labels just before the first correction (what the correction is evaluated against). */
  machine: Pick<Analytics, 'sentiment' | 'category' | 'urgency' | 'source' | 'model'> | null;
  agent_id: string | null;
  corrected_at: string;
}

export interface Contact {
  /** Normalised address: E.164 phone, `whatsapp:+…`, lower-cased email, or web-chat visitor id. */
  address: string;
  display_name?: string | null;
}

export type HandledBy = 'bot' | 'agent';

/**
 * Running figures kept on the ticket so exports never need to read every message.
 * Maintained by `applyMessageToStats` (domain/metrics.ts) on each append.
 */
export interface TicketStats {
  messages_count: number;
  first_customer_at: string | null;
  first_response_at: string | null;
  first_bot_response_at: string | null;
  first_agent_response_at: string | null;
  /** Start of the customer's current wait (first customer message after our last reply), null when not waiting. */
  waiting_since: string | null;
  waits_count: number;
  waits_total_seconds: number;
  last_customer_message_id: string | null;
  last_customer_message_at: string | null;
  last_message_at: string | null;
}

export interface Ticket {
  ticket_id: string;
  status: TicketStatus;
  channel: Channel;
  contact: Contact;
  subject: string | null;
  created_at: string;
  updated_at: string;
  closed_at: string | null;
  resolution_duration: number | null;
  handled_by: HandledBy;
  analytics: Analytics | null;
  previous_ticket_id: string | null;
  reopen_count: number;
  stats: TicketStats;
  /** Id of the last customer message the bot has taken a decision on (reply, silence or handoff). */
  bot_handled_through: string | null;
  /** Id of the last customer message covered by `analytics`. */
  analytics_through: string | null;
  /** Agent id of whoever closed it last (null while open, or closed by a service token / the system). */
  closed_by?: string | null;
  /** Agent id of the first agent account that replied. */
  first_human_responder?: string | null;
  /** Optimistic-concurrency version, bumped by every store write of the ticket. */
  version: number;
  /** The agent who owns the ticket (PATCH /tickets/:id/assignee); absent or null when unassigned. */
  assignee_id?: string | null;
  /** Labels corrected by an agent; absent when none. */
  label_corrections?: LabelCorrection | null;
}

export type Direction = 'inbound' | 'outbound';
/** `internal`: an agents' note, never sent, never shown to the customer, never read by the bot or the analytics. */
export const VISIBILITIES = ['public', 'internal'] as const;
export type Visibility = (typeof VISIBILITIES)[number];
export type Author = 'customer' | 'bot' | 'agent' | 'system';

export interface Attachment {
  content_type: string;
  size: number | null;
  filename?: string | null;
  url?: string | null;
  stored_key?: string | null;
}

/**
 * `unknown`: an attempt may have reached the provider (the connection dropped after the request was sent) and whether
 * it went is not known yet: the dispatcher reconciles with the provider before any resend, and leaves it `unknown` when
 * it never finds out (never sent twice; an agent checks).
 */
export const DELIVERY_STATUSES = ['queued', 'sent', 'delivered', 'read', 'failed', 'unknown'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

export interface Delivery {
  status: DeliveryStatus;
  error_code: string | null;
  error_message: string | null;
  attempts: number;
  provider_id: string | null;
  /** When the next send attempt is due (ISO), null when nothing is pending. */
  next_attempt_at: string | null;
  updated_at: string;
}

export interface Message {
  message_id: string;
  ticket_id: string;
  direction: Direction;
  author: Author;
  text: string;
  /** Whole body when it differs from `text` (e.g. email with quoted history). */
  full_text?: string | null;
  attachments: Attachment[];
  /** Provider id (MessageSid, CallSid:step, email Message-ID, web-chat client id); unique per channel. */
  external_id: string | null;
  created_at: string;
  delivery: Delivery | null;
  /** Channel-specific extras (WhatsApp profile, email headers, call info...). */
  meta?: Record<string, unknown>;
  /** Absent means `public`. */
  visibility?: Visibility;
  /** The agent who wrote it (agent replies and notes), when known. */
  agent_id?: string | null;
  author_name?: string | null;
}

export interface ContactRecord {
  channel: Channel;
  address: string;
  display_name: string | null;
  opted_out: boolean;
  opted_out_at: string | null;
  last_inbound_at: string | null;
  updated_at: string;
}
