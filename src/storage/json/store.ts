// STORAGE_TYPE=json: the embedded default store. Journal + snapshot on disk, everything served from memory.
//
// Files in DATA_DIR: LOCK, snapshot-<gen>.jsonl (state at the start of journal <gen>), journal-<gen>.jsonl.
// Start-up loads the newest complete snapshot then replays journals from its generation on.
import { mkdir, open, readdir, rename, rm, truncate } from 'node:fs/promises';
import { join } from 'node:path';
import type { LoggerLike } from '../../domain/channel.js';
import { createIdFactory, needsFollowUp, newTicket, withMessage, withStatus } from '../../domain/ticket.js';
import type { Channel, ContactRecord, Message, Ticket, TicketStatus } from '../../domain/types.js';
import { STATUS_OPEN } from '../../domain/types.js';
import { NotFoundError, UnavailableError } from '../../errors.js';
import { decodeCursor, encodeCursor } from '../cursor.js';
import type { IngestInput, IngestResult, MessageMutation, Page, TicketFilter, TicketMutation, TicketStore } from '../types.js';
import { Journal } from './journal.js';
import { acquireDirLock, type DirLock } from './lock.js';
import { type Batch, channelKey, type LazyMessagesHeader, lazyHeaderOf, MemoryState, type SnapshotEntry } from './state.js';

export interface JsonStoreOptions {
  dataDir: string;
  logger: LoggerLike;
  /** Journal size that triggers a snapshot + fresh journal. */
  compactBytes?: number;
}

const GEN_WIDTH = 8;
const genName = (prefix: string, gen: number) => `${prefix}-${String(gen).padStart(GEN_WIDTH, '0')}.jsonl`;
const isCursor = (v: unknown): v is [string, string] => Array.isArray(v) && v.length === 2 && v.every((x) => typeof x === 'string');
/** Reads are synchronous lookups in memory behind the async store contract: a throw still arrives as a rejection. */
const settle = <T>(read: () => T): Promise<T> => new Promise((resolve) => resolve(read()));

/**
 * The lines of a JSON-lines file with the byte offset just past each one (its `\n`, or the end of the file).
 * Lines end at `\n` only (what the journal writes); a `\r` before it is JSON whitespace.
 */
/** The file's lines, a chunk at a time (one await per 4 MiB, not per line), with the byte offset after each. */
async function* jsonLineBatches(path: string, chunkBytes = 4 << 20): AsyncGenerator<{ bytes: Buffer; end: number }[]> {
  const handle = await open(path, 'r');
  try {
    let carry: Buffer | null = null;
    let consumed = 0; // file offset of the start of `carry` / the current chunk
    for (;;) {
      // The unfinished line of the previous chunk goes first, then the file is read right after it (no concat copy).
      const carried = carry?.length ?? 0;
      const chunk = Buffer.allocUnsafe(carried + chunkBytes);
      if (carry) carry.copy(chunk, 0);
      const { bytesRead } = await handle.read(chunk, carried, chunkBytes, null);
      if (bytesRead === 0) break;
      const data: Buffer = chunk.subarray(0, carried + bytesRead);
      const lines: { bytes: Buffer; end: number }[] = [];
      let start = 0;
      for (let nl = data.indexOf(10, start); nl >= 0; nl = data.indexOf(10, start)) {
        // A view into this chunk: callers copy what they keep.
        lines.push({ bytes: data.subarray(start, nl), end: consumed + nl + 1 });
        start = nl + 1;
      }
      consumed += start;
      carry = start < data.length ? Buffer.from(data.subarray(start)) : null;
      yield lines;
    }
    if (carry) yield [{ bytes: carry, end: consumed + carry.length }];
  } finally {
    await handle.close();
  }
}

export function createJsonStore(
  options: JsonStoreOptions,
): TicketStore & { compact(): Promise<void>; stats(): { tickets: number; journalBytes: number; generation: number } } {
  const { dataDir, logger } = options;
  const compactBytes = options.compactBytes ?? 64 * 1024 * 1024;
  const newId = createIdFactory();
  let state = new MemoryState();
  let journal: Journal | null = null;
  let generation = 0;
  let lock: DirLock | null = null;
  let compacting: Promise<void> | null = null;

  function live(): Journal {
    if (!journal) throw new UnavailableError('store_closed', 'The store is not open.');
    if (journal.broken) throw new UnavailableError('store_failed', 'The store could not write to disk; restart required.');
    return journal;
  }

  /** Apply in memory now (so later requests see it), resolve once durable. */
  async function commit(batch: Batch): Promise<void> {
    const j = live();
    state.apply(batch);
    const durable = j.append(batch);
    if (j.size > compactBytes && !compacting) {
      compacting = compactNow().finally(() => {
        compacting = null;
      });
    }
    await durable;
  }

  /**
   * Journals: one batch per line. Snapshots may also hold `{"lazy":header}` lines, each followed by the raw JSON array
   * of that ticket's messages, kept unparsed (snapshots are written whole then renamed, so they are never torn).
   */
  async function replayFile(path: string, isLast: boolean, isSnapshot = false): Promise<void> {
    let lineNo = 0;
    let goodBytes = 0;
    let torn: string | null = null;
    let lazyHeader: LazyMessagesHeader | null = null;
    // Byte-level line splitting (readline + string decoding was a quarter of a 100k-ticket start-up);
    // byte offsets come straight from the buffer, so the torn-line repair needs no re-encoding.
    for await (const batch of jsonLineBatches(path))
      for (const { bytes, end } of batch) {
        lineNo++;
        if (torn !== null)
          throw new Error(`${path}: line ${lineNo - 1} is corrupt and is not the last line; refusing to start (inspect the file).`);
        if (lazyHeader) {
          // Kept as UTF-8 bytes: smaller than a JS string (accents make those two bytes a character) and never decoded
          // unless the ticket's messages are read.
          state.applyLazy(lazyHeader, Buffer.from(bytes));
          lazyHeader = null;
          goodBytes = end;
          continue;
        }
        const line = bytes.toString('utf8');
        if (line.trim() === '') {
          goodBytes = end;
          continue;
        }
        try {
          const record = JSON.parse(line) as Batch & { lazy?: LazyMessagesHeader };
          state.apply(record);
          if (record.lazy && isSnapshot) lazyHeader = record.lazy;
          goodBytes = end;
        } catch {
          torn = line;
        }
      }
    if (lazyHeader)
      throw new Error(`${path}: ends before the messages of ticket ${lazyHeader.ticket_id}; refusing to start (inspect the file).`);
    if (torn !== null) {
      if (!isLast) throw new Error(`${path}: last line is corrupt but a newer journal exists; refusing to start.`);
      logger.warn(
        { path, line: lineNo, bytes: Buffer.byteLength(torn) },
        'journal: ignoring a torn last line (crash during write); it was never acknowledged',
      );
      await truncate(path, goodBytes);
    }
  }

  async function listGenerations(): Promise<{ snapshots: number[]; journals: number[] }> {
    const names = await readdir(dataDir);
    const pick = (prefix: string) =>
      names
        .map((n) => new RegExp(`^${prefix}-(\\d{${GEN_WIDTH}})\\.jsonl$`).exec(n))
        .filter((m): m is RegExpExecArray => m !== null)
        .map((m) => Number(m[1]))
        .sort((a, b) => a - b);
    return { snapshots: pick('snapshot'), journals: pick('journal') };
  }

  async function fsyncDir(): Promise<void> {
    const handle = await open(dataDir, 'r');
    try {
      await handle.sync();
    } catch {
      // Some file systems refuse fsync on directories; the rename is still atomic.
    } finally {
      await handle.close();
    }
  }

  async function writeSnapshot(gen: number, snapshot: { tickets: SnapshotEntry[]; rest: Batch[] }): Promise<void> {
    const tmp = join(dataDir, `${genName('snapshot', gen)}.tmp`);
    const handle = await open(tmp, 'w', 0o600);
    try {
      let chunk: string[] = [];
      let size = 0;
      const push = async (line: string) => {
        chunk.push(line, '\n');
        size += line.length + 1;
        if (size > 1 << 20) {
          await handle.write(chunk.join(''));
          chunk = [];
          size = 0;
        }
      };
      for (const entry of snapshot.tickets) {
        const raw = 'raw' in entry ? entry.raw.toString('utf8') : JSON.stringify(entry.messages);
        const header = 'raw' in entry ? entry.header : lazyHeaderOf(entry.ticket.ticket_id, entry.messages);
        await push(JSON.stringify({ tickets: [entry.ticket], lazy: header }));
        await push(raw);
      }
      for (const batch of snapshot.rest) await push(JSON.stringify(batch));
      await handle.write(chunk.join(''));
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(tmp, join(dataDir, genName('snapshot', gen)));
    await fsyncDir();
  }

  /** Rotate to a new journal, snapshot the state as of the rotation, then drop older files. */
  async function compactNow(): Promise<void> {
    const old = live();
    const nextGen = generation + 1;
    const next = await Journal.open(join(dataDir, genName('journal', nextGen)));
    await fsyncDir();
    // Synchronous from here to the swap: the snapshot holds exactly what precedes the new journal.
    const snapshot = state.snapshot();
    journal = next;
    generation = nextGen;
    await old.close();
    await writeSnapshot(nextGen, snapshot);
    const { snapshots, journals } = await listGenerations();
    for (const g of snapshots) if (g < nextGen) await rm(join(dataDir, genName('snapshot', g)), { force: true });
    for (const g of journals) if (g < nextGen) await rm(join(dataDir, genName('journal', g)), { force: true });
    logger.info({ generation: nextGen, tickets: state.tickets.size }, 'journal compacted into a snapshot');
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
        state = new MemoryState();
        const { snapshots, journals } = await listGenerations();
        const snapGen = snapshots.length ? snapshots[snapshots.length - 1] : 0;
        if (snapGen) await replayFile(join(dataDir, genName('snapshot', snapGen)), false, true);
        const toReplay = journals.filter((g) => g >= snapGen);
        for (const [i, g] of toReplay.entries()) await replayFile(join(dataDir, genName('journal', g)), i === toReplay.length - 1);
        generation = toReplay.length ? toReplay[toReplay.length - 1] : Math.max(snapGen, 1);
        journal = await Journal.open(join(dataDir, genName('journal', generation)));
        await fsyncDir();
        for (const name of await readdir(dataDir)) if (name.endsWith('.tmp')) await rm(join(dataDir, name), { force: true });
        logger.info({ dataDir, tickets: state.tickets.size, generation }, 'json store loaded');
      } catch (error) {
        await lock.release();
        lock = null;
        throw error;
      }
    },

    async close(): Promise<void> {
      if (compacting) await compacting.catch(() => undefined);
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

    compact: () => compacting ?? compactNow(),
    stats: () => ({ tickets: state.tickets.size, journalBytes: journal?.size ?? 0, generation }),
  } satisfies TicketStore & Record<string, unknown>;
  return store;
}
