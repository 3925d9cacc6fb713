// Export source over a json DATA_DIR, read-only: no lock taken, nothing truncated, so it runs beside a live server.
// Reads what start-up reads (newest snapshot, then the journals from its generation on) into memory: the state as of
// the last complete journal line read, which is the high-water mark (`journal-<gen>:<offset>`) `migrate --follow`
// tails from. A compaction removing a file mid-read makes it start over (the files are immutable otherwise).
import { open, type FileHandle } from 'node:fs/promises';
import type { Ticket } from '../../domain/types.js';
import { genName, listDataFiles, orphanMessage, replayPlan, scanFile } from '../json/replay.js';
import { type Batch, MemoryState } from '../json/state.js';
import type { ProviderIdRef } from './format.js';
import type { ExportSource } from './source.js';

export interface JsonReadPoint {
  generation: number;
  offset: number;
  /** The journal read last, still open: a compaction deleting it cannot take it from a follower. */
  handle?: FileHandle;
}

export class JsonDirReadError extends Error {}

/** The state of DATA_DIR as of the end of its newest journal, and that point. */
export async function readJsonDir(dataDir: string): Promise<{ state: MemoryState; point: JsonReadPoint }> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await readOnce(dataDir);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT' || attempt >= 5) throw error;
      // A compaction replaced the files under us: read the new ones.
    }
  }
}

async function readOnce(dataDir: string): Promise<{ state: MemoryState; point: JsonReadPoint }> {
  const state = new MemoryState();
  const plan = replayPlan(await listDataFiles(dataDir));
  const problem = (p: { file: string; line: number; reason: string }) => {
    throw new JsonDirReadError(`${p.file}:${p.line}: ${p.reason} (run \`freeda store:check\`)`);
  };
  const batch = (b: Batch) => {
    const orphan = orphanMessage(b, (id) => state.tickets.has(id));
    if (orphan) throw new Error(orphan);
    state.apply(b);
  };
  if (plan.snapshot)
    await scanFile(
      `${dataDir}/${genName('snapshot', plan.snapshot)}`,
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
  let point: JsonReadPoint = { generation: Math.max(plan.snapshot, 1), offset: 0 };
  for (const [i, gen] of plan.journals.entries()) {
    const path = `${dataDir}/${genName('journal', gen)}`;
    // The last journal stays open for a follower: a compaction deleting it then cannot take it away.
    const handle = i === plan.journals.length - 1 ? await open(path, 'r') : undefined;
    try {
      // A torn tail is a write in progress (or cut by a crash): never acknowledged, not copied; the follower re-reads it.
      const { endBytes } = await scanFile(path, { kind: 'journal' }, { batch, problem, lazy: () => undefined });
      point = { generation: gen, offset: endBytes, handle };
    } catch (error) {
      await handle?.close();
      throw error;
    }
  }
  return { state, point };
}

export const formatPoint = (p: JsonReadPoint): string => `${genName('journal', p.generation)}:${p.offset}`;

/** An export source over a state read by readJsonDir (also used by the journal follower for its catch-up reads). */
export function jsonStateSource(state: MemoryState, highWater: string): ExportSource {
  return {
    kind: 'json',
    highWater,
    // eslint-disable-next-line @typescript-eslint/require-await -- in memory behind the async port
    async *tickets(): AsyncIterable<Ticket> {
      yield* [...state.ticketOrder];
    },
    messages: (ticketId) => Promise.resolve([...state.messagesOf(ticketId)]),
    contacts: () => Promise.resolve([...state.contacts.values()]),
    providerIds: () => {
      const refs: ProviderIdRef[] = [];
      for (const [channel, provider_id, ref] of state.byProviderId.entries()) refs.push({ channel, provider_id, ...ref });
      return Promise.resolve(refs);
    },
    cannedReplies: () => Promise.resolve([...state.cannedReplies.values()]),
    contactProfiles: () => Promise.resolve([...state.contactProfiles.values()]),
    records: () => Promise.resolve(state.records.all()),
    close: () => Promise.resolve(),
  };
}

/** `keepJournalOpen`: leave `point.handle` open for a follower (which then owns it); otherwise it is closed now. */
export async function openJsonSource(
  dataDir: string,
  keepJournalOpen = false,
): Promise<ExportSource & { point: JsonReadPoint; state: MemoryState }> {
  const { state, point } = await readJsonDir(dataDir);
  if (!keepJournalOpen) {
    await point.handle?.close();
    delete point.handle;
  }
  return Object.assign(jsonStateSource(state, formatPoint(point)), { point, state });
}
