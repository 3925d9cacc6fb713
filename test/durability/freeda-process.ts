// The real server as its own process (`src/main.ts serve`, the registry's adapters, pino logs on stdout), for tests
// and the chaos run that kill it, fill its disk or restart it. Resolves once it logged "freeda listening".
import { spawn } from 'node:child_process';
import type { ChildServer } from '../helpers/child.js';

export const PROCESS_API_TOKEN = 'test-api-token';

export interface FreedaProcess extends ChildServer {
  port: number;
  /** The base URL the server believes providers call (what Twilio signatures are computed on). */
  publicUrl: string;
  /** Everything it logged so far (stdout + stderr). */
  logs(): string;
}

/** `entry`: the server's main module (a test entry that injects a file layer may stand in for src/main.ts). */
export function startFreeda(env: Record<string, string>, entry = 'src/main.ts'): Promise<FreedaProcess> {
  const proc = spawn(process.execPath, ['--import', 'tsx', entry, 'serve'], {
    // LOG_LEVEL stays info: the port is read from the "freeda listening" line.
    env: { ...process.env, PORT: '0', API_TOKENS: PROCESS_API_TOKEN, ...env, LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  proc.stderr.on('data', (d) => (err += d));
  return new Promise((resolve, reject) => {
    proc.stdout.on('data', (d) => {
      const before = out.length;
      out += d;
      if (before > 0 && /"msg":"freeda listening"/.test(out.slice(0, before))) return;
      const line = out.split('\n').find((l) => l.includes('"msg":"freeda listening"'));
      if (!line) return;
      const { port } = JSON.parse(line) as { port: number };
      resolve({
        proc,
        port,
        url: `http://127.0.0.1:${port}`,
        publicUrl: `http://localhost:${port}`,
        stderr: () => err,
        logs: () => out + err,
      });
    });
    proc.once('exit', (code) => reject(Object.assign(new Error(`server exited with ${code}: ${err}`), { code, stderr: err })));
  });
}
