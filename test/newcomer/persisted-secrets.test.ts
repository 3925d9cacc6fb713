// Issue #14 item 3: without API_TOKENS / WEBCHAT_SECRET, the generated API token and web-chat key are kept in DATA_DIR
// (mode 0600) and reused on restart; a visitor token the server cannot verify gets `token_refused` (the page starts clean).
import assert from 'node:assert/strict';
import { readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { persistedSecret } from '../../src/auth/persisted-secret.js';
import { startApp } from '../helpers/app.js';
import { tempDir } from '../helpers/tmp.js';
import { connectWs } from '../helpers/ws-client.js';

const mode = async (path: string) => (await stat(path)).mode & 0o777;
const wsUrl = (url: string) => url.replace(/^http/, 'ws') + '/ws';

async function visitorHello(url: string, token?: string) {
  const ws = await connectWs(wsUrl(url));
  ws.send({ type: 'hello', visitor_token: token });
  const welcome = await ws.next((f) => f.type === 'welcome');
  return { ws, welcome };
}

test('generated API token and web-chat key survive a restart (files 0600); a refused visitor token is announced', async () => {
  const dir = await tempDir('freeda-secrets-');
  let t = await startApp({ dataDir: dir.path, env: { API_TOKENS: '', ENABLE_CHATBOT: 'false', ENABLE_AUTO_ANALYTICS: 'false' } });
  try {
    const tokenFile = join(dir.path, '.api-token');
    const keyFile = join(dir.path, '.webchat-secret');
    const apiToken = (await readFile(tokenFile, 'utf8')).trim();
    assert.ok(apiToken.length >= 32);
    assert.equal(await mode(tokenFile), 0o600);
    assert.equal(await mode(keyFile), 0o600);
    const auth = { authorization: `Bearer ${apiToken}` };
    assert.equal((await fetch(`${t.url}/tickets`, { headers: auth })).status, 200);

    const first = await visitorHello(t.url);
    assert.equal(first.welcome.token_refused, false);
    first.ws.send({ type: 'message', client_id: 'c1', text: 'Bonjour, ma box ne marche plus' });
    const ack = await first.ws.next((f) => f.type === 'message.ack');
    const visitorToken = first.welcome.visitor_token!;
    await first.ws.close();

    t = await t.restart();
    assert.equal((await readFile(tokenFile, 'utf8')).trim(), apiToken);
    assert.equal((await fetch(`${t.url}/tickets`, { headers: auth })).status, 200, 'the token of the first run still works');
    assert.equal(await mode(tokenFile), 0o600);
    const back = await visitorHello(t.url, visitorToken);
    assert.equal(back.welcome.resumed, true);
    assert.equal(back.welcome.token_refused, false);
    assert.equal(back.welcome.ticket_id, ack.ticket_id, 'the visitor continues the same ticket');
    await back.ws.close();

    // The key changes (file removed: a new one is generated): the old token is refused, and said so.
    await rm(keyFile);
    t = await t.restart();
    const refused = await visitorHello(t.url, visitorToken);
    assert.equal(refused.welcome.token_refused, true);
    assert.equal(refused.welcome.resumed, false);
    assert.equal(refused.welcome.ticket_id, null);
    assert.notEqual(refused.welcome.visitor_token, visitorToken);
    await refused.ws.close();
  } finally {
    await t.stop();
    await dir.remove();
  }
});

test('persistedSecret: reads back, narrows a loose mode to 0600, replaces an empty file', async () => {
  const dir = await tempDir('freeda-secrets-');
  try {
    const created = persistedSecret(dir.path, '.k');
    assert.equal(created.created, true);
    const again = persistedSecret(dir.path, '.k');
    assert.deepEqual([again.value, again.created], [created.value, false]);
    const { chmod, writeFile } = await import('node:fs/promises');
    await chmod(created.path, 0o644);
    persistedSecret(dir.path, '.k');
    assert.equal(await mode(created.path), 0o600);
    await writeFile(created.path, '');
    const replaced = persistedSecret(dir.path, '.k');
    assert.equal(replaced.created, true);
    assert.notEqual(replaced.value, created.value);
  } finally {
    await dir.remove();
  }
});
