// Issue #14 item 6: every `freeda simulate <kind>` exits non-zero when the server does not take the inbound (the real CLI
// process against a real server): email with the wrong secret (403), Twilio kinds with the wrong auth token (403), chat
// refused, and any kind when nothing listens; exit 0 when it is taken.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { after, before, test } from 'node:test';
import { startApp, type TestApp } from '../helpers/app.js';

let t: TestApp;
before(async () => {
  t = await startApp({
    env: {
      TWILIO_AUTH_TOKEN: 'server-twilio',
      INBOUND_EMAIL_SECRET: 'server-secret',
      ENABLE_CHATBOT: 'false',
      ENABLE_AUTO_ANALYTICS: 'false',
    },
  });
});
after(() => t.stop());

async function simulate(args: string[], env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  const proc = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', 'simulate', ...args], {
    env: { ...process.env, API_TOKENS: t.token, LOG_LEVEL: 'silent', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  proc.stdout.on('data', (d) => (output += d));
  proc.stderr.on('data', (d) => (output += d));
  const [code] = (await once(proc, 'exit')) as [number | null];
  return { code, output };
}

test('email answered 403 (wrong INBOUND_EMAIL_SECRET): exit 1 with the reason; the right secret: exit 0', async () => {
  const refused = await simulate(['email', 'Bonjour', '--url', t.url], { INBOUND_EMAIL_SECRET: 'wrong' });
  assert.equal(refused.code, 1, refused.output);
  assert.match(refused.output, /403/);
  assert.match(refused.output, /INBOUND_EMAIL_SECRET/);
  const taken = await simulate(['email', 'Bonjour', '--url', t.url, '--wait', '0'], { INBOUND_EMAIL_SECRET: 'server-secret' });
  assert.equal(taken.code, 0, taken.output);
});

test('sms, whatsapp and voice answered 403 (wrong TWILIO_AUTH_TOKEN): exit 1', async () => {
  for (const kind of ['sms', 'whatsapp', 'voice']) {
    const refused = await simulate([kind, 'Bonjour', '--url', t.url], { TWILIO_AUTH_TOKEN: 'wrong' });
    assert.equal(refused.code, 1, `${kind}: ${refused.output}`);
    assert.match(refused.output, /403/, kind);
  }
});

test('every kind exits 1 when no server answers; a refused chat frame exits 1', async () => {
  for (const kind of ['sms', 'whatsapp', 'voice', 'email', 'chat']) {
    const down = await simulate([kind, 'Bonjour', '--url', 'http://127.0.0.1:9'], { TWILIO_AUTH_TOKEN: 'x', INBOUND_EMAIL_SECRET: 'x' });
    assert.equal(down.code, 1, `${kind}: ${down.output}`);
    assert.match(down.output, new RegExp(`freeda simulate ${kind}: `), kind);
  }
  const tooLong = await simulate(['chat', 'x'.repeat(5000), '--url', t.url], {});
  assert.equal(tooLong.code, 1, tooLong.output);
});
