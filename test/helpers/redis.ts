// Redis for tests: the shared one at REDIS_URL (default redis://127.0.0.1:6379) with a key prefix per test, or an
// own `redis-server` on a free port (to stop and restart it). Without Redis the tests skip, unless REQUIRE_REDIS=1
// (CI), where a missing Redis fails them.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import type { TestContext } from 'node:test';
import { Redis } from 'ioredis';

export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const required = process.env.REQUIRE_REDIS === '1';

/** A fresh key prefix: tests running in parallel on one Redis never see each other's keys. */
export const testPrefix = () => `freeda-test:${randomBytes(6).toString('hex')}:`;

async function reachable(url: string): Promise<boolean> {
  const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: 1000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    return (await client.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}

/** The shared Redis, or skips the test (fails it with REQUIRE_REDIS=1). Returns null when skipped. */
export async function sharedRedis(t: TestContext): Promise<string | null> {
  if (await reachable(REDIS_URL)) return REDIS_URL;
  if (required) throw new Error(`REQUIRE_REDIS=1 but no Redis answers at ${REDIS_URL}`);
  t.skip(`no Redis at ${REDIS_URL}`);
  return null;
}

export interface OwnRedis {
  url: string;
  port: number;
  /** Kills the server (SIGKILL: its data is gone, nothing persisted). */
  kill(): Promise<void>;
  /** Starts it again on the same port (empty). */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

async function binaryExists(): Promise<boolean> {
  return new Promise((resolve) => {
    const child = spawn('redis-server', ['--version'], { stdio: 'ignore' });
    child.once('error', () => resolve(false));
    child.once('exit', (code) => resolve(code === 0));
  });
}

/** A `redis-server` of the test's own (no persistence), or skips when the binary is missing (fails with REQUIRE_REDIS=1). */
export async function ownRedis(t: TestContext): Promise<OwnRedis | null> {
  if (!(await binaryExists())) {
    if (required) throw new Error('REQUIRE_REDIS=1 but redis-server is not installed');
    t.skip('redis-server is not installed');
    return null;
  }
  const port = await freePort();
  const url = `redis://127.0.0.1:${port}`;
  let child: ChildProcess | null = null;
  const start = async () => {
    child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
      stdio: 'ignore',
    });
    for (let i = 0; i < 100 && !(await reachable(url)); i++) await new Promise((r) => setTimeout(r, 50));
  };
  const kill = async () => {
    const running = child;
    child = null;
    if (!running || running.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      running.once('exit', () => resolve());
      running.kill('SIGKILL');
    });
  };
  await start();
  return { url, port, kill, restart: start, stop: kill };
}

/** Deletes the test's keys from a shared Redis. */
export async function dropPrefix(url: string, prefix: string): Promise<void> {
  const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  client.on('error', () => undefined);
  try {
    await client.connect();
    const keys = await client.keys(`${prefix}*`);
    if (keys.length) await client.del(...keys);
  } catch {
    // Redis gone (a test that killed its own): nothing to clean.
  } finally {
    client.disconnect();
  }
}
