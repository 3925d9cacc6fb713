// Writing a snapshot: to `<name>.tmp`, every byte written and fdatasync'd, ending with its seal (seal.ts: the
// sha256 of everything before it), then renamed into place. On any failure
// the .tmp is removed (it may be what filled the disk) and nothing else changes: the journals still hold the state.
import { rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { fsyncDir, type OpenFile, writeFully } from '../files.js';
import { genName } from './replay.js';
import { SealWriter } from './seal.js';
import { type Batch, lazyHeaderOf, type SnapshotEntry } from './state.js';

export interface SnapshotContent {
  tickets: SnapshotEntry[];
  rest: Batch[];
}

const CHUNK_BYTES = 1 << 20;

export async function writeSnapshot(dataDir: string, gen: number, snapshot: SnapshotContent, open: OpenFile): Promise<void> {
  const name = genName('snapshot', gen);
  const tmp = join(dataDir, `${name}.tmp`);
  try {
    const file = await open(tmp, 'w', 0o600);
    try {
      let chunk: string[] = [];
      let size = 0;
      let offset = 0;
      let lines = 0;
      const seal = new SealWriter();
      const flush = async () => {
        const bytes = Buffer.from(chunk.join(''));
        seal.add(bytes, lines);
        chunk = [];
        size = 0;
        lines = 0;
        await writeFully(file, bytes, offset);
        offset += bytes.length;
      };
      const push = async (line: string) => {
        chunk.push(line, '\n');
        size += line.length + 1;
        lines++;
        if (size > CHUNK_BYTES) await flush();
      };
      for (const entry of snapshot.tickets) {
        const raw = 'raw' in entry ? entry.raw.toString('utf8') : JSON.stringify(entry.messages);
        const header = 'raw' in entry ? entry.header : lazyHeaderOf(entry.ticket.ticket_id, entry.messages);
        await push(JSON.stringify({ tickets: [entry.ticket], lazy: header }));
        await push(raw);
      }
      for (const batch of snapshot.rest) await push(JSON.stringify(batch));
      await flush();
      const end = Buffer.from(seal.line());
      await writeFully(file, end, offset);
      await file.datasync();
    } finally {
      await file.close();
    }
    await rename(tmp, join(dataDir, name));
  } catch (error) {
    await rm(tmp, { force: true }).catch(() => undefined);
    throw error;
  }
  await fsyncDir(dataDir, open);
}
