// A file layer for the stores' `open` option that wraps real node file handles: short writes, ENOSPC/EIO after a
// partial write, failing fdatasync/truncate. The bytes really go to disk (or not), so what a later start reads back
// is what the fault left behind.
import { open as nodeOpen } from 'node:fs/promises';
import type { DurableFile, OpenFile } from '../../src/storage/files.js';

export interface Faults {
  /** Every write call writes at most this many bytes and returns that count. */
  maxWriteBytes: number | null;
  /** Write calls write half of what they were given, then throw this errno code (ENOSPC, EDQUOT, EIO...). */
  writeError: string | null;
  datasyncError: string | null;
  truncateError: string | null;
  /** Which files the faults apply to (default: every file). */
  applies(path: string): boolean;
}

export interface FaultyFs {
  open: OpenFile;
  faults: Faults;
  /** Clear every fault (the disk works again). */
  heal(): void;
  /** Write calls made through the layer, and how many returned fewer bytes than asked. */
  stats: { writes: number; shortWrites: number; failedWrites: number };
}

const errno = (code: string, syscall: string): NodeJS.ErrnoException =>
  Object.assign(new Error(`${code}: injected fault, ${syscall}`), { code, syscall, errno: -1 });

export function faultyFs(initial: Partial<Faults> = {}): FaultyFs {
  const clean = (): Faults => ({ maxWriteBytes: null, writeError: null, datasyncError: null, truncateError: null, applies: () => true });
  const fs: FaultyFs = {
    faults: { ...clean(), ...initial },
    stats: { writes: 0, shortWrites: 0, failedWrites: 0 },
    heal() {
      fs.faults = clean();
    },
    async open(path, flags, mode) {
      const handle = await nodeOpen(path, flags, mode);
      const active = () => (fs.faults.applies(path) ? fs.faults : null);
      const file: DurableFile = {
        async write(buffer, offset, length, position) {
          fs.stats.writes++;
          const faults = active();
          if (faults?.writeError) {
            fs.stats.failedWrites++;
            const half = Math.floor(length / 2);
            if (half > 0) await handle.write(buffer, offset, half, position);
            throw errno(faults.writeError, 'write');
          }
          const allowed = faults?.maxWriteBytes ? Math.min(length, faults.maxWriteBytes) : length;
          const { bytesWritten } = await handle.write(buffer, offset, allowed, position);
          if (bytesWritten < length) fs.stats.shortWrites++;
          return { bytesWritten };
        },
        async datasync() {
          const code = active()?.datasyncError;
          if (code) throw errno(code, 'fdatasync');
          await handle.datasync();
        },
        async sync() {
          const code = active()?.datasyncError;
          if (code) throw errno(code, 'fsync');
          await handle.sync();
        },
        async truncate(length) {
          const code = active()?.truncateError;
          if (code) throw errno(code, 'ftruncate');
          await handle.truncate(length);
        },
        stat: () => handle.stat(),
        close: () => handle.close(),
      };
      return file;
    },
  };
  return fs;
}
