// `freeda backup [--out FILE] [--no-blobs]` and `freeda restore FILE`: the configured store (STORAGE_TYPE) to a
// portable JSON-lines file and back (format: src/storage/portable/format.ts). Progress and the summary go to stderr;
// without --out the backup itself goes to stdout.
import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { once } from 'node:events';
import { parseArgs } from 'node:util';
import type { LoggerLike } from '../domain/channel.js';
import { createFileBlobStore } from '../storage/blobs.js';
import { applyBackup, checkBackup, describeCounts, writeBackup } from '../storage/portable/backup.js';
import { BackupFormatError } from '../storage/portable/format.js';
import { describeLocation, openSource, openTarget, type StoreLocation } from '../storage/portable/open.js';

export interface TransferIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

export async function backupCommand(location: StoreLocation, args: string[], io: TransferIo): Promise<number> {
  const { values } = parseArgs({ args, options: { out: { type: 'string' }, 'no-blobs': { type: 'boolean', default: false } } });
  const say = (line: string) => io.stderr.write(line + '\n');
  const source = await openSource(location);
  const tmp = values.out ? `${values.out}.partial` : null;
  try {
    const out = tmp ? createWriteStream(tmp, { mode: 0o600 }) : io.stdout;
    const blobs = values['no-blobs'] ? null : createFileBlobStore(join(location.dataDir, 'attachments'));
    say(`backup: reading the ${describeLocation(location)} (high water ${source.highWater})`);
    const { counts, trailer } = await writeBackup(source, out, { blobs, progress: say });
    if (tmp && values.out) {
      const file = out as ReturnType<typeof createWriteStream>;
      file.end();
      await once(file, 'close');
      // Renamed only once complete: a backup cut short never has the final name.
      await rename(tmp, values.out);
    }
    say(
      `backup: done: ${describeCounts(counts)}; ${trailer.records} records, sha256 ${trailer.sha256}${values.out ? ` → ${values.out}` : ''}`,
    );
    return 0;
  } catch (error) {
    if (tmp) await rm(tmp, { force: true });
    throw error;
  } finally {
    await source.close();
  }
}

export async function restoreCommand(location: StoreLocation, args: string[], io: TransferIo, logger: LoggerLike): Promise<number> {
  const { positionals } = parseArgs({ args, allowPositionals: true, options: {} });
  const say = (line: string) => io.stderr.write(line + '\n');
  const file = positionals[0];
  if (!file) {
    say('usage: freeda restore FILE');
    return 2;
  }
  let checked: Awaited<ReturnType<typeof checkBackup>>;
  try {
    checked = await checkBackup(file);
  } catch (error) {
    if (error instanceof BackupFormatError || (error as NodeJS.ErrnoException).code === 'ENOENT') {
      say(`restore: ${file}: ${(error as Error).message}; nothing was written`);
      return 1;
    }
    throw error;
  }
  say(`restore: ${file}: a ${checked.header.source} backup of ${checked.header.created_at}: ${describeCounts(checked.counts)}`);
  const target = await openTarget(location, logger);
  try {
    const marker = await target.readMarker();
    const same = marker?.operation === 'restore' && marker.id === checked.trailer.sha256;
    if (same && marker.state === 'done') {
      say(`restore: this backup was already restored into the ${target.description}: nothing to do`);
      return 0;
    }
    if (!same && !(await target.isEmpty())) {
      say(
        `restore: refused: the ${target.description} is not empty${marker ? ` (it holds a ${marker.operation} ${marker.state} from ${marker.started_at})` : ''}. ` +
          'Restore only into an empty store (a new DATA_DIR, or a new table made with `freeda dynamodb:create-table`); ' +
          'a restore of the same file that was interrupted resumes on its own.',
      );
      return 1;
    }
    const now = () => new Date().toISOString();
    const started_at = same ? marker.started_at : now();
    if (same) say('restore: resuming an interrupted restore of this file: items already written are kept');
    await target.writeMarker({ operation: 'restore', id: checked.trailer.sha256, state: 'running', started_at, updated_at: now() });
    const { written, skipped } = await applyBackup(file, target, { mode: 'create', progress: say });
    await target.writeMarker({ operation: 'restore', id: checked.trailer.sha256, state: 'done', started_at, updated_at: now() });
    say(
      `restore: done into the ${target.description}: ${written} tickets written, ${skipped} already there; ${describeCounts(checked.counts)}`,
    );
    return 0;
  } finally {
    await target.close();
  }
}
