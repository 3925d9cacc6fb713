// Fallback when a tmpfs cannot be mounted (not root): a file layer for the store's `open` option that behaves like a
// file system of `limitBytes` holding everything under `root` (the ballast included): a write that does not fit
// writes what fits and returns that short count, the next one fails with ENOSPC. Deleting files frees space.
import { open as nodeOpen, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { DurableFile, OpenFile } from '../../src/storage/files.js';

async function usage(dir: string): Promise<number> {
  let total = 0;
  for (const entry of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) total += await usage(path);
    else
      total += await stat(path).then(
        (s) => s.size,
        () => 0,
      );
  }
  return total;
}

export function quotaFs(root: string, limitBytes: number): OpenFile {
  return async (path, flags, mode) => {
    const handle = await nodeOpen(path, flags, mode);
    const file: DurableFile = {
      async write(buffer, offset, length, position) {
        const { size } = await handle.stat();
        const at = position ?? size;
        const room = limitBytes - (await usage(root));
        const fits = Math.max(0, Math.min(length, size + room - at));
        if (fits === 0 && length > 0) throw Object.assign(new Error('ENOSPC: no space left on device (quota layer)'), { code: 'ENOSPC' });
        return handle.write(buffer, offset, fits, position);
      },
      datasync: () => handle.datasync(),
      sync: () => handle.sync(),
      truncate: (length) => handle.truncate(length),
      stat: () => handle.stat(),
      close: () => handle.close(),
    };
    return file;
  };
}
