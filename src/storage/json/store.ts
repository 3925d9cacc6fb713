// STORAGE_TYPE=json: the embedded default store. Journal + snapshot on disk, everything served from memory.
//
// Files in DATA_DIR: LOCK, snapshot-<gen>.jsonl (state at the start of journal <gen>), journal-<gen>.jsonl.
// Start-up loads the newest complete snapshot then replays journals from its generation on, every line checked
// against its schema (load.ts). When a write fails (disk full, I/O error) the store refuses writes with 503 and
// resumes on its own once the journal is repaired (journal.ts); nothing new is applied in memory meanwhile.
import { mkdir, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { LoggerLike } from '../../domain/channel.js';
import { createIdFactory, needsFollowUp, newTicket, withMessage, withStatus } from '../../domain/ticket.js';
import type { Channel, ContactRecord, Message, Ticket, TicketStatus } from '../../domain/types.js';
import { STATUS_OPEN } from '../../domain/types.js';
import { NotFoundError, UnavailableError } from '../../errors.js';
import { decodeCursor, encodeCursor } from '../cursor.js';
import { fsyncDir, openFile, type OpenFile } from '../files.js';
import { assertRecordKey, type ListRecordsOptions, type StoredRecord } from '../records.js';
import type { IngestInput, IngestResult, MessageMutation, Page, StoreHealth, TicketFilter, TicketMutation, TicketStore } from '../types.js';
import { createCompactor } from './compaction.js';
import { healthReporter, storeHealthOf } from './health.js';
import { Journal } from './journal.js';
import { loadDataDir } from './load.js';
import { acquireDirLock, type DirLock } from './lock.js';
import { genName } from './replay.js';
import { createJsonSearchIndex } from './search-index.js';
import { type Batch, channelKey, MemoryState } from './state.js';
import { emptyProfile, type CannedReply, type ContactProfile } from '../../domain/workspace.js';

export { CorruptStoreError } from './load.js';

export interface JsonStoreOptions {
  dataDir: string;
  logger: LoggerLike;
  /** Journal size that triggers a snapshot + fresh journal. */
  compactBytes?: number;
  /** How files are opened for writing (tests inject short writes and ENOSPC here; default node:fs). */
  open?: OpenFile;
  /** Backoff of the recovery probe after a failed write (default 250 ms doubling to 5 s). */
  probeMs?: { min: number; max: number };
  /** Backoff before retrying a failed compaction (default 5 s doubling to 5 min). */
  compactRetryMs?: { min: number; max: number };
}

const isRecordCursor = (v: unknown): v is { k: string } =>
  typeof v === 'object' && v !== null && typeof (v as { k?: unknown }).k === 'string';
const isCursor = (v: unknown): v is [string, string] => Array.isArray(v) && v.length === 2 && v.every((x) => typeof x === 'string');
/** Reads are synchronous lookups in memory behind the async store contract: a throw still arrives as a rejection. */
const settle = <T>(read: () => T): Promise<T> => new Promise((resolve) => resolve(read()));

export function createJsonStore(options: JsonStoreOptions): TicketStore & {
  compact(): Promise<void>;
  stats(): { tickets: number; journalBytes: number; generation: number };
  /** Write records as they are (restore, migrate): keyed puts, resolves once durable. */
  importBatch(batch: Batch): Promise<void>;
  health(): StoreHealth;
  onRecovered(listener: () => void): void;
} {
  const { dataDir, logger } = options;
  const compactBytes = options.compactBytes ?? 64 * 1024 * 1024;
  const io = options.open ?? openFile;
  const newId = createIdFactory();
  let state = new MemoryState();
  let journal: Journal | null = null;
  let generation = 0;
  let lock: DirLock | null = null;
  const recoveredListeners: (() => void)[] = [];
  const searchIndex = createJsonSearchIndex(() => state);
  const compactor = createCompactor({
    dataDir,
    logger,
    open: io,
    retryMs: options.compactRetryMs ?? { min: 5_000, max: 300_000 },
    journal: live,
    state: () => state,
    generation: { get: () => generation, set: (gen) => (generation = gen) },
  });

  function live(): Journal {
    if (!journal) throw new UnavailableError('store_closed', 'The store is not open.');
    if (!journal.writable) throw journal.refusal();
    return journal;
  }

  /** Apply in memory now (so later requests see it), resolve once durable. */
  async function commit(batch: Batch): Promise<void> {
    const j = live();
    state.apply(batch);
    const durable = j.append(batch);
    if (j.size > compactBytes) compactor.maybeStart();
    await durable;
  }

  function ticketOrThrow(ticketId: string): Ticket {
    const ticket = state.tickets.get(ticketId);
    if (!ticket) throw new NotFoundError('ticket_not_found', `No ticket ${ticketId}.`);
    return ticket;
  }

  const bump = (ticket: Ticket, previous: Ticket): Ticket => ({ ...ticket, version: previous.version + 1 });

  const store = {
    kind: 'json' as const,

    async open(): Promise<void> {
      await mkdir(dataDir, { recursive: true });
      lock = await acquireDirLock(dataDir);
      if (lock.staleOwner)
        logger.warn({ dataDir, previousOwner: lock.staleOwner }, 'took over a lock left by a process that is gone (crash or kill)');
      try {
        ({ state, generation } = await loadDataDir(dataDir, logger));
        journal = await Journal.open(join(dataDir, genName('journal', generation)), {
          open: io,
          onHealth: healthReporter(dataDir, logger, () => recoveredListeners.forEach((listener) => listener())),
          probeMs: options.probeMs ?? { min: 250, max: 5_000 },
        });
        await fsyncDir(dataDir, io);
        for (const name of await readdir(dataDir)) if (name.endsWith('.tmp')) await rm(join(dataDir, name), { force: true });
        logger.info({ dataDir, tickets: state.tickets.size, generation }, 'json store loaded');
      } catch (error) {
        await journal?.close().catch(() => undefined);
        journal = null;
        await lock.release();
        lock = null;
        throw error;
      }
    },

    async close(): Promise<void> {
      await compactor.stop();
      if (journal) await journal.close().catch((e: Error) => logger.error({ err: e.message }, 'journal close failed'));
      journal = null;
      if (lock) await lock.release();
      lock = null;
    },

    ping(): Promise<void> {
      return settle(() => {
        live();
      });
    },

    health: (): StoreHealth => (journal ? storeHealthOf(journal.health(), dataDir) : { state: 'ok' }),

    onRecovered(listener: () => void): void {
      recoveredListeners.push(listener);
    },

    async ingest(input: IngestInput): Promise<IngestResult> {
      const j = live();
      const externalId = input.message.external_id;
      if (externalId) {
        const ref = state.byExternalId.get(input.channel, externalId);
        if (ref) {
          await j.barrier(); // the first copy may still be on its way to disk
          return { kind: 'duplicate', duplicate: true, ticket: ticketOrThrow(ref.ticket_id), message: state.message(ref)! };
        }
      }
      const address = input.contact.address;
      let ticket: Ticket | null = null;
      if (input.preferred_ticket_id) {
        const preferred = state.tickets.get(input.preferred_ticket_id);
        if (preferred && preferred.status === STATUS_OPEN && preferred.channel === input.channel && preferred.contact.address === address)
          ticket = preferred;
      }
      if (input.join_open_ticket !== false) ticket ??= state.openTicketOf(input.channel, address);
      let created = false;
      if (!ticket) {
        if (!input.may_open_ticket) return { kind: 'no_ticket' };
        const last = state.lastTicketOf(input.channel, address);
        ticket = newTicket({
          ticket_id: newId(Date.parse(input.now)),
          channel: input.channel,
          contact: input.contact,
          subject: input.subject ?? null,
          previous_ticket_id: input.linked_ticket_id ?? last?.ticket_id ?? null,
          now: input.now,
        });
        created = true;
      }
      const message: Message = { ...input.message, ticket_id: ticket.ticket_id, message_id: newId(Date.parse(input.message.created_at)) };
      const updated: Ticket = { ...withMessage(ticket, message), version: ticket.version + 1 };
      await commit({ tickets: [updated], messages: [message] });
      return { kind: 'stored', duplicate: false, ticket: updated, message, ticket_created: created };
    },

    async appendMessage(ticketId, input, mutateTicket?: TicketMutation) {
      const j = live();
      const ticket = ticketOrThrow(ticketId);
      if (input.external_id) {
        const ref = state.byExternalId.get(ticket.channel, input.external_id);
        if (ref) {
          await j.barrier();
          return { duplicate: true, message: state.message(ref)!, ticket: ticketOrThrow(ref.ticket_id) };
        }
      }
      const message: Message = { ...input, ticket_id: ticketId, message_id: input.message_id ?? newId(Date.parse(input.created_at)) };
      const appended = withMessage(ticket, message);
      const updated = bump(mutateTicket?.(appended) ?? appended, ticket);
      await commit({ tickets: [updated], messages: [message] });
      return { duplicate: false, message, ticket: updated };
    },

    getTicket(ticketId: string) {
      return settle(() => state.tickets.get(ticketId) ?? null);
    },

    getMessages(ticketId: string) {
      return settle(() => [...state.messagesOf(ticketId)]);
    },

    getMessage(ticketId: string, messageId: string) {
      return settle(() => state.message({ ticket_id: ticketId, message_id: messageId }));
    },

    findMessageByExternalId(channel: Channel, externalId: string) {
      return settle(() => {
        const ref = state.byExternalId.get(channel, externalId);
        return ref ? state.message(ref) : null;
      });
    },

    findMessageByProviderId(channel: Channel, providerId: string) {
      return settle(() => {
        const ref = state.byProviderId.get(channel, providerId);
        return ref ? state.message(ref) : null;
      });
    },

    async indexProviderIds(channel: Channel, ticketId: string, messageId: string, providerIds: string[]) {
      if (!providerIds.length) return;
      await commit({
        provider_ids: providerIds.map((provider_id) => ({ channel, provider_id, ticket_id: ticketId, message_id: messageId })),
      });
    },

    listTickets(filter: TicketFilter, limit: number, cursor?: string | null): Promise<Page<Ticket>> {
      return settle(() => {
        const order = state.ticketOrder;
        let index = order.length - 1;
        if (cursor) {
          const [createdAt, ticketId] = decodeCursor(cursor, isCursor);
          index = state.upperBound(createdAt, ticketId) - 1;
          // upperBound includes the cursor ticket itself: step past it.
          if (index >= 0 && order[index].ticket_id === ticketId) index--;
        }
        if (filter.created_to) index = Math.min(index, state.upperBound(filter.created_to, '\uffff') - 1);
        // One more than asked tells whether a next page exists.
        const items: Ticket[] = [];
        for (; index >= 0 && items.length <= limit; index--) {
          const ticket = order[index];
          if (filter.created_from && ticket.created_at < filter.created_from) break;
          if (state.matches(ticket, filter)) items.push(ticket);
        }
        const hasMore = items.length > limit;
        if (hasMore) items.pop();
        const last = items[items.length - 1];
        return { items, next_cursor: hasMore && last ? encodeCursor([last.created_at, last.ticket_id]) : null };
      });
    },

    // eslint-disable-next-line @typescript-eslint/require-await -- an in-memory snapshot behind the async contract: nothing to await
    async *iterateTickets(filter: TicketFilter): AsyncIterable<Ticket> {
      const order = state.ticketOrder;
      const start = filter.created_from ? state.upperBound(filter.created_from, '') : 0;
      const end = filter.created_to ? state.upperBound(filter.created_to, '\uffff') : order.length;
      const slice = order.slice(start, end); // stable view while the consumer is paused
      for (const ticket of slice) if (state.matches(ticket, filter)) yield ticket;
    },

    async updateTicket(ticketId: string, mutate: TicketMutation) {
      const ticket = state.tickets.get(ticketId);
      if (!ticket) return null;
      const next = mutate(ticket);
      if (!next) return ticket;
      const updated = bump(next, ticket);
      await commit({ tickets: [updated] });
      return updated;
    },

    async updateMessage(ticketId: string, messageId: string, mutate: MessageMutation) {
      const message = state.message({ ticket_id: ticketId, message_id: messageId });
      if (!message) return null;
      const next = mutate(message);
      if (!next) return message;
      await commit({ messages: [next] });
      return next;
    },

    async setStatus(ticketId: string, status: TicketStatus, now: string) {
      const ticket = state.tickets.get(ticketId);
      if (!ticket) return null;
      const next = withStatus(ticket, status, now);
      if (!next) {
        await live().barrier();
        return { ticket, changed: false };
      }
      const updated = bump(next, ticket);
      await commit({ tickets: [updated] });
      return { ticket: updated, changed: true };
    },

    lastTicketOf(channel: Channel, address: string) {
      return settle(() => state.lastTicketOf(channel, address));
    },

    getContact(channel: Channel, address: string) {
      return settle(() => state.contacts.get(channelKey(channel, address)) ?? null);
    },

    async upsertContact(channel: Channel, address: string, patch: Partial<Omit<ContactRecord, 'channel' | 'address'>>, now: string) {
      const current: ContactRecord = state.contacts.get(channelKey(channel, address)) ?? {
        channel,
        address,
        display_name: null,
        opted_out: false,
        opted_out_at: null,
        last_inbound_at: null,
        updated_at: now,
      };
      const next: ContactRecord = { ...current, ...patch, channel, address, updated_at: now };
      await commit({ contacts: [next] });
      return next;
    },

    listPendingOutbound() {
      return settle(() => {
        const out: Message[] = [];
        for (const ref of state.pendingOutbound.values()) {
          const message = state.message(ref);
          if (message) out.push(message);
        }
        return out.sort((a, b) => (a.created_at < b.created_at ? -1 : a.created_at > b.created_at ? 1 : 0));
      });
    },

    listTicketsNeedingWork() {
      return settle(() => state.ticketOrder.filter(needsFollowUp));
    },

    // ---------------------------------------------------------------- agent workspace (#16)

    ticketsOfContact(channel: Channel, address: string) {
      return settle(() =>
        (state.contactTickets.get(channelKey(channel, address)) ?? []).map((id) => state.tickets.get(id)).filter((t): t is Ticket => !!t),
      );
    },

    searchTickets(tokens: string[]) {
      return settle(() => searchIndex.search(tokens));
    },

    listCannedReplies() {
      return settle(() => [...state.cannedReplies.values()].filter((r) => !r.deleted).sort((a, b) => (a.shortcut < b.shortcut ? -1 : 1)));
    },

    getCannedReply(cannedId: string) {
      return settle(() => {
        const reply = state.cannedReplies.get(cannedId);
        return reply && !reply.deleted ? reply : null;
      });
    },

    async putCannedReply(reply: CannedReply) {
      await commit({ canned_replies: [reply] });
    },

    getContactProfile(contactId: string) {
      return settle(() => state.contactProfiles.get(contactId) ?? null);
    },

    async updateContactProfile(contactId: string, mutate: (profile: ContactProfile) => ContactProfile | null, now: string) {
      const current = state.contactProfiles.get(contactId) ?? emptyProfile(contactId, now);
      const next = mutate(structuredClone(current));
      if (!next) return current;
      const stored: ContactProfile = { ...next, contact_id: contactId, updated_at: now, version: current.version + 1 };
      await commit({ contact_profiles: [stored] });
      return stored;
    },

    // Generic records: the condition is checked and the record applied in memory in the same tick (one writer per
    // DATA_DIR), then the call resolves once the journal line is durable.
    async putRecordIfAbsent<T>(kind: string, key: string, data: T, now: string): Promise<StoredRecord<T> | null> {
      assertRecordKey(kind, key);
      if (state.records.get(kind, key)) return null;
      const record: StoredRecord<T> = { kind, key, version: 1, data: structuredClone(data), updated_at: now };
      await commit({ records: [record] });
      return record;
    },

    async putRecordIfVersion<T>(kind: string, key: string, data: T, expectedVersion: number, now: string): Promise<StoredRecord<T> | null> {
      assertRecordKey(kind, key);
      const current = state.records.get(kind, key);
      if (!current || current.version !== expectedVersion) return null;
      const record: StoredRecord<T> = { kind, key, version: expectedVersion + 1, data: structuredClone(data), updated_at: now };
      await commit({ records: [record] });
      return record;
    },

    getRecord<T>(kind: string, key: string) {
      return settle(() => (state.records.get(kind, key) as StoredRecord<T> | undefined) ?? null);
    },

    listRecords<T>(kind: string, options: ListRecordsOptions) {
      return settle((): Page<StoredRecord<T>> => {
        const after = options.cursor ? decodeCursor(options.cursor, isRecordCursor).k : null;
        const limit = Math.max(1, options.limit);
        const items = state.records.page(kind, limit + 1, after, options.order ?? 'asc') as StoredRecord<T>[];
        const more = items.length > limit;
        if (more) items.length = limit;
        return { items, next_cursor: more ? encodeCursor({ k: items[items.length - 1].key }) : null };
      });
    },

    compact: () => compactor.run(),
    importBatch: (batch: Batch) => commit(batch),
    stats: () => ({ tickets: state.tickets.size, journalBytes: journal?.size ?? 0, generation }),
  } satisfies TicketStore & Record<string, unknown>;
  return store;
}
