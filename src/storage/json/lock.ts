// One process per DATA_DIR: a lock file holding the owner's pid, taken over only when that process is gone.
import { readFile, unlink, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { resolve } from 'node:path';

export class DataDirLockedError extends Error {
  constructor(dir: string, owner: string) {
    super(`DATA_DIR ${dir} is already in use by another Freeda process (${owner}); stop it or use another DATA_DIR.`);
    this.name = 'DataDirLockedError';
  }
}

export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Directories this process holds, so a second store in the same process is refused too. */
const heldHere = new Set<string>();

export interface DirLock {
  release(): Promise<void>;
  /** Set when a lock left by a dead process was taken over. */
  staleOwner: string | null;
}

export async function acquireDirLock(dir: string): Promise<DirLock> {
  const path = resolve(dir, 'LOCK');
  if (heldHere.has(path)) throw new DataDirLockedError(dir, `this process, pid ${process.pid}`);
  const owner = { pid: process.pid, host: hostname(), since: new Date().toISOString() };
  let staleOwner: string | null = null;
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      await writeFile(path, JSON.stringify(owner), { flag: 'wx', mode: 0o600 });
      heldHere.add(path);
      return {
        staleOwner,
        release: async () => {
          heldHere.delete(path);
          await unlink(path).catch(() => undefined);
        },
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const text = await readFile(path, 'utf8').catch(() => '');
    let held: { pid?: number; host?: string } = {};
    try {
      held = JSON.parse(text) as typeof held;
    } catch {
      // Unreadable lock (crash while writing it): treat as stale.
    }
    const sameHost = held.host === undefined || held.host === owner.host;
    if (typeof held.pid === 'number' && held.pid !== process.pid && sameHost && processAlive(held.pid)) {
      throw new DataDirLockedError(dir, `pid ${held.pid}`);
    }
    if (!sameHost) throw new DataDirLockedError(dir, `pid ${held.pid} on host ${held.host}`);
    staleOwner = text || '(empty lock file)';
    await unlink(path).catch(() => undefined);
  }
  throw new DataDirLockedError(dir, 'lock contention');
}
