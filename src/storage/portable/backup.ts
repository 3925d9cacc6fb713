// `freeda backup` / `freeda restore` over the port: a source streamed to JSON lines (format.ts), and a file checked
// in full (header, every line, the trailer's count and digest) before anything is written to the target.
import { once } from 'node:events';
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Message, Ticket } from '../../domain/types.js';
import type { BlobStore } from '../blobs.js';
import {
  BACKUP_FORMAT,
  BACKUP_VERSION,
  BackupFormatError,
  type BackupHeader,
  type BackupRecord,
  type BackupTrailer,
  type DedupKey,
  canonicalJson,
  parseHeader,
  parseLine,
  RecordDigest,
  sha256,
} from './format.js';
import { canonicalRecords, type ExportSource } from './source.js';
import type { ImportTarget, WriteMode } from './target.js';

export interface Progress {
  (line: string): void;
}

export interface BackupCounts {
  tickets: number;
  messages: number;
  contacts: number;
  provider_ids: number;
  dedup: number;
  canned_replies: number;
  contact_profiles: number;
  /** Generic records per record kind (agent, agent_email, refresh_token, session, api_token, audit, key…). */
  records: Record<string, number>;
  blobs: number;
}

const emptyCounts = (): BackupCounts => ({
  tickets: 0,
  messages: 0,
  contacts: 0,
  provider_ids: 0,
  dedup: 0,
  canned_replies: 0,
  contact_profiles: 0,
  records: {},
  blobs: 0,
});

function count(counts: BackupCounts, record: BackupRecord): void {
  if (record.kind === 'ticket') counts.tickets++;
  else if (record.kind === 'message') counts.messages++;
  else if (record.kind === 'contact') counts.contacts++;
  else if (record.kind === 'provider_id') counts.provider_ids++;
  else if (record.kind === 'dedup') counts.dedup++;
  else if (record.kind === 'canned_reply') counts.canned_replies++;
  else if (record.kind === 'contact_profile') counts.contact_profiles++;
  else if (record.kind === 'record') counts.records[record.record.kind] = (counts.records[record.record.kind] ?? 0) + 1;
  else counts.blobs++;
}

export const describeCounts = (c: BackupCounts): string => {
  const kinds = Object.keys(c.records).sort();
  const records = kinds.length ? kinds.map((k) => `${c.records[k]} ${k}`).join(', ') : 'none';
  return (
    `${c.tickets} tickets, ${c.messages} messages, ${c.contacts} contacts, ${c.dedup} dedup keys, ${c.provider_ids} provider ids, ` +
    `${c.canned_replies} canned replies, ${c.contact_profiles} contact profiles, records: ${records}, ${c.blobs} attachments`
  );
};

async function write(out: NodeJS.WritableStream, text: string): Promise<void> {
  if (!out.write(text)) await once(out, 'drain');
}

/** Header, every record, trailer; progress every `every` tickets. */
export async function writeBackup(
  source: ExportSource,
  out: NodeJS.WritableStream,
  options: { blobs?: BlobStore | null; progress?: Progress; now?: () => Date; every?: number } = {},
): Promise<{ header: BackupHeader; trailer: BackupTrailer; counts: BackupCounts }> {
  const header: BackupHeader = {
    format: BACKUP_FORMAT,
    version: BACKUP_VERSION,
    source: source.kind,
    created_at: (options.now?.() ?? new Date()).toISOString(),
    high_water: source.highWater,
  };
  await write(out, JSON.stringify(header) + '\n');
  const digest = new RecordDigest();
  const counts = emptyCounts();
  const every = options.every ?? 1000;
  for await (const record of canonicalRecords(source, {
    blobs: options.blobs,
    onTicket: (n) => {
      if (n % every === 0) options.progress?.(`backup: ${n} tickets, ${counts.messages} messages…`);
    },
  })) {
    const line = canonicalJson(record);
    digest.add(line);
    count(counts, record);
    await write(out, line + '\n');
  }
  const trailer = digest.trailer();
  await write(out, JSON.stringify(trailer) + '\n');
  return { header, trailer, counts };
}

async function* lines(path: string): AsyncGenerator<string> {
  const rl = createInterface({ input: createReadStream(path, { encoding: 'utf8' }), crlfDelay: Infinity });
  yield* rl;
}

/** Reads the file once: header, every record valid, trailer present and matching. Throws BackupFormatError. */
export async function checkBackup(path: string): Promise<{ header: BackupHeader; trailer: BackupTrailer; counts: BackupCounts }> {
  let header: BackupHeader | null = null;
  let trailer: BackupTrailer | null = null;
  const digest = new RecordDigest();
  const counts = emptyCounts();
  let lineNo = 0;
  for await (const line of lines(path)) {
    lineNo++;
    if (lineNo === 1) {
      header = parseHeader(line);
      continue;
    }
    if (trailer) throw new BackupFormatError(lineNo, 'a line after the end line');
    const parsed = parseLine(line, lineNo);
    if (parsed.kind === 'end') trailer = parsed;
    else {
      digest.add(line);
      count(counts, parsed);
    }
  }
  if (!header) throw new BackupFormatError(1, 'empty file');
  if (!trailer) throw new BackupFormatError(lineNo, 'the end line is missing: the backup was cut short');
  const expected = digest.trailer();
  if (expected.records !== trailer.records || expected.sha256 !== trailer.sha256)
    throw new BackupFormatError(
      lineNo,
      `the records do not match the end line (${expected.records} read, ${trailer.records} announced, or a changed line)`,
    );
  return { header, trailer, counts };
}

/**
 * Write records in canonical order into the target. A ticket is written with all its messages at once (they follow
 * it), then its dedup keys (which name its messages). `create`: items already there are skipped (a resumed restore).
 */
export async function applyRecords(
  records: AsyncIterable<BackupRecord>,
  target: ImportTarget,
  options: {
    mode: WriteMode;
    progress?: Progress;
    every?: number;
    label?: string;
    /** Digest of each item as last written (migrate): an item with the same digest is not written again. */
    written?: Map<string, string>;
  },
): Promise<{ written: number; skipped: number; counts: BackupCounts }> {
  const seen = options.written;
  /** false when this exact item was written before (same digest). */
  const changed = (key: string, value: unknown): boolean => {
    if (!seen) return true;
    const digest = sha256(canonicalJson(value));
    if (seen.get(key) === digest) return false;
    seen.set(key, digest);
    return true;
  };
  let pending: { ticket: Ticket; messages: Message[]; dedup: DedupKey[] } | null = null;
  let written = 0;
  let skipped = 0;
  let tickets = 0;
  const counts = emptyCounts();
  const every = options.every ?? 1000;
  const flush = async (current: typeof pending) => {
    if (!current) return;
    if (!changed(`t ${current.ticket.ticket_id}`, current)) skipped++;
    else {
      if (await target.putTicket(current.ticket, current.messages, options.mode)) written++;
      else skipped++;
      for (const d of current.dedup) await target.putDedup(d, options.mode);
    }
    if (++tickets % every === 0)
      options.progress?.(`${options.label ?? 'restore'}: ${tickets} tickets (${written} written, ${skipped} already there)…`);
  };
  for await (const record of records) {
    count(counts, record);
    if (record.kind === 'message' || record.kind === 'dedup') {
      const ticketId = record.kind === 'message' ? record.message.ticket_id : record.ticket_id;
      if (!pending || pending.ticket.ticket_id !== ticketId)
        throw new Error(`${record.kind} of ticket ${ticketId} does not follow its ticket`);
      if (record.kind === 'message') pending.messages.push(record.message);
      else pending.dedup.push(record);
      continue;
    }
    await flush(pending);
    pending = null;
    switch (record.kind) {
      case 'ticket':
        pending = { ticket: record.ticket, messages: [], dedup: [] };
        break;
      case 'contact':
        if (changed(`c ${record.contact.channel} ${record.contact.address}`, record)) await target.putContact(record.contact, options.mode);
        break;
      case 'provider_id':
        if (changed(`p ${record.channel} ${record.provider_id}`, record)) await target.putProviderId(record, options.mode);
        break;
      case 'canned_reply':
        if (changed(`cr ${record.canned_reply.canned_id}`, record)) await target.putCannedReply(record.canned_reply, options.mode);
        break;
      case 'contact_profile':
        if (changed(`cp ${record.profile.contact_id}`, record)) await target.putContactProfile(record.profile, options.mode);
        break;
      case 'record':
        if (changed(`r ${record.record.kind} ${record.record.key}`, record)) await target.putRecord(record.record, options.mode);
        break;
      case 'blob':
        await target.putBlob(record.key, Buffer.from(record.data, 'base64'));
        break;
    }
  }
  await flush(pending);
  return { written, skipped, counts };
}

async function* fileRecords(path: string): AsyncGenerator<BackupRecord> {
  let lineNo = 0;
  for await (const line of lines(path)) {
    if (++lineNo === 1) continue;
    const record = parseLine(line, lineNo);
    if (record.kind !== 'end') yield record;
  }
}

/** Write every record of a checked backup into the target. */
export async function applyBackup(
  path: string,
  target: ImportTarget,
  options: { mode: WriteMode; progress?: Progress; every?: number },
): Promise<{ written: number; skipped: number }> {
  return applyRecords(fileRecords(path), target, options);
}
