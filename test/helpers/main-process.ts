// The real entry point (`src/main.ts serve`, or any command line that ends up there: npm start, dist/main.js) in its own
// process, on port 0: resolves once its "freeda listening" log line says which port it took.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';

export interface MainProcess {
  proc: ChildProcess;
  url: string;
  port: number;
  /** Everything printed so far, both streams. */
  output(): string;
  /** Sends `signal` (default SIGTERM) and resolves with the exit code once it exited. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export const TSX_MAIN = [process.execPath, '--import', 'tsx', 'src/main.ts', 'serve'];

export interface MainOptions {
  env: Record<string, string | undefined>;
  /** The command line (default: node --import tsx src/main.ts serve). */
  command?: string[];
  cwd?: string;
  /** Extra spawn option, e.g. a process group for `npm start`. */
  detached?: boolean;
}

/** The port in a pino line `{"msg":"freeda listening","port":N}` of `out`, or null. */
export function listeningPort(out: string): number | null {
  for (const line of out.split('\n')) {
    if (!line.includes('"freeda listening"')) continue;
    try {
      const port = (JSON.parse(line) as { port?: unknown }).port;
      if (typeof port === 'number') return port;
    } catch {
      // a partial line: wait for the rest
    }
  }
  return null;
}

export function startMain(options: MainOptions): Promise<MainProcess> {
  const [file, ...args] = options.command ?? TSX_MAIN;
  const proc = spawn(file, args, {
    cwd: options.cwd,
    env: { PORT: '0', LOG_LEVEL: 'info', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: options.detached,
  });
  let out = '';
  const exited = once(proc, 'exit').then(() => proc.exitCode);
  const handle = (port: number): MainProcess => ({
    proc,
    port,
    url: `http://127.0.0.1:${port}`,
    output: () => out,
    async stop(signal = 'SIGTERM') {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill(signal);
      return exited;
    },
  });
  return new Promise((resolve, reject) => {
    let done = false;
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      const port = done ? null : listeningPort(out);
      if (port === null) return;
      done = true;
      resolve(handle(port));
    };
    proc.stdout.on('data', onData);
    proc.stderr.on('data', onData);
    proc.once('exit', (code) => {
      if (!done) reject(Object.assign(new Error(`${file} ${args.join(' ')} exited with ${code}:\n${out}`), { code, output: out }));
    });
  });
}
