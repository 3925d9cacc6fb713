// Ticket/message ↔ table item conversion, including the large-body overflow. Pure functions.
import type { Message, Ticket } from '../../domain/types.js';
import { META_SK, bodyChunkPk, bodyChunkSk, messageIndexAttributes, messageSk, ticketIndexAttributes, ticketPk } from './keys.js';

/** Message ids whose stats were folded into the ticket; makes "apply message to ticket" idempotent for repairs. */
export const APPLIED_IDS_KEPT = 100;
/** Bodies above this size leave the message item (DynamoDB items are capped at 400 KB). */
export const INLINE_BODY_MAX_BYTES = 100_000;
/** What stays inline of an overflowing body, so readers of the raw table still see the start. */
export const INLINE_PREVIEW_BYTES = 16_000;
export const BODY_CHUNK_BYTES = 300_000;
const BODY_FIELDS = ['text', 'full_text'] as const;
type BodyField = (typeof BODY_FIELDS)[number];

export interface TicketItem {
  pk: string;
  sk: string;
  type: 'ticket';
  version: number;
  ticket: Ticket;
  applied: string[];
  [index: string]: unknown;
}

export function ticketToItem(ticket: Ticket, applied: string[]): TicketItem {
  return {
    pk: ticketPk(ticket.ticket_id),
    sk: META_SK,
    type: 'ticket',
    version: ticket.version,
    ticket,
    applied: applied.slice(-APPLIED_IDS_KEPT),
    ...ticketIndexAttributes(ticket),
  };
}

export function itemToTicket(item: Record<string, unknown>): Ticket {
  return item.ticket as Ticket;
}

/** Split into pieces of at most maxBytes UTF-8 bytes, never inside a character. */
export function splitUtf8(text: string, maxBytes: number): string[] {
  const pieces: string[] = [];
  let current = '';
  let currentBytes = 0;
  for (const ch of text) {
    const bytes = Buffer.byteLength(ch);
    if (currentBytes + bytes > maxBytes && current) {
      pieces.push(current);
      current = '';
      currentBytes = 0;
    }
    current += ch;
    currentBytes += bytes;
  }
  if (current || pieces.length === 0) pieces.push(current);
  return pieces;
}

export type BodyOverflow = Partial<Record<BodyField, number>>;

export interface PreparedMessage {
  /** The message as stored inline: bodies over INLINE_BODY_MAX_BYTES cut to a preview. */
  stored: Message;
  overflow: BodyOverflow | null;
  /** Chunk items to write before anything references them. */
  chunks: Array<Record<string, unknown>>;
}

export function prepareMessage(message: Message): PreparedMessage {
  const stored: Message = { ...message };
  const overflow: BodyOverflow = {};
  const chunks: Array<Record<string, unknown>> = [];
  for (const field of BODY_FIELDS) {
    const value = message[field];
    if (typeof value !== 'string' || Buffer.byteLength(value) <= INLINE_BODY_MAX_BYTES) continue;
    const pieces = splitUtf8(value, BODY_CHUNK_BYTES);
    overflow[field] = pieces.length;
    pieces.forEach((data, index) =>
      chunks.push({ pk: bodyChunkPk(message.message_id), sk: bodyChunkSk(field, index), type: 'body', data }),
    );
    stored[field] = splitUtf8(value, INLINE_PREVIEW_BYTES)[0];
  }
  return { stored, overflow: Object.keys(overflow).length ? overflow : null, chunks };
}

/** The message item. `stored.ticket_id` must be set. Index attributes follow the message's delivery state. */
export function messageItem(stored: Message, overflow: BodyOverflow | null, mversion: number): Record<string, unknown> {
  const item: Record<string, unknown> = {
    pk: ticketPk(stored.ticket_id),
    sk: messageSk(stored.message_id),
    type: 'message',
    mversion,
    message: stored,
    ...messageIndexAttributes(stored),
  };
  if (overflow) item.overflow = overflow;
  return item;
}

export function chunkKeysOf(item: Record<string, unknown>): Array<{ pk: string; sk: string }> {
  const overflow = item.overflow as BodyOverflow | undefined;
  if (!overflow) return [];
  const messageId = (item.message as Message).message_id;
  return BODY_FIELDS.flatMap((field) =>
    Array.from({ length: overflow[field] ?? 0 }, (_, i) => ({ pk: bodyChunkPk(messageId), sk: bodyChunkSk(field, i) })),
  );
}

/** Rebuild the message, putting overflowed bodies back together from their chunk items. */
export function itemToMessage(item: Record<string, unknown>, chunkItems: Array<Record<string, unknown>> = []): Message {
  const message = { ...(item.message as Message) };
  const overflow = item.overflow as BodyOverflow | undefined;
  if (!overflow) return message;
  const byKey = new Map(chunkItems.map((c) => [`${String(c.pk)}|${String(c.sk)}`, typeof c.data === 'string' ? c.data : '']));
  for (const field of BODY_FIELDS) {
    const count = overflow[field];
    if (!count) continue;
    const parts: string[] = [];
    for (let i = 0; i < count; i += 1) {
      const part = byKey.get(`${bodyChunkPk(message.message_id)}|${bodyChunkSk(field, i)}`);
      if (part === undefined) throw new Error(`message ${message.message_id}: body chunk ${field}#${i} is missing`);
      parts.push(part);
    }
    message[field] = parts.join('');
  }
  return message;
}
