// `freeda agents:*` in a child process on a temp DATA_DIR, then the server accepts the printed one-time password.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { startApp } from '../helpers/app.js';
import { tempDir } from '../helpers/tmp.js';
import { login } from './helpers.js';

function freeda(dataDir: string, args: string[], input = '') {
  const out = spawnSync(process.execPath, ['--import', 'tsx', 'src/main.ts', ...args], {
    env: { ...process.env, DATA_DIR: dataDir, LOG_LEVEL: 'warn' },
    input,
    encoding: 'utf8',
  });
  return { code: out.status, stdout: out.stdout, stderr: out.stderr };
}

describe('freeda agents:*', () => {
  it('add (generated and stdin passwords), list, reset-password, disable; the server takes the printed password', async () => {
    const dir = await tempDir();
    try {
      assert.match(freeda(dir.path, ['agents:add', '--help']).stdout, /agents:add --email/);
      assert.equal(freeda(dir.path, ['agents:add', '--email', 'x@example.com', '--name', 'X', '--role', 'boss']).code, 2);
      const added = freeda(dir.path, ['agents:add', '--email', 'Root@Example.com', '--name', 'Rita Root', '--role', 'admin']);
      assert.equal(added.code, 0, added.stderr);
      const password = /one-time password[^:]*: (\S+)/.exec(added.stdout)?.[1];
      assert.ok(password, added.stdout);
      assert.equal(
        freeda(dir.path, ['agents:add', '--email', 'root@example.com', '--name', 'Dup', '--role', 'agent']).code,
        1,
        'e-mail taken',
      );
      const piped = freeda(
        dir.path,
        ['agents:add', '--email', 'ana@example.com', '--name', 'Ana', '--role', 'analyst', '--password-stdin'],
        'piped password 123\n',
      );
      assert.equal(piped.code, 0, piped.stderr);
      assert.doesNotMatch(piped.stdout, /one-time/);
      const list = freeda(dir.path, ['agents:list']).stdout;
      assert.match(list, /root@example\.com\tRita Root\tadmin\tactive/);
      assert.match(list, /ana@example\.com\tAna\tanalyst\tactive/);

      const t = await startApp({ dataDir: dir.path, env: { ENABLE_CHATBOT: 'false', ENABLE_AUTO_ANALYTICS: 'false' } });
      assert.equal((await login(t.url, 'root@example.com', password)).status, 200);
      assert.equal((await login(t.url, 'ana@example.com', 'piped password 123')).status, 200);
      await t.app.stop();

      const reset = freeda(dir.path, ['agents:reset-password', '--email', 'ana@example.com']);
      assert.equal(reset.code, 0, reset.stderr);
      const fresh = /one-time password[^:]*: (\S+)/.exec(reset.stdout)?.[1];
      assert.equal(freeda(dir.path, ['agents:disable', '--email', 'root@example.com']).code, 0);
      assert.match(freeda(dir.path, ['agents:list']).stdout, /root@example\.com\tRita Root\tadmin\tdisabled/);
      const again = await startApp({ dataDir: dir.path, env: { ENABLE_CHATBOT: 'false', ENABLE_AUTO_ANALYTICS: 'false' } });
      assert.equal((await login(again.url, 'ana@example.com', 'piped password 123')).status, 401, 'old password gone');
      assert.equal((await login(again.url, 'ana@example.com', fresh)).status, 200);
      assert.equal((await login(again.url, 'root@example.com', password)).status, 401, 'disabled');
      await again.app.stop();
    } finally {
      await dir.remove();
    }
  });
});
