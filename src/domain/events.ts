// What an adapter's normalize step produces from one provider webhook.
import type { Attachment, Author, Channel, Contact, DeliveryStatus, Message, Ticket } from './types.js';

/** Threading evidence an adapter found in the payload (email headers, reply address...). */
export interface ThreadHints {
  /** Provider ids of earlier messages this one replies to (email In-Reply-To + References), most relevant first. */
  replyToExternalIds?: string[];
  /** Ticket id carried by the address the customer wrote to (`support+<ticket_id>@…`). */
  ticketToken?: string;
}

/** An attachment as an adapter found it; `content` (when kept) is saved by the core, which sets `stored_key`. */
export interface InboundAttachment extends Attachment {
  content?: Buffer;
}

export interface InboundMessageEvent {
  kind: 'message';
  channel: Channel;
  external_id: string;
  contact: Contact;
  author?: Author; // default 'customer'
  text: string;
  full_text?: string | null;
  subject?: string | null;
  attachments: InboundAttachment[];
  received_at: string;
  thread?: ThreadHints;
  /** STOP/START keywords: record consent on the contact; no bot reply to an opt-out. */
  consent?: 'opt_out' | 'opt_in';
  /** Skip the chatbot for this message (e.g. HELP keyword answered by the carrier). */
  no_bot_reply?: boolean;
  meta?: Record<string, unknown>;
}

/** A provider status callback for one of our outbound messages. */
export interface DeliveryStatusEvent {
  kind: 'delivery_status';
  channel: Channel;
  provider_id: string;
  status: DeliveryStatus;
  /** Raw provider status (e.g. Twilio `undelivered`), kept for the log. */
  provider_status: string;
  error_code?: string | null;
  error_message?: string | null;
  at: string;
}

/**
 * Something to record on the contact's ticket but never answer: auto-replies, bounces, call hang-up.
 * Deduplicated on (channel, external_id) like a message.
 */
export interface SystemNoteEvent {
  kind: 'system_note';
  channel: Channel;
  external_id: string;
  contact: Contact;
  text: string;
  received_at: string;
  thread?: ThreadHints;
  /** When false the note only joins an existing ticket and never opens one (e.g. a bounce for an unknown thread). */
  may_open_ticket?: boolean;
  meta?: Record<string, unknown>;
}

/** Our own echo, a message from one of our numbers, a loop: acked and dropped. */
export interface IgnoredEvent {
  kind: 'ignored';
  channel: Channel;
  reason: string;
}

/** A payload we verified but do not understand: acked (so the provider stops retrying), logged, raw kept. */
export interface UnsupportedEvent {
  kind: 'unsupported';
  channel: Channel;
  external_id: string | null;
  reason: string;
  raw: unknown;
}

export type InboundEvent = InboundMessageEvent | DeliveryStatusEvent | SystemNoteEvent | IgnoredEvent | UnsupportedEvent;

export type IngestOutcome =
  | { kind: 'stored'; ticket: Ticket; message: Message; duplicate: boolean; ticket_created: boolean }
  | { kind: 'delivery_updated'; message: Message | null; changed: boolean }
  | { kind: 'ignored'; reason: string }
  | { kind: 'unsupported'; reason: string };
