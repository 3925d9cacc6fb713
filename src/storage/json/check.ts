// `freeda store:check`: verify a json DATA_DIR without starting the server. Read-only (no lock taken, nothing
// truncated or removed), so it also runs beside a live server. Reads what start-up reads, with the same line
// checks, plus every message of the snapshot and the attachment files the messages refer to.
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { isBlobKey } from '../blobs.js';
import { processAlive } from './lock.js';
import { genName, type LineProblem, listDataFiles, orphanMessage, replayPlan, scanFile } from './replay.js';
import type { Batch } from './state.js';

export interface CheckReport {
  dataDir: string;
  /** Files read, in replay order, with their line counts. */
  files: { name: string; lines: number }[];
  tickets: number;
  messages: number;
  /** Lines start-up would refuse (or data that is missing): the check fails. */
  problems: LineProblem[];
  /** Worth knowing, not a failure (a torn tail start-up repairs, leftovers, the lock). */
  notes: string[];
}

async function lockNote(dataDir: string): Promise<string | null> {
  const text = await readFile(join(dataDir, 'LOCK'), 'utf8').catch(() => null);
  if (text === null) return null;
  try {
    const { pid } = JSON.parse(text) as { pid?: number };
    if (typeof pid === 'number') {
      return processAlive(pid)
        ? `held by a running process (pid ${pid}): checked read-only beside it`
        : `LOCK left by pid ${pid}, which is gone`;
    }
  } catch {
    // reported below
  }
  return 'LOCK file is unreadable (it is taken over at the next start)';
}

export async function checkDataDir(dataDir: string): Promise<CheckReport> {
  const report: CheckReport = { dataDir, files: [], tickets: 0, messages: 0, problems: [], notes: [] };
  const listing = await listDataFiles(dataDir);
  const plan = replayPlan(listing);
  const tickets = new Set<string>();
  const messages = new Set<string>();
  const blobKeys = new Set<string>();
  const problem = (p: LineProblem) => void report.problems.push(p);
  const record = (batch: Batch) => {
    for (const t of batch.tickets ?? []) tickets.add(t.ticket_id);
    for (const m of batch.messages ?? []) {
      messages.add(m.message_id);
      for (const a of m.attachments) if (a.stored_key) blobKeys.add(a.stored_key);
    }
  };
  const batch = (b: Batch) => {
    const orphan = orphanMessage(b, (id) => tickets.has(id));
    if (orphan) throw new Error(orphan);
    record(b);
  };
  const lazy = (b: Batch, _header: unknown, raw: Buffer) =>
    record({ ...b, messages: JSON.parse(raw.toString('utf8')) as Batch['messages'] });

  if (plan.snapshot) {
    const name = genName('snapshot', plan.snapshot);
    const { lines } = await scanFile(join(dataDir, name), { kind: 'snapshot', deep: true }, { batch, lazy, problem });
    report.files.push({ name, lines });
  }
  for (const [i, gen] of plan.journals.entries()) {
    const name = genName('journal', gen);
    const { lines, tornTail } = await scanFile(join(dataDir, name), { kind: 'journal' }, { batch, lazy, problem });
    report.files.push({ name, lines });
    if (!tornTail) continue;
    if (i < plan.journals.length - 1)
      problem({ file: join(dataDir, name), line: tornTail.line, reason: 'last line is not valid JSON but a newer journal exists' });
    else
      report.notes.push(
        `${join(dataDir, name)}:${tornTail.line}: torn last line (${tornTail.bytes} bytes, a crash during a write, never acknowledged): the next start cuts it`,
      );
  }
  for (const gen of listing.journals)
    if (gen < plan.snapshot) report.notes.push(`${genName('journal', gen)} predates the snapshot: not read`);
  for (const gen of listing.snapshots) if (gen < plan.snapshot) report.notes.push(`${genName('snapshot', gen)} is older: not read`);
  for (const name of listing.tmp) report.notes.push(`${name}: leftover of an interrupted write, removed at the next start`);
  for (const key of blobKeys) {
    const path = join(dataDir, 'attachments', key.slice(7, 9), key);
    if (
      !isBlobKey(key) ||
      !(await stat(path).then(
        (s) => s.isFile(),
        () => false,
      ))
    )
      problem({ file: path, line: 0, reason: `attachment ${key} referred to by a message is missing` });
  }
  const lock = await lockNote(dataDir);
  if (lock) report.notes.push(lock);
  report.tickets = tickets.size;
  report.messages = messages.size;
  return report;
}
