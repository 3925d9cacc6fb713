import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';

export interface ChildServer {
  proc: ChildProcess;
  url: string;
  stderr(): string;
}

/** Spawn test/helpers/serve-child.ts with env; resolves once it prints READY (rejects with its stderr if it exits). */
export function spawnServer(env: Record<string, string>): Promise<ChildServer> {
  const proc = spawn(process.execPath, ['--import', 'tsx', 'test/helpers/serve-child.ts'], {
    env: { ...process.env, PORT: '0', LOG_LEVEL: 'warn', API_TOKENS: 'test-api-token', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  proc.stderr.on('data', (d) => (err += d));
  return new Promise((resolve, reject) => {
    proc.stdout.on('data', (d) => {
      out += d;
      const match = /READY (\S+)/.exec(out);
      if (match) resolve({ proc, url: match[1], stderr: () => err });
    });
    proc.once('exit', (code) => reject(Object.assign(new Error(`server exited with ${code}: ${err}`), { code, stderr: err })));
  });
}

export async function kill(child: ChildServer, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
  if (child.proc.exitCode !== null || child.proc.signalCode !== null) return;
  const exited = once(child.proc, 'exit');
  child.proc.kill(signal);
  await exited;
}
