// Issue #14 items 4 and 5: `npm start` stops cleanly when the npm process gets SIGTERM (port and data lock freed); a port
// in use is one clear line and a non-zero exit, and no failed start leaves the data lock behind.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { access } from 'node:fs/promises';
import { createServer, connect } from 'node:net';
import { join } from 'node:path';
import { test } from 'node:test';
import { startMain } from '../helpers/main-process.js';
import { tempDir } from '../helpers/tmp.js';

const quiet = { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', API_TOKENS: 'lifecycle-token' };
const exists = (path: string) =>
  access(path).then(
    () => true,
    () => false,
  );
const portRefuses = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(true));
  });

test('SIGTERM to the npm process of `npm start` stops the server: port and LOCK freed', async () => {
  const dir = await tempDir('freeda-npm-start-');
  try {
    const server = await startMain({ env: { ...process.env, ...quiet, DATA_DIR: dir.path }, command: ['npm', 'start'] });
    assert.ok(await exists(join(dir.path, 'LOCK')));
    // server.proc is npm itself: the node server is its child.
    await server.stop('SIGTERM');
    // npm returned: the server it ran must be gone with it.
    let refused = false;
    for (let i = 0; i < 400 && !(refused = await portRefuses(server.port)); i++) await new Promise((r) => setTimeout(r, 50));
    assert.ok(refused, `port ${server.port} still answers after npm exited:\n${server.output()}`);
    for (let i = 0; i < 400 && (await exists(join(dir.path, 'LOCK'))); i++) await new Promise((r) => setTimeout(r, 50));
    assert.equal(await exists(join(dir.path, 'LOCK')), false, 'the data lock is released');
    assert.match(server.output(), /freeda stopped/);
  } finally {
    await dir.remove();
  }
});

test('port in use: one line "port N is in use: set PORT", exit code non-zero, the data lock released', async () => {
  const dir = await tempDir('freeda-port-');
  const blocker = createServer();
  blocker.listen(0);
  await once(blocker, 'listening');
  const port = (blocker.address() as { port: number }).port;
  try {
    const proc = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', 'serve'], {
      env: { ...process.env, ...quiet, PORT: String(port), DATA_DIR: dir.path, LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    proc.stderr.on('data', (d) => (stderr += d));
    const [code] = (await once(proc, 'exit')) as [number | null];
    assert.notEqual(code, 0);
    assert.notEqual(code, null);
    assert.match(stderr, new RegExp(`^freeda: port ${port} is in use: set PORT`, 'm'));
    assert.doesNotMatch(stderr, /EADDRINUSE|\n\s+at /, 'no stack trace, no bare errno');
    assert.equal(await exists(join(dir.path, 'LOCK')), false, 'the failed start released the data lock');
    // The next start (port free now) is a clean one: no "taking over" a stale lock.
    blocker.close();
    const next = await startMain({ env: { ...process.env, ...quiet, DATA_DIR: dir.path, PORT: String(port) } });
    assert.doesNotMatch(next.output(), /stale|took over|taking over/i);
    await next.stop();
  } finally {
    blocker.close();
    await dir.remove();
  }
});
