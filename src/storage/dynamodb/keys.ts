// Key design of the single Freeda table (see README.md next to this file). Pure functions, no I/O.
import { createHash } from 'node:crypto';
import { decodeBase64url } from '../../domain/base64url.js';
import { isPendingOutbound, needsFollowUp } from '../../domain/ticket.js';
import type { Channel, Message, Ticket } from '../../domain/types.js';

export const GSI_CHANNEL = 'gsi1_channel_created';
export const GSI_CHANNEL_STATUS = 'gsi2_channel_status_created';
export const GSI_QUEUES = 'gsi3_queues';

export const META_SK = 'META';
export const DEDUP_SK = 'D';
export const OUTBOX_QUEUE = 'OUTBOX';
export const WORK_QUEUE = 'WORK';
export const REPAIR_QUEUE = 'REPAIR';

/** Partition keys are limited to 2048 bytes: long provider ids/addresses are hashed (the full value stays in the item). */
export function keyPart(value: string): string {
  return Buffer.byteLength(value) > 512 ? `h:${createHash('sha256').update(value).digest('base64url')}` : value;
}

export const ticketPk = (ticketId: string) => `T#${ticketId}`;
export const messageSk = (messageId: string) => `M#${messageId}`;
export const dedupPk = (channel: Channel, externalId: string) => `D#${channel}#${keyPart(externalId)}`;
/** Intent record of a write that has no external id (nothing to dedup on, but still repairable). */
export const internalIntentPk = (messageId: string) => `I#${messageId}`;
export const providerPk = (channel: Channel, providerId: string) => `P#${channel}#${keyPart(providerId)}`;
export const openTicketPk = (channel: Channel, address: string) => `O#${channel}#${keyPart(address)}`;
export const contactPk = (channel: Channel, address: string) => `C#${channel}#${keyPart(address)}`;
export const bodyChunkPk = (messageId: string) => `B#${messageId}`;
export const bodyChunkSk = (field: string, index: number) => `${field}#${String(index).padStart(5, '0')}`;
export const SINGLETON_SK = '_';

export const channelGsiPk = (channel: Channel) => `CH#${channel}`;
export const channelStatusGsiPk = (channel: Channel, status: string) => `CHS#${channel}#${status}`;
export const createdSortKey = (createdAt: string, ticketId: string) => `${normaliseInstant(createdAt)}#${ticketId}`;

/**
 * Index attributes of a ticket META item. A ticket becomes visible in lists only once its first message
 * is applied, so a crash between creating the ticket and storing its first message never shows an empty ticket.
 */
export function ticketIndexAttributes(ticket: Ticket): Record<string, string> {
  const attrs: Record<string, string> = {};
  if (ticket.stats.messages_count > 0) {
    const sk = createdSortKey(ticket.created_at, ticket.ticket_id);
    attrs.gsi1pk = channelGsiPk(ticket.channel);
    attrs.gsi1sk = sk;
    attrs.gsi2pk = channelStatusGsiPk(ticket.channel, ticket.status);
    attrs.gsi2sk = sk;
  }
  if (needsFollowUp(ticket)) {
    attrs.gsi3pk = WORK_QUEUE;
    attrs.gsi3sk = createdSortKey(ticket.stats.last_customer_message_at ?? ticket.created_at, ticket.ticket_id);
  }
  return attrs;
}

export function messageIndexAttributes(message: Message): Record<string, string> {
  if (!isPendingOutbound(message)) return {};
  return { gsi3pk: OUTBOX_QUEUE, gsi3sk: `${message.created_at}#${message.message_id}` };
}

/** Lease expiry as a fixed-width sort key so `<` on strings means "expired before". */
export const leaseSortKey = (leaseUntilMs: number) => String(leaseUntilMs).padStart(15, '0');

// ---- cursor ----

export type ExclusiveKey = Record<string, string>;

export interface ListCursor {
  v: 1;
  /** Fingerprint of the filter the cursor was made for. */
  f: string;
  /** Per channel: the ExclusiveStartKey to resume from, or 'done' when that channel is exhausted. Absent = from the start. */
  pos: Partial<Record<Channel, ExclusiveKey | 'done'>>;
}

export function encodeCursor(cursor: ListCursor): string {
  return Buffer.from(JSON.stringify(cursor)).toString('base64url');
}

/** Returns null when the string is not a cursor we made. */
export function decodeCursor(raw: string): ListCursor | null {
  try {
    const bytes = decodeBase64url(raw);
    if (!bytes) return null;
    const parsed = JSON.parse(bytes.toString('utf8')) as unknown;
    if (!parsed || typeof parsed !== 'object') return null;
    const c = parsed as Partial<ListCursor>;
    if (c.v !== 1 || typeof c.f !== 'string' || !c.pos || typeof c.pos !== 'object') return null;
    for (const value of Object.values(c.pos)) {
      if (value === 'done') continue;
      if (!value || typeof value !== 'object' || !Object.values(value).every((v) => typeof v === 'string')) return null;
    }
    return c as ListCursor;
  } catch {
    return null;
  }
}

/** ISO bound normalised to Date#toISOString form so string comparison on created_at is time comparison. */
export function normaliseInstant(value: string): string {
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? value : new Date(ms).toISOString();
}

/** Key condition on the created sort key for inclusive [from, to] bounds on created_at. */
export function createdRange(from?: string, to?: string): { lo?: string; hi?: string } {
  return {
    lo: from ? normaliseInstant(from) : undefined,
    // '#~' sorts after every `#<ulid>` suffix, so the whole `to` instant is included.
    hi: to ? `${normaliseInstant(to)}#~` : undefined,
  };
}
