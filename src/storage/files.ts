// Durable file writes shared by the json store and the blob store: every byte written (a short write is not an error
// in Node: `FileHandle.write` may write fewer bytes than asked), then fdatasync'd; write errors become typed 503s.
import { open } from 'node:fs/promises';
import { UnavailableError } from '../errors.js';

/** The part of a node FileHandle the stores use: narrow, so tests can wrap it (short writes, ENOSPC). */
export interface DurableFile {
  write(buffer: Uint8Array, offset: number, length: number, position: number | null): Promise<{ bytesWritten: number }>;
  datasync(): Promise<void>;
  sync(): Promise<void>;
  truncate(length: number): Promise<void>;
  stat(): Promise<{ size: number; nlink: number }>;
  close(): Promise<void>;
}

/** How the stores open files (node's `open` by default; tests inject a faulty layer through the real code path). */
export type OpenFile = (path: string, flags: string, mode?: number) => Promise<DurableFile>;

export const openFile: OpenFile = (path, flags, mode) => open(path, flags, mode);

/** Writes `bytes` at `position` (null: at the current end, for append-mode files), looping on partial writes. */
export async function writeFully(file: DurableFile, bytes: Uint8Array, position: number | null): Promise<void> {
  let written = 0;
  while (written < bytes.length) {
    const { bytesWritten } = await file.write(bytes, written, bytes.length - written, position === null ? null : position + written);
    // No progress and no error: a full device that does not say so. Never spin on it.
    if (bytesWritten <= 0) throw Object.assign(new Error(`short write: ${written} of ${bytes.length} bytes written`), { code: 'ENOSPC' });
    written += bytesWritten;
  }
}

/** fsync a directory so a rename/create in it is durable (some file systems refuse: the rename is still atomic). */
export async function fsyncDir(dir: string, open: OpenFile = openFile): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } catch {
    // EINVAL/EISDIR on file systems without directory fsync.
  } finally {
    await handle.close();
  }
}

const NO_SPACE = new Set(['ENOSPC', 'EDQUOT']);

export const errorCode = (error: unknown): string | undefined => (error as NodeJS.ErrnoException | null)?.code;

/** Seconds a provider is told to wait before retrying a write the store refused. */
export const STORAGE_RETRY_AFTER_S = 5;

/** Whether the error says the device or the quota is full. */
export const isNoSpace = (error: unknown): boolean => NO_SPACE.has(errorCode(error) ?? '');

/**
 * A write error as the 503 the client gets: `storage_full` when the device or quota is full, `storage_unavailable`
 * for any other I/O error. The request is not acknowledged; a retry after recovery is stored or answered as a duplicate.
 */
export function storageUnavailable(cause: unknown, retryAfterSeconds = STORAGE_RETRY_AFTER_S): UnavailableError {
  const full = isNoSpace(cause);
  const error = new UnavailableError(
    full ? 'storage_full' : 'storage_unavailable',
    full
      ? 'The server is out of disk space: this request was not acknowledged. Retry later.'
      : 'The server could not write to its disk: this request was not acknowledged. Retry later.',
    retryAfterSeconds,
  );
  return Object.assign(error, { cause });
}
