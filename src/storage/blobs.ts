// Attachment bytes, content-addressed (sha256), written durably before the message that refers to them is acked.
// Files under DATA_DIR/attachments for both storage types; several instances need a shared volume or an object store
// behind this port.
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, stat } from 'node:fs/promises';
import { join } from 'node:path';

export interface BlobStore {
  /** Store the bytes; resolves with their key once they are on disk. Idempotent. */
  put(bytes: Buffer): Promise<string>;
  get(key: string): Promise<Buffer | null>;
}

const KEY = /^sha256-[0-9a-f]{64}$/;

export function isBlobKey(key: string): boolean {
  return KEY.test(key);
}

export function createFileBlobStore(dir: string): BlobStore {
  let ready: Promise<unknown> | null = null;
  const pathOf = (key: string) => join(dir, key.slice(7, 9), key);
  return {
    async put(bytes) {
      const key = `sha256-${createHash('sha256').update(bytes).digest('hex')}`;
      const path = pathOf(key);
      ready ??= mkdir(dir, { recursive: true });
      await ready;
      if (
        await stat(path).then(
          () => true,
          () => false,
        )
      )
        return key;
      await mkdir(join(dir, key.slice(7, 9)), { recursive: true });
      const tmp = `${path}.${randomBytes(6).toString('hex')}.tmp`;
      const handle = await open(tmp, 'w', 0o600);
      try {
        await handle.write(bytes);
        await handle.sync();
      } finally {
        await handle.close();
      }
      await rename(tmp, path);
      const folder = await open(join(dir, key.slice(7, 9)), 'r');
      await folder.sync().catch(() => undefined);
      await folder.close();
      return key;
    },
    async get(key) {
      if (!isBlobKey(key)) return null;
      return readFile(pathOf(key)).catch(() => null);
    },
  };
}
