// Issue #12 item 9, through the real server: a binary web-chat frame is answered `binary_not_supported` (the connection
// stays usable), and base64url tokens have exactly one spelling (visitor tokens, pagination cursors).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { webchatModule } from '../../adapters/webchat/index.js';
import { decodeBase64url } from '../../src/domain/base64url.js';
import { startApp } from '../helpers/app.js';
import { connectVisitor, greet } from '../webchat/client.js';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** The same 32-byte MAC with the two unused low bits of its last character set: Node's decoder reads the same bytes. */
function nonCanonical(mac: string): string {
  const last = ALPHABET.indexOf(mac.at(-1)!);
  return mac.slice(0, -1) + ALPHABET[last | 1];
}

test('binary frame → binary_not_supported error frame, the socket stays open and usable', async (t) => {
  const app = await startApp({ modules: [webchatModule], env: { ENABLE_CHATBOT: 'false', ENABLE_AUTO_ANALYTICS: 'false' } });
  t.after(() => app.stop());
  const client = await connectVisitor(app.url);
  t.after(() => client.close());
  client.ws.send(Buffer.from('{"type":"ping"}'), { binary: true });
  const error = await client.next((f) => f.type === 'error');
  assert.equal(error.code, 'binary_not_supported');
  client.send({ type: 'ping' });
  assert.equal((await client.next()).type, 'pong');
});

test('visitor tokens are decoded strictly: an extra character, padding or non-canonical trailing bits → a new identity', async (t) => {
  const app = await startApp({
    modules: [webchatModule],
    env: { ENABLE_CHATBOT: 'false', ENABLE_AUTO_ANALYTICS: 'false', WEBCHAT_SECRET: 'strict-token-secret' },
  });
  t.after(() => app.stop());
  const first = await greet(app.url);
  await first.client.close();
  const token = first.welcome.visitor_token!;
  const [visitorId, mac] = token.split('.');
  assert.notEqual(nonCanonical(mac), mac, 'the forged spelling differs…');
  assert.deepEqual(Buffer.from(nonCanonical(mac), 'base64url'), Buffer.from(mac, 'base64url'), '…and reads the same to a lax decoder');

  const variants = {
    'character outside the alphabet': `${visitorId}.${mac}!`,
    'embedded character Node skips': `${visitorId}.${mac.slice(0, 10)}.${mac.slice(10)}`,
    padding: `${visitorId}.${mac}=`,
    'non-canonical trailing bits': `${visitorId}.${nonCanonical(mac)}`,
  };
  for (const [name, variant] of Object.entries(variants)) {
    const { client, welcome } = await greet(app.url, { visitor_token: variant });
    await client.close();
    assert.equal(welcome.resumed, false, name);
    assert.notEqual(welcome.visitor_token!.split('.')[0], visitorId, name);
  }
  const genuine = await greet(app.url, { visitor_token: token });
  await genuine.client.close();
  assert.equal(genuine.welcome.resumed, true);
});

test('pagination cursors are decoded strictly too (400 invalid_cursor for a lax spelling)', async (t) => {
  const app = await startApp({ modules: [webchatModule], env: { ENABLE_CHATBOT: 'false', ENABLE_AUTO_ANALYTICS: 'false' } });
  t.after(() => app.stop());
  for (const id of ['a', 'b']) {
    const { client } = await greet(app.url);
    client.send({ type: 'message', client_id: id, text: `Bonjour ${id}` });
    await client.next((f) => f.type === 'message.ack');
    await client.close();
  }
  const page = (await (await app.api('/tickets?limit=1')).json()) as { next_cursor: string };
  assert.ok(page.next_cursor && decodeBase64url(page.next_cursor));
  assert.equal((await app.api(`/tickets?limit=1&cursor=${page.next_cursor}`)).status, 200);
  for (const lax of [`${page.next_cursor}*`, `${page.next_cursor}==`, `${page.next_cursor.slice(0, 4)}.${page.next_cursor.slice(4)}`]) {
    const res = await app.api(`/tickets?limit=1&cursor=${encodeURIComponent(lax)}`);
    assert.equal(res.status, 400, lax);
    assert.equal(((await res.json()) as { error: { code: string } }).error.code, 'invalid_cursor');
  }
});

test('decodeBase64url: canonical only', () => {
  assert.deepEqual(decodeBase64url('AQID'), Buffer.from([1, 2, 3]));
  assert.deepEqual(decodeBase64url(''), Buffer.alloc(0));
  for (const bad of ['AQID=', 'AQ+D', 'AQ/D', 'A', 'AQ I', 'AR', 'AQJ']) assert.equal(decodeBase64url(bad), null, bad);
  assert.deepEqual(decodeBase64url('AQ'), Buffer.from([1]));
});
