// Start-up of the json store: the newest snapshot + the journals from its generation on, every line validated.
// A torn last line of the last journal (a crash mid-write: never acknowledged) is cut; any other bad line stops
// the start, naming the file and line.
import { truncate } from 'node:fs/promises';
import { join } from 'node:path';
import type { LoggerLike } from '../../domain/channel.js';
import { genName, type LineProblem, listDataFiles, orphanMessage, replayPlan, scanFile } from './replay.js';
import { type Batch, MemoryState } from './state.js';

/** A line start-up cannot use. */
export class CorruptStoreError extends Error {
  constructor(readonly problem: LineProblem) {
    super(
      `${problem.file}:${problem.line}: ${problem.reason}. Refusing to start; nothing was changed ` +
        '(`freeda store:check` lists every problem; restore the file from a backup or repair that line).',
    );
    this.name = 'CorruptStoreError';
  }
}

/** The state on disk and the generation of the journal to append to. */
export async function loadDataDir(dataDir: string, logger: LoggerLike): Promise<{ state: MemoryState; generation: number }> {
  const state = new MemoryState();
  const plan = replayPlan(await listDataFiles(dataDir));
  const problem = (p: LineProblem) => {
    throw new CorruptStoreError(p);
  };
  const batch = (b: Batch) => {
    const orphan = orphanMessage(b, (id) => state.tickets.has(id));
    if (orphan) throw new Error(orphan);
    state.apply(b);
  };
  if (plan.snapshot) {
    await scanFile(
      join(dataDir, genName('snapshot', plan.snapshot)),
      { kind: 'snapshot' },
      {
        batch,
        problem,
        lazy: (b, header, raw) => {
          state.apply(b);
          state.applyLazy(header, raw);
        },
      },
    );
  }
  for (const [i, gen] of plan.journals.entries()) {
    const path = join(dataDir, genName('journal', gen));
    const { tornTail } = await scanFile(path, { kind: 'journal' }, { batch, problem, lazy: () => undefined });
    if (!tornTail) continue;
    if (i < plan.journals.length - 1)
      problem({ file: path, line: tornTail.line, reason: 'last line is not valid JSON but a newer journal exists' });
    logger.warn(
      { path, line: tornTail.line, bytes: tornTail.bytes },
      'journal: ignoring a torn last line (crash during write); it was never acknowledged',
    );
    await truncate(path, tornTail.goodBytes);
  }
  const generation = plan.journals.length ? plan.journals[plan.journals.length - 1] : Math.max(plan.snapshot, 1);
  return { state, generation };
}
