// The real server as its own process (`src/main.ts serve`, the registry's adapters, pino logs on stdout), for tests
// and the chaos run that kill it, fill its disk or restart it. Resolves once it logged "freeda listening".
import { type ChildServer, spawnUntil } from '../helpers/child.js';

export const PROCESS_API_TOKEN = 'test-api-token';

export interface FreedaProcess extends ChildServer {
  port: number;
  /** The base URL the server believes providers call (what Twilio signatures are computed on). */
  publicUrl: string;
  /** Everything it logged so far (stdout + stderr). */
  logs(): string;
}

/** `entry`: the server's main module (a test entry that injects a file layer may stand in for src/main.ts). */
export async function startFreeda(env: Record<string, string>, entry = 'src/main.ts'): Promise<FreedaProcess> {
  const child = await spawnUntil(
    [entry, 'serve'],
    // LOG_LEVEL stays info: the port is read from the "freeda listening" line.
    { ...process.env, PORT: '0', API_TOKENS: PROCESS_API_TOKEN, ...env, LOG_LEVEL: 'info' },
    (out) => {
      const line = out.split('\n').find((l) => l.includes('"msg":"freeda listening"'));
      return line ? (JSON.parse(line) as { port: number }).port : null;
    },
  );
  const port = child.found;
  return {
    proc: child.proc,
    port,
    url: `http://127.0.0.1:${port}`,
    publicUrl: `http://localhost:${port}`,
    stderr: child.stderr,
    logs: child.output,
  };
}
