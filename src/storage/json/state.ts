// In-memory indexes of the json store. Records are immutable: every change replaces the object,
// so a snapshot can copy references and serialise them later without a lock.
import { compareMessages, compareTimeThenId } from '../../domain/metrics.js';
import { isPendingOutbound } from '../../domain/ticket.js';
import type { Channel, ContactRecord, Message, Ticket } from '../../domain/types.js';
import { STATUS_OPEN } from '../../domain/types.js';
import type { CannedReply, ContactProfile } from '../../domain/workspace.js';
import type { StoredRecord } from '../records.js';
import type { TicketFilter } from '../types.js';
import { RecordIndex } from './record-index.js';

/** One journal line: everything one operation changed, applied atomically on replay. */
export interface Batch {
  tickets?: Ticket[];
  messages?: Message[];
  contacts?: ContactRecord[];
  provider_ids?: { channel: Channel; provider_id: string; ticket_id: string; message_id: string }[];
  /** Agent workspace (#16): canned replies (a delete is kept as `deleted: true`) and contact profiles. */
  canned_replies?: CannedReply[];
  contact_profiles?: ContactProfile[];
  /** Generic records (agents, tokens, audit...): each replaces the stored one of the same kind + key. */
  records?: StoredRecord[];
}

/**
 * Snapshot header of a ticket whose messages follow on the next line as a raw JSON array. The array is kept as a
 * string until something reads that ticket's messages: start-up then builds no object for message bodies.
 */
export interface LazyMessagesHeader {
  ticket_id: string;
  /** [external_id, message_id] */
  ext: [string, string][];
  /** [provider_id, message_id] from delivery.provider_id */
  pids: [string, string][];
  /** message ids with a pending outbound attempt */
  pending: string[];
}

/** One ticket of a snapshot: parsed messages, or the raw JSON kept from the snapshot it was loaded from. */
export type SnapshotEntry = { ticket: Ticket; messages: Message[] } | { ticket: Ticket; raw: Buffer; header: LazyMessagesHeader };

export interface MessageRef {
  ticket_id: string;
  message_id: string;
}

export class ChannelIndex {
  private readonly byChannel = new Map<Channel, Map<string, MessageRef>>();

  get(channel: Channel, id: string): MessageRef | undefined {
    return this.byChannel.get(channel)?.get(id);
  }

  set(channel: Channel, id: string, ref: MessageRef): void {
    let map = this.byChannel.get(channel);
    if (!map) this.byChannel.set(channel, (map = new Map<string, MessageRef>()));
    map.set(id, ref);
  }

  *entries(): Iterable<[Channel, string, MessageRef]> {
    for (const [channel, map] of this.byChannel) for (const [id, ref] of map) yield [channel, id, ref];
  }
}

export const channelKey = (channel: Channel, value: string): string => `${channel}\u0000${value}`;

function compareTickets(a: Ticket, b: Ticket): number {
  return compareTimeThenId(a.created_at, a.ticket_id, b.created_at, b.ticket_id);
}

export class MemoryState {
  readonly tickets = new Map<string, Ticket>();
  /** Tickets sorted by (created_at, ticket_id), oldest first. */
  readonly ticketOrder: Ticket[] = [];
  private readonly messages = new Map<string, Message[]>();
  /** Tickets whose messages are still the raw JSON array read from a snapshot. */
  private readonly rawMessages = new Map<string, { raw: Buffer; header: LazyMessagesHeader }>();
  /** Per channel (no composite key string to build for each of the 100ks of entries loaded at start-up). */
  readonly byExternalId = new ChannelIndex();
  readonly byProviderId = new ChannelIndex();
  /** Ticket ids of each (channel, contact), in creation order. */
  readonly contactTickets = new Map<string, string[]>();
  readonly contacts = new Map<string, ContactRecord>();
  readonly pendingOutbound = new Map<string, MessageRef>();
  readonly cannedReplies = new Map<string, CannedReply>();
  readonly contactProfiles = new Map<string, ContactProfile>();
  /** Told of every applied batch (the search index follows the state through it). */
  onApply: ((batch: Batch) => void) | null = null;
  readonly records = new RecordIndex();

  apply(batch: Batch): void {
    for (const reply of batch.canned_replies ?? []) this.cannedReplies.set(reply.canned_id, reply);
    for (const profile of batch.contact_profiles ?? []) this.contactProfiles.set(profile.contact_id, profile);
    this.onApply?.(batch);
    for (const ticket of batch.tickets ?? []) this.putTicket(ticket);
    for (const message of batch.messages ?? []) this.putMessage(message);
    for (const contact of batch.contacts ?? []) this.contacts.set(channelKey(contact.channel, contact.address), contact);
    for (const p of batch.provider_ids ?? []) {
      this.byProviderId.set(p.channel, p.provider_id, { ticket_id: p.ticket_id, message_id: p.message_id });
    }
    for (const record of batch.records ?? []) this.records.put(record);
  }

  private putTicket(ticket: Ticket): void {
    const previous = this.tickets.get(ticket.ticket_id);
    this.tickets.set(ticket.ticket_id, ticket);
    if (previous) {
      const index = this.orderIndexOf(previous);
      if (index >= 0) this.ticketOrder[index] = ticket;
      return;
    }
    const at = this.insertionIndex(ticket);
    this.ticketOrder.splice(at, 0, ticket);
    const key = channelKey(ticket.channel, ticket.contact.address);
    const list = this.contactTickets.get(key);
    if (list) list.push(ticket.ticket_id);
    else this.contactTickets.set(key, [ticket.ticket_id]);
  }

  /** A snapshot's header + raw messages line: index the ids now, parse the bodies on first read. */
  applyLazy(header: LazyMessagesHeader, raw: Buffer): void {
    const ticket = this.tickets.get(header.ticket_id);
    if (!ticket) throw new Error(`snapshot messages for unknown ticket ${header.ticket_id}`);
    this.rawMessages.set(header.ticket_id, { raw, header });
    this.messages.delete(header.ticket_id);
    for (const [externalId, messageId] of header.ext)
      this.byExternalId.set(ticket.channel, externalId, { ticket_id: header.ticket_id, message_id: messageId });
    for (const [providerId, messageId] of header.pids)
      this.byProviderId.set(ticket.channel, providerId, { ticket_id: header.ticket_id, message_id: messageId });
    for (const messageId of header.pending) this.pendingOutbound.set(messageId, { ticket_id: header.ticket_id, message_id: messageId });
  }

  /** The ticket's messages in time order (parsed on first use after a snapshot load). Do not mutate. */
  messagesOf(ticketId: string): Message[] {
    const lazy = this.rawMessages.get(ticketId);
    if (lazy) {
      this.rawMessages.delete(ticketId);
      this.messages.set(ticketId, JSON.parse(lazy.raw.toString('utf8')) as Message[]);
    }
    return this.messages.get(ticketId) ?? [];
  }

  private putMessage(message: Message): void {
    let list = this.messagesOf(message.ticket_id);
    if (!this.messages.has(message.ticket_id)) this.messages.set(message.ticket_id, (list = []));
    // Appends (and every message of a snapshot) come after the last one: no search needed. A message that sorts
    // strictly after the last cannot already be in the list (its own key would compare equal).
    const last = list.length ? list[list.length - 1] : null;
    const existing = last === null || compareMessages(last, message) < 0 ? -1 : list.findIndex((m) => m.message_id === message.message_id);
    if (existing >= 0) list[existing] = message;
    else {
      let at = list.length;
      while (at > 0 && compareMessages(list[at - 1], message) > 0) at--;
      list.splice(at, 0, message);
    }
    const ticket = this.tickets.get(message.ticket_id);
    if (message.external_id && ticket) {
      this.byExternalId.set(ticket.channel, message.external_id, { ticket_id: message.ticket_id, message_id: message.message_id });
    }
    if (message.delivery?.provider_id && ticket) {
      this.byProviderId.set(ticket.channel, message.delivery.provider_id, { ticket_id: message.ticket_id, message_id: message.message_id });
    }
    if (isPendingOutbound(message)) {
      this.pendingOutbound.set(message.message_id, { ticket_id: message.ticket_id, message_id: message.message_id });
    } else {
      this.pendingOutbound.delete(message.message_id);
    }
  }

  message(ref: MessageRef): Message | null {
    return this.messagesOf(ref.ticket_id).find((m) => m.message_id === ref.message_id) ?? null;
  }

  /** The contact's most recent open ticket on that channel. */
  openTicketOf(channel: Channel, address: string): Ticket | null {
    const ids = this.contactTickets.get(channelKey(channel, address)) ?? [];
    for (let i = ids.length - 1; i >= 0; i--) {
      const ticket = this.tickets.get(ids[i]);
      if (ticket?.status === STATUS_OPEN) return ticket;
    }
    return null;
  }

  lastTicketOf(channel: Channel, address: string): Ticket | null {
    const ids = this.contactTickets.get(channelKey(channel, address)) ?? [];
    return ids.length ? (this.tickets.get(ids[ids.length - 1]) ?? null) : null;
  }

  matches(ticket: Ticket, filter: TicketFilter): boolean {
    if (filter.status && ticket.status !== filter.status) return false;
    if (filter.channels?.length && !filter.channels.includes(ticket.channel)) return false;
    if (filter.created_from && ticket.created_at < filter.created_from) return false;
    if (filter.created_to && ticket.created_at > filter.created_to) return false;
    return true;
  }

  /** First index in ticketOrder whose key is > (created_at, ticket_id), i.e. the insertion point. */
  upperBound(createdAt: string, ticketId: string): number {
    let lo = 0;
    let hi = this.ticketOrder.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const t = this.ticketOrder[mid];
      if (t.created_at < createdAt || (t.created_at === createdAt && t.ticket_id <= ticketId)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private insertionIndex(ticket: Ticket): number {
    const n = this.ticketOrder.length;
    if (n === 0 || compareTickets(this.ticketOrder[n - 1], ticket) < 0) return n;
    return this.upperBound(ticket.created_at, ticket.ticket_id);
  }

  private orderIndexOf(ticket: Ticket): number {
    const at = this.upperBound(ticket.created_at, ticket.ticket_id) - 1;
    return at >= 0 && this.ticketOrder[at].ticket_id === ticket.ticket_id
      ? at
      : this.ticketOrder.findIndex((t) => t.ticket_id === ticket.ticket_id);
  }

  /** Every record (snapshot), references only: serialise later. */
  snapshot(): { tickets: SnapshotEntry[]; rest: Batch[] } {
    const tickets: SnapshotEntry[] = [];
    for (const ticket of this.ticketOrder) {
      const lazy = this.rawMessages.get(ticket.ticket_id);
      tickets.push(lazy ? { ticket, ...lazy } : { ticket, messages: [...(this.messages.get(ticket.ticket_id) ?? [])] });
    }
    const providerIds: NonNullable<Batch['provider_ids']> = [];
    for (const [channel, provider_id, ref] of this.byProviderId.entries()) providerIds.push({ channel, provider_id, ...ref });
    const rest: Batch[] = [{ contacts: [...this.contacts.values()] }, { provider_ids: providerIds }];
    if (this.cannedReplies.size) rest.push({ canned_replies: [...this.cannedReplies.values()].filter((r) => !r.deleted) });
    if (this.contactProfiles.size) rest.push({ contact_profiles: [...this.contactProfiles.values()] });
    const records = this.records.all();
    if (records.length) rest.push({ records });
    return { tickets, rest };
  }
}

/** The index a lazy snapshot line needs, from parsed messages. */
export function lazyHeaderOf(ticketId: string, messages: Message[]): LazyMessagesHeader {
  const header: LazyMessagesHeader = { ticket_id: ticketId, ext: [], pids: [], pending: [] };
  for (const m of messages) {
    if (m.external_id) header.ext.push([m.external_id, m.message_id]);
    if (m.delivery?.provider_id) header.pids.push([m.delivery.provider_id, m.message_id]);
    if (isPendingOutbound(m)) header.pending.push(m.message_id);
  }
  return header;
}
