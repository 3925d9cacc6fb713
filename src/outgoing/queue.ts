// The stored queue of outgoing webhook deliveries: one record per (event, URL), upserted at each state change, so a
// restart resumes every pending delivery with the same event id and body. JSON store: an fdatasync'd JSON-lines file
// in DATA_DIR (last line per id wins, compacted on open and when mostly dead lines). DynamoDB: ./dynamodb-queue.ts.
import { readFile, rename } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { type DurableFile, fsyncDir, openFile, writeFully } from '../storage/files.js';

export type OutgoingState = 'pending' | 'delivered' | 'dead';

export interface OutgoingDelivery {
  /** `<event id>@<url key>`: one delivery per event and receiver. */
  delivery_id: string;
  event_id: string;
  type: string;
  url: string;
  /** The exact JSON body POSTed, identical on every attempt (the signature covers it). */
  body: string;
  state: OutgoingState;
  attempts: number;
  next_attempt_at: string | null;
  last_error: string | null;
  created_at: string;
  updated_at: string;
}

export interface OutgoingQueueStore {
  /** Open and return the deliveries not delivered yet (pending and dead). */
  open(): Promise<OutgoingDelivery[]>;
  /** Durably record these states (a delivered one may be forgotten). Resolves once durable. */
  put(deliveries: OutgoingDelivery[]): Promise<void>;
  close(): Promise<void>;
}

export const OUTGOING_FILE = 'outgoing-webhooks.jsonl';

/** Fold JSON lines (last per id wins); a torn last line (crash mid-write) is skipped. */
export function foldLines(text: string): Map<string, OutgoingDelivery> {
  const live = new Map<string, OutgoingDelivery>();
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    let record: OutgoingDelivery;
    try {
      record = JSON.parse(line) as OutgoingDelivery;
    } catch {
      continue;
    }
    if (record.state === 'delivered') live.delete(record.delivery_id);
    else live.set(record.delivery_id, record);
  }
  return live;
}

export function createFileQueueStore(dataDir: string, compactAfterLines = 10_000): OutgoingQueueStore {
  const path = join(dataDir, OUTGOING_FILE);
  let file: DurableFile | null = null;
  let lines = 0;
  let liveCount = 0;
  let chain: Promise<void> = Promise.resolve();

  async function rewrite(records: OutgoingDelivery[]): Promise<void> {
    const tmp = `${path}.tmp`;
    const out = await openFile(tmp, 'w', 0o600);
    try {
      await writeFully(out, Buffer.from(records.map((r) => JSON.stringify(r) + '\n').join('')), 0);
      await out.datasync();
    } finally {
      await out.close();
    }
    await rename(tmp, path);
    await fsyncDir(dirname(path));
    lines = records.length;
  }

  return {
    async open() {
      let text = '';
      try {
        text = await readFile(path, 'utf8');
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      }
      const live = [...foldLines(text).values()];
      await rewrite(live); // compacted, and a torn tail is gone before we append after it
      liveCount = live.length;
      file = await openFile(path, 'a', 0o600);
      return live;
    },
    put(deliveries) {
      const run = chain.then(async () => {
        if (!file) throw new Error('outgoing webhook queue is not open');
        await writeFully(file, Buffer.from(deliveries.map((d) => JSON.stringify(d) + '\n').join('')), null);
        await file.datasync();
        lines += deliveries.length;
        for (const d of deliveries) liveCount += d.state === 'delivered' ? -1 : d.attempts === 0 ? 1 : 0;
      });
      chain = run.catch(() => undefined);
      return run.then(async () => {
        // Mostly superseded lines: start a fresh file with the live records only (read back from this one).
        if (lines > compactAfterLines && lines > 4 * Math.max(liveCount, 1)) {
          chain = chain.then(async () => {
            const live = [...foldLines(await readFile(path, 'utf8')).values()];
            await file?.close();
            await rewrite(live);
            liveCount = live.length;
            file = await openFile(path, 'a', 0o600);
          });
          await chain.catch(() => undefined);
        }
      });
    },
    async close() {
      await chain;
      await file?.close();
      file = null;
    },
  };
}
