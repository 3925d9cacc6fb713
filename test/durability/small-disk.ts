// A genuinely small file system for DATA_DIR: a tmpfs of `sizeBytes` (mount needs root; unmounted in remove()), or,
// where mounting is not permitted, a directory on the normal disk whose store writes go through the quota layer
// (quota-fs.ts) in a server entry that injects it. FREEDA_SMALL_DISK=quota forces the fallback.
import { execFile } from 'node:child_process';
import { mkdtemp, rm, statfs, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface SmallDisk {
  backend: 'tmpfs' | 'quota layer';
  /** Says which ran, for the test's diagnostics and the chaos table. */
  description: string;
  dataDir: string;
  /** The server entry and env that write DATA_DIR on this disk. */
  serverEntry: string;
  serverEnv: Record<string, string>;
  /** Fill the disk with a ballast file until about `leaveBytes` are free. */
  fill(leaveBytes: number): Promise<void>;
  /** Delete the ballast (an operator freeing space). */
  free(): Promise<void>;
  remove(): Promise<void>;
}

export async function smallDisk(sizeBytes: number, forceFallback = process.env.FREEDA_SMALL_DISK === 'quota'): Promise<SmallDisk> {
  const root = await mkdtemp(join(tmpdir(), 'freeda-small-disk-'));
  const dataDir = join(root, 'data');
  const ballast = join(root, 'ballast');
  let mounted = false;
  let why = 'forced by FREEDA_SMALL_DISK=quota';
  if (!forceFallback) {
    try {
      await run('mount', ['-t', 'tmpfs', '-o', `size=${sizeBytes},mode=0700`, 'freeda-small-disk', root]);
      mounted = true;
    } catch (error) {
      why = `mount -t tmpfs refused: ${((error as { stderr?: string }).stderr ?? (error as Error).message).trim()}`;
    }
  }
  const free = async () => {
    if (mounted) {
      const s = await statfs(root);
      return s.bavail * s.bsize;
    }
    const { stdout } = await run('du', ['-sb', root]);
    return sizeBytes - Number(stdout.split('\t')[0]);
  };
  return {
    backend: mounted ? 'tmpfs' : 'quota layer',
    description: mounted ? `tmpfs of ${sizeBytes} bytes mounted at ${root}` : `quota layer of ${sizeBytes} bytes over ${root} (${why})`,
    dataDir,
    serverEntry: mounted ? 'src/main.ts' : 'test/durability/quota-server.ts',
    serverEnv: mounted ? {} : { FREEDA_QUOTA_ROOT: root, FREEDA_QUOTA_BYTES: String(sizeBytes) },
    async fill(leaveBytes) {
      const size = Math.max(0, (await free()) - leaveBytes);
      await writeFile(ballast, Buffer.alloc(size));
    },
    async free() {
      await rm(ballast, { force: true });
    },
    async remove() {
      if (mounted) {
        for (let attempt = 0; ; attempt++) {
          try {
            await run('umount', [root]);
            break;
          } catch (error) {
            if (attempt >= 20) throw error;
            await new Promise((resolve) => setTimeout(resolve, 100));
          }
        }
      }
      await rm(root, { recursive: true, force: true });
    },
  };
}
