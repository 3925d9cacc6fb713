// Compaction: past JOURNAL_COMPACT_BYTES, rotate to a new journal between two group commits, snapshot the state as
// of the rotation, then drop older files. A failure at any step loses nothing (the journals still hold every record,
// replayed in order), cleans up what it created, and is retried later with backoff.
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { LoggerLike } from '../../domain/channel.js';
import { type DurableFile, fsyncDir, type OpenFile } from '../files.js';
import { Journal } from './journal.js';
import { genName, listDataFiles } from './replay.js';
import { writeSnapshot } from './snapshot.js';
import type { MemoryState } from './state.js';

export interface CompactorDeps {
  dataDir: string;
  logger: LoggerLike;
  open: OpenFile;
  retryMs: { min: number; max: number };
  /** The open journal (throws the store's refusal when writes fail). */
  journal(): Journal;
  state(): MemoryState;
  generation: { get(): number; set(gen: number): void };
}

export interface Compactor {
  /** Compact now (the one running, if any); rejects when it failed (a retry is scheduled). */
  run(): Promise<void>;
  /** Compact in the background unless one is running or a retry is pending. */
  maybeStart(): void;
  stop(): Promise<void>;
}

export function createCompactor(deps: CompactorDeps): Compactor {
  const { dataDir, logger, open } = deps;
  let running: Promise<void> | null = null;
  let retryTimer: NodeJS.Timeout | null = null;
  let delay = deps.retryMs.min;
  let stopped = false;

  async function compactNow(): Promise<void> {
    const journal = deps.journal();
    const nextGen = deps.generation.get() + 1;
    const nextPath = join(dataDir, genName('journal', nextGen));
    let next: DurableFile | null = await Journal.openNext(nextPath, open);
    try {
      await fsyncDir(dataDir, open);
      const snapshot = await journal.rotate(next, nextPath, () => {
        deps.generation.set(nextGen);
        return deps.state().snapshot();
      });
      next = null; // the journal writes to it now
      await writeSnapshot(dataDir, nextGen, snapshot, open);
    } finally {
      if (next) {
        await next.close().catch(() => undefined);
        await rm(nextPath, { force: true });
      }
    }
    const { snapshots, journals } = await listDataFiles(dataDir);
    for (const g of snapshots) if (g < nextGen) await rm(join(dataDir, genName('snapshot', g)), { force: true });
    for (const g of journals) if (g < nextGen) await rm(join(dataDir, genName('journal', g)), { force: true });
    logger.info({ generation: nextGen, tickets: deps.state().tickets.size }, 'journal compacted into a snapshot');
  }

  function retryLater(): void {
    if (stopped) return;
    retryTimer = setTimeout(() => {
      retryTimer = null;
      run().catch(() => undefined);
    }, delay);
    retryTimer.unref();
    delay = Math.min(delay * 2, deps.retryMs.max);
  }

  function run(): Promise<void> {
    running ??= compactNow()
      .then(
        () => {
          delay = deps.retryMs.min;
        },
        (error: Error) => {
          logger.warn(
            { dataDir, generation: deps.generation.get(), err: error.message, retry_in_ms: delay },
            'journal compaction failed: nothing lost (the journals still hold every record), still serving; retrying later',
          );
          retryLater();
          throw error;
        },
      )
      .finally(() => {
        running = null;
      });
    return running;
  }

  return {
    run,
    maybeStart() {
      if (!running && !retryTimer && !stopped) run().catch(() => undefined);
    },
    async stop() {
      stopped = true;
      if (retryTimer) clearTimeout(retryTimer);
      retryTimer = null;
      await running?.catch(() => undefined);
    },
  };
}
