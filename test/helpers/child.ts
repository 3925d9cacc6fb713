import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';

export interface ChildServer {
  proc: ChildProcess;
  url: string;
  stderr(): string;
}

/**
 * Spawn `node --import tsx <args>` with env; resolves once `ready` finds what it waits for in the stdout so far
 * (rejects with its stderr if it exits first). `output()` is everything it printed, both streams.
 */
export function spawnUntil<T>(
  args: string[],
  env: Record<string, string | undefined>,
  ready: (stdout: string) => T | null,
): Promise<{ proc: ChildProcess; found: T; stderr: () => string; output: () => string }> {
  const proc = spawn(process.execPath, ['--import', 'tsx', ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  let done = false;
  proc.stderr.on('data', (d) => (err += d));
  return new Promise((resolve, reject) => {
    proc.stdout.on('data', (d) => {
      out += d;
      const found = done ? null : ready(out);
      if (found === null) return;
      done = true;
      resolve({ proc, found, stderr: () => err, output: () => out + err });
    });
    proc.once('exit', (code) => reject(Object.assign(new Error(`server exited with ${code}: ${err}`), { code, stderr: err })));
  });
}

/** Spawn test/helpers/serve-child.ts with env; resolves once it prints READY (rejects with its stderr if it exits). */
export async function spawnServer(env: Record<string, string>): Promise<ChildServer> {
  const child = await spawnUntil(
    ['test/helpers/serve-child.ts'],
    { ...process.env, PORT: '0', LOG_LEVEL: 'warn', API_TOKENS: 'test-api-token', ...env },
    (out) => /READY (\S+)/.exec(out)?.[1] ?? null,
  );
  return { proc: child.proc, url: child.found, stderr: child.stderr };
}

export async function kill(child: ChildServer, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
  if (child.proc.exitCode !== null || child.proc.signalCode !== null) return;
  const exited = once(child.proc, 'exit');
  child.proc.kill(signal);
  await exited;
}
