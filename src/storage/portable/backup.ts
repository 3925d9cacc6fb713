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
  canonicalJson,
  parseHeader,
  parseLine,
  RecordDigest,
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
  blobs: number;
}

const emptyCounts = (): BackupCounts => ({ tickets: 0, messages: 0, contacts: 0, provider_ids: 0, dedup: 0, blobs: 0 });

function count(counts: BackupCounts, record: BackupRecord): void {
  if (record.kind === 'ticket') counts.tickets++;
  else if (record.kind === 'message') counts.messages++;
  else if (record.kind === 'contact') counts.contacts++;
  else if (record.kind === 'provider_id') counts.provider_ids++;
  else if (record.kind === 'dedup') counts.dedup++;
  else counts.blobs++;
}

export const describeCounts = (c: BackupCounts): string =>
  `${c.tickets} tickets, ${c.messages} messages, ${c.contacts} contacts, ${c.dedup} dedup keys, ${c.provider_ids} provider ids, ${c.blobs} attachments`;

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
 * Write every record of a checked backup into the target. A ticket is written with all its messages at once (they
 * follow it in the file). `create`: items already there are skipped (a resumed restore), counted as `skipped`.
 */
export async function applyBackup(
  path: string,
  target: ImportTarget,
  options: { mode: WriteMode; progress?: Progress; every?: number },
): Promise<{ written: number; skipped: number }> {
  let pending: { ticket: Ticket; messages: Message[] } | null = null;
  let written = 0;
  let skipped = 0;
  let tickets = 0;
  const every = options.every ?? 1000;
  const flush = async () => {
    if (!pending) return;
    const ok = await target.putTicket(pending.ticket, pending.messages, options.mode);
    if (ok) written++;
    else skipped++;
    pending = null;
    if (++tickets % every === 0) options.progress?.(`restore: ${tickets} tickets (${written} written, ${skipped} already there)…`);
  };
  let lineNo = 0;
  for await (const line of lines(path)) {
    if (++lineNo === 1) continue;
    const record = parseLine(line, lineNo);
    if (record.kind === 'message') {
      if (!pending || (pending as { ticket: Ticket }).ticket.ticket_id !== record.message.ticket_id)
        throw new BackupFormatError(lineNo, `message ${record.message.message_id} does not follow its ticket`);
      (pending as { messages: Message[] }).messages.push(record.message);
      continue;
    }
    if (record.kind === 'dedup') continue; // written once its ticket is (below)
    await flush();
    switch (record.kind) {
      case 'ticket':
        pending = { ticket: record.ticket, messages: [] };
        break;
      case 'contact':
        await target.putContact(record.contact, options.mode);
        break;
      case 'provider_id':
        await target.putProviderId(record, options.mode);
        break;
      case 'blob':
        await target.putBlob(record.key, Buffer.from(record.data, 'base64'));
        break;
      case 'end':
        break;
    }
  }
  await flush();
  // Dedup keys last: each names a message that is stored by now (DynamoDB reads it for the intent's kind).
  lineNo = 0;
  for await (const line of lines(path)) {
    if (++lineNo === 1) continue;
    const record = parseLine(line, lineNo);
    if (record.kind === 'dedup') await target.putDedup(record, options.mode);
  }
  return { written, skipped };
}
