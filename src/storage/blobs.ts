// Attachment bytes, content-addressed (sha256), written durably before the message that refers to them is acked.
// Files under DATA_DIR/attachments for both storage types; several instances need a shared volume or an object store
// behind this port.
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { fsyncDir, openFile, type OpenFile, storageUnavailable, writeFully } from './files.js';

export interface BlobStore {
  /**
   * Store the bytes; resolves with their key once they are all on disk and fdatasync'd. Idempotent. A write error
   * (disk full, I/O) rejects with a 503 `storage_full` / `storage_unavailable` and leaves no partial file.
   */
  put(bytes: Buffer): Promise<string>;
  get(key: string): Promise<Buffer | null>;
}

const KEY = /^sha256-[0-9a-f]{64}$/;

export function isBlobKey(key: string): boolean {
  return KEY.test(key);
}

const exists = (path: string) =>
  stat(path).then(
    () => true,
    () => false,
  );

/** `open`: how files are opened for writing (tests inject short writes and ENOSPC; default node:fs). */
export function createFileBlobStore(dir: string, open: OpenFile = openFile): BlobStore {
  const pathOf = (key: string) => join(dir, key.slice(7, 9), key);
  return {
    async put(bytes) {
      const key = `sha256-${createHash('sha256').update(bytes).digest('hex')}`;
      const path = pathOf(key);
      if (await exists(path)) return key;
      const folder = join(dir, key.slice(7, 9));
      const tmp = `${path}.${randomBytes(6).toString('hex')}.tmp`;
      try {
        await mkdir(folder, { recursive: true });
        const file = await open(tmp, 'w', 0o600);
        try {
          await writeFully(file, bytes, 0);
          await file.datasync();
        } finally {
          await file.close();
        }
        await rename(tmp, path);
        await fsyncDir(folder, open);
      } catch (error) {
        // The partial file may be what fills the disk: never leave it behind.
        await rm(tmp, { force: true }).catch(() => undefined);
        throw storageUnavailable(error);
      }
      return key;
    },
    async get(key) {
      if (!isBlobKey(key)) return null;
      return readFile(pathOf(key)).catch(() => null);
    },
  };
}
