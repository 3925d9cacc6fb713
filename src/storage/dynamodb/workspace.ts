// Agent workspace items (issue #16) in the one table, never a Scan:
//   S#<token>            / <created_at>#<ticket_id>   search postings: one item per (token, ticket), from the ticket's
//                                                     id, contact, subject and each message's text (domain/search.ts)
//   CT#<channel>#<addr>  / <created_at>#<ticket_id>   the contact's tickets on a channel (contact view)
//   CANNED               / <canned_id>                canned replies (one small partition, read whole)
//   CP#<contact_id>      / _                          contact profile, written with a version condition
// Postings are idempotent puts written right after the message is durable; a crash in between leaves a message
// unsearchable until its provider retries the webhook (a duplicate re-writes them). README.md "Search".
import type { Channel, Message, Ticket } from '../../domain/types.js';
import { messageTokens, ticketTokens } from '../../domain/search.js';
import { emptyProfile, type CannedReply, type ContactProfile } from '../../domain/workspace.js';
import { StoreConflictError } from '../../errors.js';
import type { SearchHit } from '../types.js';
import { backoffMs, batchWriteAll, sleep } from './client.js';
import { SINGLETON_SK, createdSortKey, keyPart } from './keys.js';
import type { TableOps } from './ops.js';

export const searchPk = (token: string) => `S#${token}`;
export const contactTicketsPk = (channel: Channel, address: string) => `CT#${channel}#${keyPart(address)}`;
export const CANNED_PK = 'CANNED';
export const profilePk = (contactId: string) => `CP#${keyPart(contactId)}`;

export function createWorkspaceItems(deps: { ops: TableOps; getTicket(id: string): Promise<Ticket | null>; maxConflictRetries: number }) {
  const { ops } = deps;
  const posting = (pk: string, ticket: Ticket) => ({
    PutRequest: {
      Item: {
        pk,
        sk: createdSortKey(ticket.created_at, ticket.ticket_id),
        type: 'posting',
        ticket_id: ticket.ticket_id,
        created_at: ticket.created_at,
      },
    },
  });

  async function postingsOf(pk: string): Promise<SearchHit[]> {
    const items = await ops.queryPartition(pk, '');
    return items.map((i) => ({ ticket_id: String(i.ticket_id), created_at: String(i.created_at) }));
  }

  return {
    /** Postings for a stored message; with `withTicket`, also the ticket's own tokens and its contact entry. */
    async index(ticket: Ticket, message: Message | null, withTicket: boolean): Promise<void> {
      const tokens = new Set(message ? messageTokens(message) : []);
      if (withTicket) for (const t of ticketTokens(ticket)) tokens.add(t);
      const writes = [...tokens].map((t) => posting(searchPk(t), ticket));
      if (withTicket) writes.push(posting(contactTicketsPk(ticket.channel, ticket.contact.address), ticket));
      if (writes.length) await batchWriteAll(ops.doc, ops.table, writes);
    },

    async search(tokens: string[]): Promise<SearchHit[]> {
      if (!tokens.length) return [];
      const lists = await Promise.all(tokens.map((t) => postingsOf(searchPk(t))));
      lists.sort((a, b) => a.length - b.length);
      let found = new Map(lists[0].map((h) => [h.ticket_id, h]));
      for (const list of lists.slice(1)) {
        const ids = new Set(list.map((h) => h.ticket_id));
        found = new Map([...found].filter(([id]) => ids.has(id)));
      }
      return [...found.values()].sort((a, b) =>
        a.created_at !== b.created_at ? (a.created_at < b.created_at ? 1 : -1) : a.ticket_id < b.ticket_id ? 1 : -1,
      );
    },

    async ticketsOfContact(channel: Channel, address: string): Promise<Ticket[]> {
      const hits = await postingsOf(contactTicketsPk(channel, address));
      const tickets = await ops.batchGet(hits.map((h) => ({ pk: `T#${h.ticket_id}`, sk: 'META' })));
      return tickets
        .map((i) => i.ticket as Ticket)
        .filter((t) => t.channel === channel && t.contact.address === address)
        .sort((a, b) => (a.created_at !== b.created_at ? (a.created_at < b.created_at ? -1 : 1) : a.ticket_id < b.ticket_id ? -1 : 1));
    },

    async listCanned(): Promise<CannedReply[]> {
      const items = await ops.queryPartition(CANNED_PK, '');
      return items
        .map((i) => i.reply as CannedReply)
        .filter((r) => !r.deleted)
        .sort((a, b) => (a.shortcut < b.shortcut ? -1 : 1));
    },

    async getCanned(cannedId: string): Promise<CannedReply | null> {
      const item = await ops.get({ pk: CANNED_PK, sk: cannedId });
      const reply = item?.reply as CannedReply | undefined;
      return reply && !reply.deleted ? reply : null;
    },

    async putCanned(reply: CannedReply): Promise<void> {
      await ops.put({
        item: { pk: CANNED_PK, sk: reply.canned_id, type: 'canned', reply },
        condition: 'attribute_exists(#pk) OR attribute_not_exists(#pk)',
      });
    },

    async getProfile(contactId: string): Promise<ContactProfile | null> {
      const item = await ops.get({ pk: profilePk(contactId), sk: SINGLETON_SK });
      return (item?.profile as ContactProfile | undefined) ?? null;
    },

    async updateProfile(contactId: string, mutate: (p: ContactProfile) => ContactProfile | null, now: string): Promise<ContactProfile> {
      for (let attempt = 0; attempt < deps.maxConflictRetries; attempt += 1) {
        const item = await ops.get({ pk: profilePk(contactId), sk: SINGLETON_SK });
        const current = (item?.profile as ContactProfile | undefined) ?? emptyProfile(contactId, now);
        const next = mutate(structuredClone(current));
        if (!next) return current;
        const stored: ContactProfile = { ...next, contact_id: contactId, updated_at: now, version: current.version + 1 };
        const written = await ops.put({
          item: { pk: profilePk(contactId), sk: SINGLETON_SK, type: 'profile', version: stored.version, profile: stored },
          condition: item ? '#version = :v' : 'attribute_not_exists(#pk)',
          values: item ? { ':v': current.version } : undefined,
        });
        if (written) return stored;
        await sleep(backoffMs(attempt, 4, 120));
      }
      throw new StoreConflictError(`contact ${contactId}: too many concurrent writes`);
    },
  };
}
