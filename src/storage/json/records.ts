// The shapes of the json store's lines, checked on replay and by `freeda store:check`: a line that parses as JSON but
// is not a record the store wrote (`{}`, a ticket without an id, a message with a bad status...) stops the start.
// The schemas mirror src/domain/types.ts exactly (compile-time checks at the bottom keep them in step). Channels are
// any non-empty string: the set of channels belongs to the adapters registered at start, not to the store.
import { z } from 'zod';
import {
  CATEGORIES,
  DELIVERY_STATUSES,
  SENTIMENTS,
  TICKET_STATUSES,
  URGENCIES,
  VISIBILITIES,
  type Channel,
  type ContactRecord,
  type Message,
  type Ticket,
} from '../../domain/types.js';
import type { Batch, LazyMessagesHeader } from './state.js';

const text = z.string();
const id = z.string().min(1);
const instant = z.string().min(1);
const nullableInstant = instant.nullable();
const count = z.number().int().nonnegative();
const channel = z.custom<Channel>((v) => typeof v === 'string' && v.length > 0, { message: 'expected a channel name' });

const analytics = z.object({
  sentiment: z.enum(SENTIMENTS),
  category: z.enum(CATEGORIES),
  urgency: z.enum(URGENCIES),
  summary: text,
  analyzed_at: instant,
  source: z.enum(['ai', 'fallback', 'agent']),
  model: text.nullable(),
});

const labelCorrection = z.object({
  sentiment: z.enum(SENTIMENTS).optional(),
  category: z.enum(CATEGORIES).optional(),
  urgency: z.enum(URGENCIES).optional(),
  machine: z
    .object({
      sentiment: z.enum(SENTIMENTS),
      category: z.enum(CATEGORIES),
      urgency: z.enum(URGENCIES),
      source: z.enum(['ai', 'fallback', 'agent']),
      model: text.nullable(),
    })
    .nullable(),
  agent_id: text.nullable(),
  corrected_at: instant,
});

const stats = z.object({
  messages_count: count,
  first_customer_at: nullableInstant,
  first_response_at: nullableInstant,
  first_bot_response_at: nullableInstant,
  first_agent_response_at: nullableInstant,
  waiting_since: nullableInstant,
  waits_count: count,
  waits_total_seconds: z.number().nonnegative(),
  last_customer_message_id: id.nullable(),
  last_customer_message_at: nullableInstant,
  last_message_at: nullableInstant,
});

export const ticketRecord = z.object({
  ticket_id: id,
  status: z.enum(TICKET_STATUSES),
  channel,
  contact: z.object({ address: id, display_name: text.nullable().optional() }),
  subject: text.nullable(),
  created_at: instant,
  updated_at: instant,
  closed_at: nullableInstant,
  resolution_duration: z.number().nonnegative().nullable(),
  handled_by: z.enum(['bot', 'agent']),
  analytics: analytics.nullable(),
  previous_ticket_id: id.nullable(),
  reopen_count: count,
  stats,
  bot_handled_through: id.nullable(),
  analytics_through: id.nullable(),
  closed_by: id.nullable().optional(),
  first_human_responder: id.nullable().optional(),
  version: count,
  assignee_id: text.nullable().optional(),
  label_corrections: labelCorrection.nullable().optional(),
});

const delivery = z.object({
  status: z.enum(DELIVERY_STATUSES),
  error_code: text.nullable(),
  error_message: text.nullable(),
  attempts: count,
  provider_id: text.nullable(),
  next_attempt_at: nullableInstant,
  updated_at: instant,
});

export const messageRecord = z.object({
  message_id: id,
  ticket_id: id,
  direction: z.enum(['inbound', 'outbound']),
  author: z.enum(['customer', 'bot', 'agent', 'system']),
  text,
  full_text: text.nullable().optional(),
  attachments: z.array(
    z.object({
      content_type: text,
      size: count.nullable(),
      filename: text.nullable().optional(),
      url: text.nullable().optional(),
      stored_key: text.nullable().optional(),
    }),
  ),
  external_id: text.nullable(),
  created_at: instant,
  delivery: delivery.nullable(),
  meta: z.record(z.string(), z.unknown()).optional(),
  visibility: z.enum(VISIBILITIES).optional(),
  agent_id: text.nullable().optional(),
  author_name: text.nullable().optional(),
});

export const contactRecord = z.object({
  channel,
  address: id,
  display_name: text.nullable(),
  opted_out: z.boolean(),
  opted_out_at: nullableInstant,
  last_inbound_at: nullableInstant,
  updated_at: instant,
});

const providerIdRecord = z.object({ channel, provider_id: id, ticket_id: id, message_id: id });

export const cannedReplyRecord = z.object({
  canned_id: id,
  shortcut: text,
  title: text,
  text,
  created_at: instant,
  updated_at: instant,
  deleted: z.boolean(),
});

export const contactProfileRecord = z.object({
  contact_id: id,
  name: text.nullable(),
  emails: z.array(text),
  phones: z.array(text),
  links: z.array(id),
  updated_at: instant,
  version: count,
});
export const genericRecord = z.object({ kind: id, key: id, version: count, data: z.unknown(), updated_at: instant });

/** One journal line (or a snapshot's contacts / provider ids line): at least one of the four lists. */
export const batchRecord = z
  .object({
    tickets: z.array(ticketRecord).optional(),
    messages: z.array(messageRecord).optional(),
    contacts: z.array(contactRecord).optional(),
    provider_ids: z.array(providerIdRecord).optional(),
    canned_replies: z.array(cannedReplyRecord).optional(),
    contact_profiles: z.array(contactProfileRecord).optional(),
    records: z.array(genericRecord).optional(),
  })
  .refine((b) => b.tickets || b.messages || b.contacts || b.provider_ids || b.canned_replies || b.contact_profiles || b.records, {
    message: 'empty record: none of tickets, messages, contacts, provider_ids, canned_replies, contact_profiles, records',
  });

const lazyHeader = z.object({
  ticket_id: id,
  ext: z.array(z.tuple([text, id])),
  pids: z.array(z.tuple([text, id])),
  pending: z.array(id),
});

/** A snapshot's ticket line: the ticket, and the index of its messages (their raw array is the next line). */
export const snapshotTicketRecord = z
  .object({ tickets: z.tuple([ticketRecord]), lazy: lazyHeader })
  .refine((r) => r.tickets[0].ticket_id === r.lazy.ticket_id, { message: 'lazy.ticket_id differs from the ticket' });

export const messagesArray = z.array(messageRecord);

/** First few problems of a failed parse, as `path: message` (the path says where in the line). */
export function describeIssues(error: z.ZodError, max = 3): string {
  const shown = error.issues.slice(0, max).map((issue) => {
    const path = issue.path
      .map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`))
      .join('')
      .replace(/^\./, '');
    return path ? `${path}: ${issue.message}` : issue.message;
  });
  const more = error.issues.length > max ? ` (+${error.issues.length - max} more)` : '';
  return shown.join('; ') + more;
}

// Compile-time: each schema accepts exactly the domain type (a field added to one and not the other fails typecheck).
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const inStep: [
  Same<z.infer<typeof ticketRecord>, Ticket>,
  Same<z.infer<typeof messageRecord>, Message>,
  Same<z.infer<typeof contactRecord>, ContactRecord>,
  Same<z.infer<typeof lazyHeader>, LazyMessagesHeader>,
  Same<Omit<z.infer<typeof batchRecord>, never>, Batch>,
] = [true, true, true, true, true];
void inStep;
