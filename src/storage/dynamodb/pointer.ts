// The contact's open-ticket pointer (`O#<channel>#<address>`): which ticket a new message from that contact joins, and
// the contact's newest ticket. An index is eventually consistent and takes no condition; this item does, so two
// instances opening the same contact's ticket at once race on `attribute_not_exists(open_ticket_id)` and the loser
// joins the winner's ticket.
import type { Contact, Channel, Ticket } from '../../domain/types.js';
import { STATUS_OPEN } from '../../domain/types.js';
import { newTicket, type IdFactory } from '../../domain/ticket.js';
import { StoreConflictError } from '../../errors.js';
import { backoffMs, sleep } from './client.js';
import { ticketToItem } from './items.js';
import { META_SK, SINGLETON_SK, openTicketPk, ticketPk } from './keys.js';
import type { TableOps } from './ops.js';

/** What an ingest needs besides the message to pick its ticket; kept in the intent so anyone can finish it. */
export interface IngestRequest {
  contact: Contact;
  preferred_ticket_id: string | null;
  linked_ticket_id: string | null;
  may_open_ticket: boolean;
  join_open_ticket: boolean;
  subject: string | null;
  now: string;
}

interface OpenTicketItem {
  open_ticket_id?: string;
  last_ticket_id?: string;
}

export interface PointerDeps {
  ops: TableOps;
  ids: IdFactory;
  getTicket(ticketId: string): Promise<Ticket | null>;
  maxConflictRetries: number;
}

export interface OpenTicketPointer {
  /**
   * The ticket an inbound message joins: the hinted one if open and the same contact, else the contact's open ticket,
   * else a new one (null when the request may not open one). A new ticket's META is written before the pointer claim,
   * so whoever reads the pointer always finds the ticket; the loser of a concurrent claim deletes its unused META.
   */
  resolveTicket(channel: Channel, request: IngestRequest): Promise<string | null>;
  /** Drop the pointer if it still names `ticketId` (after a close). */
  clear(channel: Channel, address: string, ticketId: string): Promise<void>;
  /**
   * Reopen: claim the pointer for the ticket first. A crash after the claim leaves a pointer to a closed ticket, which
   * the next ingest treats as stale and clears (the reopen was never acknowledged).
   */
  claimForReopen(ticket: Ticket): Promise<void>;
  /** The contact's newest ticket id on that channel, open or closed. */
  lastTicketId(channel: Channel, address: string): Promise<string | null>;
}

export function createOpenTicketPointer(deps: PointerDeps): OpenTicketPointer {
  const { ops } = deps;
  const keyOf = (channel: Channel, address: string) => ({ pk: openTicketPk(channel, address), sk: SINGLETON_SK });
  const read = async (channel: Channel, address: string) => ((await ops.get(keyOf(channel, address))) ?? {}) as OpenTicketItem;

  async function clear(channel: Channel, address: string, ticketId: string): Promise<void> {
    await ops.update({
      key: keyOf(channel, address),
      update: 'REMOVE #open_ticket_id',
      condition: '#open_ticket_id = :t',
      values: { ':t': ticketId },
    });
  }

  async function hintedTicket(channel: Channel, request: IngestRequest): Promise<string | null> {
    if (!request.preferred_ticket_id) return null;
    const preferred = await deps.getTicket(request.preferred_ticket_id);
    const joinable =
      preferred &&
      preferred.status === STATUS_OPEN &&
      preferred.channel === channel &&
      preferred.contact.address === request.contact.address;
    return joinable ? preferred.ticket_id : null;
  }

  async function resolveTicket(channel: Channel, request: IngestRequest): Promise<string | null> {
    const hinted = await hintedTicket(channel, request);
    if (hinted) return hinted;
    const key = keyOf(channel, request.contact.address);
    for (let attempt = 0; attempt < deps.maxConflictRetries; attempt += 1) {
      const pointer = await read(channel, request.contact.address);
      if (request.join_open_ticket && pointer.open_ticket_id) {
        const current = await deps.getTicket(pointer.open_ticket_id);
        if (current && current.status === STATUS_OPEN) return current.ticket_id;
        // Stale pointer (crash between closing the ticket and clearing the pointer): repair and go on.
        await clear(channel, request.contact.address, pointer.open_ticket_id);
        continue;
      }
      if (!request.may_open_ticket) return null;
      const ticketId = deps.ids(Date.parse(request.now) || undefined);
      const ticket = newTicket({
        ticket_id: ticketId,
        channel,
        contact: request.contact,
        subject: request.subject,
        previous_ticket_id: request.linked_ticket_id ?? pointer.last_ticket_id ?? null,
        now: request.now,
      });
      await ops.put({ item: ticketToItem(ticket, []), condition: 'attribute_not_exists(#pk)' });
      const values = { ':t': ticketId, ':c': channel, ':a': request.contact.address };
      const update = 'SET #open_ticket_id = :t, #last_ticket_id = :t, #channel = :c, #address = :a';
      if (!request.join_open_ticket) {
        // Threaded by headers (email): always a new ticket, which becomes the contact's newest open one.
        await ops.update({ key, update, condition: 'attribute_not_exists(#last_ticket_id) OR #last_ticket_id < :t', values });
        return ticketId;
      }
      if (await ops.update({ key, update, condition: 'attribute_not_exists(#open_ticket_id)', values })) return ticketId;
      // Another instance opened the contact's ticket first: drop ours (never referenced) and join theirs.
      await ops.remove({ key: { pk: ticketPk(ticketId), sk: META_SK }, condition: '#version = :zero', values: { ':zero': 0 } });
      await sleep(backoffMs(attempt, 2, 50));
    }
    throw new StoreConflictError(`could not settle the open ticket of ${channel} contact`);
  }

  async function claimForReopen(ticket: Ticket): Promise<void> {
    const key = keyOf(ticket.channel, ticket.contact.address);
    for (let attempt = 0; attempt < 5; attempt += 1) {
      const claimed = await ops.update({
        key,
        update: 'SET #open_ticket_id = :t, #channel = :c, #address = :a',
        condition: 'attribute_not_exists(#open_ticket_id) OR #open_ticket_id = :t',
        values: { ':t': ticket.ticket_id, ':c': ticket.channel, ':a': ticket.contact.address },
      });
      if (claimed) return;
      const pointer = await read(ticket.channel, ticket.contact.address);
      if (!pointer.open_ticket_id) continue;
      const other = await deps.getTicket(pointer.open_ticket_id);
      // The contact already has another open ticket: it keeps the pointer (new messages go to the newest conversation).
      if (other && other.status === STATUS_OPEN) return;
      await ops.update({
        key,
        update: 'REMOVE #open_ticket_id',
        condition: '#open_ticket_id = :t',
        values: { ':t': pointer.open_ticket_id },
      });
    }
  }

  return {
    resolveTicket,
    clear,
    claimForReopen,
    async lastTicketId(channel, address) {
      return (await read(channel, address)).last_ticket_id ?? null;
    },
  };
}
