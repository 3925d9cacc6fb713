// `migrate --follow`: after the first copy, keep the target up to date with the source while it serves.
// json: tail the journal from the copy's high-water offset, applying each complete line (one atomic batch) in order;
//   a compaction's rotation is followed to the next journal once the old one is quiescent (the new one has data). If
//   the next journal is already gone (two compactions while we were away), everything is copied again (upserts).
// DynamoDB: each round scans the tickets' keys and updated_at and re-copies every ticket whose updated_at moved
//   (a delivery update of a message does not touch its ticket: the final round at cut-over re-copies everything);
//   canned replies, contact profiles and generic records are read whole each round and the changed ones copied
//   (their digest differs from the one last written). Leases are never copied: transient, held by the old instances.
import { open, stat, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import type { Message } from '../../domain/types.js';
import { batchRecord, describeIssues } from '../json/records.js';
import { genName } from '../json/replay.js';
import type { Batch } from '../json/state.js';
import { readCanned, readMessages, readProfiles, readRecords, readTickets, ticketKeys } from './dynamo-source.js';
import { canonicalJson, sha256 } from './format.js';
import type { JsonReadPoint } from './json-source.js';
import type { TableOps } from '../dynamodb/ops.js';
import type { ImportTarget } from './target.js';

export interface FollowStatus {
  batches: number;
  tickets: number;
  messages: number;
  /** json: bytes of the journal not applied yet; DynamoDB: tickets changed but not copied yet. */
  behind: number;
  /** Newest change applied (ISO), to show the lag. */
  last_change_at: string | null;
}

export interface Follower {
  /** Apply everything the source has now; resolves with the running totals. */
  poll(): Promise<FollowStatus>;
  close(): Promise<void>;
}

/** A poll returns after about this many batches, so progress and the stop request are seen during a long catch-up. */
const BATCHES_PER_POLL = 200;

const newer = (a: string | null, b: string | null | undefined): string | null => (!b ? a : !a || b > a ? b : a);

/** Applies one batch of source records to the target (upserts), remembering each ticket's channel. */
export async function applyBatch(batch: Batch, target: ImportTarget, channels: Map<string, string>, status: FollowStatus): Promise<void> {
  const messages = batch.messages ?? [];
  const withTicket = new Set<string>();
  const dedup = async (channel: string, m: Message) => {
    if (m.external_id)
      await target.putDedup({ channel, external_id: m.external_id, ticket_id: m.ticket_id, message_id: m.message_id }, 'upsert');
  };
  for (const ticket of batch.tickets ?? []) {
    channels.set(ticket.ticket_id, ticket.channel);
    const own = messages.filter((m) => m.ticket_id === ticket.ticket_id);
    for (const m of own) withTicket.add(m.message_id);
    await target.putTicket(ticket, own, 'upsert');
    for (const m of own) await dedup(ticket.channel, m);
    status.tickets++;
    status.last_change_at = newer(status.last_change_at, ticket.updated_at);
  }
  for (const m of messages) {
    status.messages++;
    status.last_change_at = newer(status.last_change_at, m.delivery?.updated_at ?? m.created_at);
    if (withTicket.has(m.message_id)) continue;
    const channel = channels.get(m.ticket_id);
    if (!channel) throw new Error(`follow: message ${m.message_id} of unknown ticket ${m.ticket_id}`);
    await target.putMessage(channel, m, 'upsert');
    await dedup(channel, m);
  }
  for (const c of batch.contacts ?? []) await target.putContact(c, 'upsert');
  for (const p of batch.provider_ids ?? []) await target.putProviderId(p, 'upsert');
  // Workspace and generic records (an agent created, a token issued, a login's refresh rotation, an audit entry…).
  for (const reply of batch.canned_replies ?? []) await target.putCannedReply(reply, 'upsert');
  for (const profile of batch.contact_profiles ?? []) await target.putContactProfile(profile, 'upsert');
  for (const record of batch.records ?? []) {
    await target.putRecord(record, 'upsert');
    status.last_change_at = newer(status.last_change_at, record.updated_at);
  }
  status.batches++;
}

export function jsonFollower(options: {
  dataDir: string;
  from: JsonReadPoint;
  target: ImportTarget;
  channels: Map<string, string>;
  /** Everything again from a fresh read (the journal we were reading is gone). Returns the new point. */
  recopy(): Promise<JsonReadPoint>;
}): Follower {
  const { dataDir, target, channels } = options;
  const status: FollowStatus = { batches: 0, tickets: 0, messages: 0, behind: 0, last_change_at: null };
  let point: JsonReadPoint = { generation: options.from.generation, offset: options.from.offset };
  let handle: FileHandle | null = options.from.handle ?? null;
  let carry = Buffer.alloc(0);

  const pathOf = (gen: number) => join(dataDir, genName('journal', gen));
  const sizeOf = (gen: number) =>
    stat(pathOf(gen)).then(
      (s) => s.size,
      () => null,
    );

  async function openCurrent(): Promise<boolean> {
    if (handle) return true;
    try {
      handle = await open(pathOf(point.generation), 'r');
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      return false;
    }
  }

  /** Applies the complete lines from the offset on, up to the current end or about `budget` batches. */
  async function drain(budget = Infinity): Promise<void> {
    const h = handle!;
    const stopAt = status.batches + budget;
    while (status.batches < stopAt) {
      const buffer = Buffer.allocUnsafe(1 << 20);
      const { bytesRead } = await h.read(buffer, 0, buffer.length, point.offset + carry.length);
      if (bytesRead === 0) return;
      const data = Buffer.concat([carry, buffer.subarray(0, bytesRead)]);
      let start = 0;
      for (let nl = data.indexOf(10); nl >= 0; nl = data.indexOf(10, start)) {
        const line = data.subarray(start, nl).toString('utf8');
        if (line.trim()) {
          const parsed = batchRecord.safeParse(JSON.parse(line));
          if (!parsed.success)
            throw new Error(`follow: ${pathOf(point.generation)} at byte ${point.offset + start}: ${describeIssues(parsed.error)}`);
          await applyBatch(parsed.data, target, channels, status);
        }
        start = nl + 1;
      }
      point = { ...point, offset: point.offset + start };
      carry = Buffer.from(data.subarray(start)); // a line still being written
    }
  }

  return {
    async poll() {
      for (;;) {
        if (!(await openCurrent())) {
          const next = await options.recopy();
          point = { generation: next.generation, offset: next.offset };
          handle = next.handle ?? null;
          carry = Buffer.alloc(0);
          continue;
        }
        await drain(BATCHES_PER_POLL);
        const size = (await sizeOf(point.generation)) ?? point.offset;
        if (point.offset + carry.length < size) {
          // More to apply: report progress first (the caller polls again at once).
          status.behind = Math.max(0, size - point.offset);
          return { ...status };
        }
        const nextSize = await sizeOf(point.generation + 1);
        if (nextSize !== null && nextSize > 0) {
          // The server writes to the next journal now: the current one is quiescent, drain it to its end and move on.
          await drain();
          await handle!.close();
          handle = null;
          point = { generation: point.generation + 1, offset: 0 };
          carry = Buffer.alloc(0);
          continue;
        }
        status.behind = Math.max(0, size - point.offset);
        return { ...status };
      }
    },
    async close() {
      await handle?.close();
      handle = null;
    },
  };
}

/**
 * `seen`: ticket id → updated_at copied; `written`: the digests applyRecords keeps (`cr <id>`, `cp <id>`, `r <kind> <key>`
 * of the whole backup record), so an item the first copy wrote is not written again until it changes.
 */
export function dynamoFollower(options: {
  ops: TableOps;
  target: ImportTarget;
  seen: Map<string, string>;
  written: Map<string, string>;
}): Follower {
  const { ops, target, seen, written } = options;
  const changed = (key: string, value: unknown): boolean => {
    const digest = sha256(canonicalJson(value));
    if (written.get(key) === digest) return false;
    written.set(key, digest);
    return true;
  };
  async function copySide(status: FollowStatus): Promise<void> {
    const [canned, profiles, records] = await Promise.all([readCanned(ops), readProfiles(ops), readRecords(ops)]);
    const count = () => {
      status.batches++;
    };
    for (const reply of canned)
      if (changed(`cr ${reply.canned_id}`, { kind: 'canned_reply', canned_reply: reply })) {
        await target.putCannedReply(reply, 'upsert');
        count();
      }
    for (const profile of profiles)
      if (changed(`cp ${profile.contact_id}`, { kind: 'contact_profile', profile })) {
        await target.putContactProfile(profile, 'upsert');
        count();
      }
    for (const record of records)
      if (changed(`r ${record.kind} ${record.key}`, { kind: 'record', record })) {
        await target.putRecord(record, 'upsert');
        status.last_change_at = newer(status.last_change_at, record.updated_at);
        count();
      }
  }
  const status: FollowStatus = { batches: 0, tickets: 0, messages: 0, behind: 0, last_change_at: null };
  return {
    async poll() {
      const changed = (await ticketKeys(ops)).filter((k) => seen.get(k.ticket_id) !== k.updated_at);
      status.behind = changed.length;
      for (let i = 0; i < changed.length; i += 100) {
        for (const ticket of await readTickets(
          ops,
          changed.slice(i, i + 100).map((k) => k.ticket_id),
        )) {
          const messages = await readMessages(ops, ticket.ticket_id);
          await applyBatch({ tickets: [ticket], messages }, target, new Map(), status);
          seen.set(ticket.ticket_id, ticket.updated_at);
          status.behind--;
        }
      }
      await copySide(status);
      return { ...status };
    },
    close: () => Promise.resolve(),
  };
}
