// In-memory indexes of the json store. Records are immutable: every change replaces the object,
// so a snapshot can copy references and serialise them later without a lock.
import { compareMessages } from '../../domain/metrics.js';
import type { Channel, ContactRecord, Message, Ticket } from '../../domain/types.js';
import { STATUS_OPEN } from '../../domain/types.js';
import type { TicketFilter } from '../types.js';

/** One journal line: everything one operation changed, applied atomically on replay. */
export interface Batch {
  tickets?: Ticket[];
  messages?: Message[];
  contacts?: ContactRecord[];
  provider_ids?: { channel: Channel; provider_id: string; ticket_id: string; message_id: string }[];
}

export interface MessageRef {
  ticket_id: string;
  message_id: string;
}

export const channelKey = (channel: Channel, value: string): string => `${channel}\u0000${value}`;

function compareTickets(a: Ticket, b: Ticket): number {
  return a.created_at < b.created_at ? -1 : a.created_at > b.created_at ? 1 : a.ticket_id < b.ticket_id ? -1 : a.ticket_id > b.ticket_id ? 1 : 0;
}

export class MemoryState {
  readonly tickets = new Map<string, Ticket>();
  /** Tickets sorted by (created_at, ticket_id), oldest first. */
  readonly ticketOrder: Ticket[] = [];
  readonly messages = new Map<string, Message[]>();
  readonly byExternalId = new Map<string, MessageRef>();
  readonly byProviderId = new Map<string, MessageRef>();
  /** Ticket ids of each (channel, contact), in creation order. */
  readonly contactTickets = new Map<string, string[]>();
  readonly contacts = new Map<string, ContactRecord>();
  readonly pendingOutbound = new Map<string, MessageRef>();

  apply(batch: Batch): void {
    for (const ticket of batch.tickets ?? []) this.putTicket(ticket);
    for (const message of batch.messages ?? []) this.putMessage(message);
    for (const contact of batch.contacts ?? []) this.contacts.set(channelKey(contact.channel, contact.address), contact);
    for (const p of batch.provider_ids ?? []) {
      this.byProviderId.set(channelKey(p.channel, p.provider_id), { ticket_id: p.ticket_id, message_id: p.message_id });
    }
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

  private putMessage(message: Message): void {
    const list = this.messages.get(message.ticket_id) ?? [];
    if (!this.messages.has(message.ticket_id)) this.messages.set(message.ticket_id, list);
    const existing = list.findIndex((m) => m.message_id === message.message_id);
    if (existing >= 0) list[existing] = message;
    else {
      let at = list.length;
      while (at > 0 && compareMessages(list[at - 1], message) > 0) at--;
      list.splice(at, 0, message);
    }
    const ticket = this.tickets.get(message.ticket_id);
    if (message.external_id && ticket) {
      this.byExternalId.set(channelKey(ticket.channel, message.external_id), { ticket_id: message.ticket_id, message_id: message.message_id });
    }
    if (message.delivery?.provider_id && ticket) {
      this.byProviderId.set(channelKey(ticket.channel, message.delivery.provider_id), { ticket_id: message.ticket_id, message_id: message.message_id });
    }
    if (message.delivery?.status === 'queued' && message.delivery.next_attempt_at) {
      this.pendingOutbound.set(message.message_id, { ticket_id: message.ticket_id, message_id: message.message_id });
    } else {
      this.pendingOutbound.delete(message.message_id);
    }
  }

  message(ref: MessageRef): Message | null {
    return this.messages.get(ref.ticket_id)?.find((m) => m.message_id === ref.message_id) ?? null;
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
    return ids.length ? this.tickets.get(ids[ids.length - 1]) ?? null : null;
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
    return at >= 0 && this.ticketOrder[at].ticket_id === ticket.ticket_id ? at : this.ticketOrder.findIndex((t) => t.ticket_id === ticket.ticket_id);
  }

  /** Every record as batches (snapshot), references only: serialise later. */
  snapshotBatches(): Batch[] {
    const out: Batch[] = [];
    for (const ticket of this.ticketOrder) {
      out.push({ tickets: [ticket], messages: [...(this.messages.get(ticket.ticket_id) ?? [])] });
    }
    out.push({ contacts: [...this.contacts.values()] });
    const providerIds: NonNullable<Batch['provider_ids']> = [];
    for (const [key, ref] of this.byProviderId) {
      const [channel, provider_id] = key.split('\u0000') as [Channel, string];
      providerIds.push({ channel, provider_id, ...ref });
    }
    out.push({ provider_ids: providerIds });
    return out;
  }
}
