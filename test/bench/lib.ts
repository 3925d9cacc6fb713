// Bench plumbing: child processes with IPC (each server runs in its own process), percentiles, formatting.
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const BENCH_TOKEN = 'bench-api-token';
export const BENCH_TWILIO_TOKEN = 'bench-twilio-auth-token-0123456789';
/** The URL Twilio would call; the app verifies signatures against it (PUBLIC_BASE_URL). */
export const BENCH_PUBLIC_BASE_URL = 'http://bench.freeda.invalid';

export interface Child {
  process: ChildProcess;
  /** Next IPC message of this type. */
  next<T = Record<string, unknown>>(type: string, timeoutMs?: number): Promise<T>;
  send(message: Record<string, unknown>): void;
  /** Ask to stop, kill after a grace period. */
  stop(): Promise<void>;
}

/** Run a test/bench/*.ts file in its own Node process (tsx), with IPC. */
export function startChild(file: string, args: string[] = [], options: { gc?: boolean; heapMb?: number } = {}): Child {
  const execArgv = ['--import', 'tsx'];
  if (options.gc) execArgv.push('--expose-gc');
  if (options.heapMb) execArgv.push(`--max-old-space-size=${options.heapMb}`);
  const child = fork(fileURLToPath(new URL(file, import.meta.url)), args, { execArgv, stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  const queue: Record<string, unknown>[] = [];
  const waiters: { type: string; resolve(m: Record<string, unknown>): void; reject(e: Error): void }[] = [];
  child.on('message', (message: Record<string, unknown>) => {
    const at = waiters.findIndex((w) => w.type === message.type);
    if (at >= 0) waiters.splice(at, 1)[0].resolve(message);
    else queue.push(message);
  });
  child.on('exit', (code) => {
    for (const w of waiters.splice(0)) w.reject(new Error(`${file} exited (${code}) while waiting for ${w.type}`));
  });
  return {
    process: child,
    next<T>(type: string, timeoutMs = 600_000): Promise<T> {
      const at = queue.findIndex((m) => m.type === type);
      if (at >= 0) return Promise.resolve(queue.splice(at, 1)[0] as T);
      if (child.exitCode !== null) return Promise.reject(new Error(`${file} already exited (${child.exitCode})`));
      return new Promise<T>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`${file}: no ${type} within ${timeoutMs} ms`)), timeoutMs);
        waiters.push({
          type,
          resolve: (m) => {
            clearTimeout(timer);
            resolve(m as T);
          },
          reject: (e) => {
            clearTimeout(timer);
            reject(e);
          },
        });
      });
    },
    send(message) {
      if (child.connected) child.send(message);
    },
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      if (child.connected) child.send({ type: 'stop' });
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Inside a child: send to the parent. */
export function report(message: Record<string, unknown>): void {
  process.send?.(message);
}

/** Inside a child: resolve on the parent's message of this type. */
export function onParent<T = Record<string, unknown>>(type: string): Promise<T> {
  return new Promise((resolve) => {
    const listener = (message: Record<string, unknown>) => {
      if (message?.type !== type) return;
      process.off('message', listener);
      resolve(message as T);
    };
    process.on('message', listener);
  });
}

export function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return NaN;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index];
}

export const mb = (bytes: number) => Math.round(bytes / 1024 / 1024);
export const fixed = (n: number, digits = 1) => (Number.isFinite(n) ? n.toFixed(digits) : 'n/a');
export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
