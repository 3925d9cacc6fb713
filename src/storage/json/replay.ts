// Reading DATA_DIR: which files make the state (newest snapshot + the journals from its generation on) and their
// lines, each checked against its schema. Shared by the store's start-up (which stops at the first problem) and
// `freeda store:check` (which lists them all and never writes).
import { open, readdir } from 'node:fs/promises';
import type { z } from 'zod';
import { batchRecord, describeIssues, messagesArray, snapshotTicketRecord } from './records.js';
import { isSealLine, readSeal, SealCheck } from './seal.js';
import type { Batch, LazyMessagesHeader } from './state.js';

const GEN_WIDTH = 8;
export const genName = (prefix: 'snapshot' | 'journal', gen: number) => `${prefix}-${String(gen).padStart(GEN_WIDTH, '0')}.jsonl`;

export interface DataFiles {
  snapshots: number[];
  journals: number[];
  /** Leftovers of an interrupted snapshot or blob write (`*.tmp`). */
  tmp: string[];
}

export async function listDataFiles(dataDir: string): Promise<DataFiles> {
  const names = await readdir(dataDir);
  const pick = (prefix: string) =>
    names
      .map((n) => new RegExp(`^${prefix}-(\\d{${GEN_WIDTH}})\\.jsonl$`).exec(n))
      .filter((m): m is RegExpExecArray => m !== null)
      .map((m) => Number(m[1]))
      .sort((a, b) => a - b);
  return { snapshots: pick('snapshot'), journals: pick('journal'), tmp: names.filter((n) => n.endsWith('.tmp')) };
}

/** The files start-up reads, in order: the newest snapshot (0 = none) and the journals from its generation on. */
export function replayPlan(files: DataFiles): { snapshot: number; journals: number[] } {
  const snapshot = files.snapshots.length ? files.snapshots[files.snapshots.length - 1] : 0;
  return { snapshot, journals: files.journals.filter((g) => g >= snapshot) };
}

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

export interface LineProblem {
  file: string;
  line: number;
  reason: string;
}

export interface ScanHandlers {
  /** A valid journal (or snapshot rest) line. Throwing marks the line as a problem (e.g. a message of an unknown ticket). */
  batch(batch: Batch): void;
  /** A snapshot ticket line and the raw JSON array of its messages (the next line), kept unparsed. */
  lazy(batch: Batch, header: LazyMessagesHeader, raw: Buffer): void;
  problem(problem: LineProblem): void;
}

export interface ScanOptions {
  kind: 'journal' | 'snapshot';
  /** Parse and check every message of a snapshot too (store:check); start-up checks only the array's brackets. */
  deep?: boolean;
}

export interface ScanResult {
  lines: number;
  /** The last line is not valid JSON (a write cut short by a crash): its line number and where the good bytes end. */
  tornTail: { line: number; goodBytes: number; bytes: number } | null;
  /** Byte offset just after the last complete line read (where a reader tailing the file goes on from). */
  endBytes: number;
}

/** Message ids of a batch whose ticket is neither in the batch nor known: the store never writes such a line. */
export function orphanMessage(batch: Batch, knownTicket: (ticketId: string) => boolean): string | null {
  for (const m of batch.messages ?? []) {
    if (!knownTicket(m.ticket_id) && !batch.tickets?.some((t) => t.ticket_id === m.ticket_id))
      return `message ${m.message_id} belongs to ticket ${m.ticket_id}, which no earlier line creates`;
  }
  return null;
}

const looksLikeArray = (raw: Buffer): boolean => {
  const text = raw.toString('latin1').trim();
  return text.startsWith('[') && text.endsWith(']');
};

/**
 * Every line of one file, validated; problems go to `handlers.problem`, the torn tail (if any) is returned. A sealed
 * snapshot (seal.ts) is checked by its digest instead of line by line, unless `deep`.
 */
export async function scanFile(path: string, options: ScanOptions, handlers: ScanHandlers): Promise<ScanResult> {
  const seal = options.kind === 'snapshot' ? await readSeal(path) : null;
  const sealCheck = seal ? new SealCheck(seal) : null;
  const validate = options.deep || !seal;
  let lineNo = 0;
  let goodBytes = 0;
  let sealedAt = 0;
  let unparsed: { line: number; bytes: number } | null = null;
  /** A snapshot ticket line: its messages are the next line (not applied when the ticket line was refused). */
  let lazy: { batch: Batch; header: LazyMessagesHeader; line: number; valid: boolean } | null = null;
  const problem = (line: number, reason: string) => handlers.problem({ file: path, line, reason });
  const attempt = (line: number, apply: () => void) => {
    try {
      apply();
    } catch (error) {
      problem(line, (error as Error).message);
    }
  };
  const checked = <T>(schema: z.ZodType<T>, value: unknown): boolean => {
    if (!validate) return true;
    const parsed = schema.safeParse(value);
    if (!parsed.success) problem(lineNo, describeIssues(parsed.error));
    return parsed.success;
  };
  for await (const chunk of jsonLineBatches(path))
    for (const { bytes, end } of chunk) {
      lineNo++;
      if (unparsed) {
        problem(unparsed.line, 'not valid JSON, and not the last line (a torn write is only possible at the end)');
        unparsed = null;
      }
      if (sealedAt) {
        problem(lineNo, `a line after the end of the snapshot (line ${sealedAt})`);
        continue;
      }
      if (lazy) {
        // Kept as UTF-8 bytes: smaller than a JS string and never decoded unless the ticket's messages are read.
        const { batch, header, line, valid } = lazy;
        lazy = null;
        sealCheck?.add(bytes);
        goodBytes = end;
        if (!valid) continue;
        const raw = Buffer.from(bytes);
        const reason = options.deep ? deepMessagesProblem(raw, header.ticket_id) : looksLikeArray(raw) ? null : 'not a JSON array';
        if (reason) problem(lineNo, `messages of ticket ${header.ticket_id} (announced on line ${line}): ${reason}`);
        else attempt(lineNo, () => handlers.lazy(batch, header, raw));
        continue;
      }
      const line = bytes.toString('utf8');
      let value: unknown;
      try {
        value = line.trim() === '' ? null : JSON.parse(line);
      } catch {
        sealCheck?.add(bytes);
        unparsed = { line: lineNo, bytes: bytes.length };
        continue;
      }
      goodBytes = end;
      if (options.kind === 'snapshot' && isSealLine(value)) {
        sealedAt = lineNo;
        const reason = sealCheck ? sealCheck.verdict() : 'end-of-snapshot line is malformed';
        if (reason) problem(lineNo, reason);
        continue;
      }
      sealCheck?.add(bytes);
      if (value === null) continue;
      const isLazy = options.kind === 'snapshot' && typeof value === 'object' && 'lazy' in value;
      if (isLazy) {
        const valid = checked(snapshotTicketRecord, value);
        lazy = { batch: value as Batch, header: (value as { lazy: LazyMessagesHeader }).lazy, line: lineNo, valid };
        continue;
      }
      if (checked(batchRecord, value)) attempt(lineNo, () => handlers.batch(value as Batch));
    }
  if (lazy) problem(lazy.line, `ends before the messages of ticket ${(lazy.header as LazyMessagesHeader | undefined)?.ticket_id}`);
  if (unparsed && options.kind === 'snapshot') {
    problem(unparsed.line, 'not valid JSON (snapshots are written whole, then renamed: this is damage, not a torn write)');
    unparsed = null;
  }
  if (seal && !sealedAt) problem(lineNo, 'the end-of-snapshot line is missing');
  return { lines: lineNo, tornTail: unparsed ? { line: unparsed.line, goodBytes, bytes: unparsed.bytes } : null, endBytes: goodBytes };
}

function deepMessagesProblem(raw: Buffer, ticketId: string): string | null {
  let value: unknown;
  try {
    value = JSON.parse(raw.toString('utf8'));
  } catch {
    return 'not valid JSON';
  }
  const parsed = messagesArray.safeParse(value);
  if (!parsed.success) return describeIssues(parsed.error);
  const stray = parsed.data.find((m) => m.ticket_id !== ticketId);
  return stray ? `message ${stray.message_id} names ticket ${stray.ticket_id}` : null;
}
