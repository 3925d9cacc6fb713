// Issue #12 item 6, through the real server: per client IP limits on web-chat connections and new tickets, the client IP
// read through TRUST_PROXY hops only, agents never limited.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { Socket } from 'node:net';
import { webchatModule } from '../../adapters/webchat/index.js';
import { limitKey } from '../../adapters/webchat/limits.js';
import { parseTrustProxy } from '../../src/config.js';
import { clientIpOf, compileTrust } from '../../src/net/client-ip.js';
import { startApp, TEST_TOKEN, type TestApp } from '../helpers/app.js';
import { storedMessages } from '../helpers/counts.js';
import { connectWs, type WsClient } from '../helpers/ws-client.js';

const ENV = { ENABLE_CHATBOT: 'false', ENABLE_AUTO_ANALYTICS: 'false', WEBCHAT_SECRET: 'limits-secret' };

function visitor(app: TestApp, forwardedFor?: string): Promise<WsClient> {
  return connectWs(app.url.replace(/^http/, 'ws') + '/ws', forwardedFor ? { 'x-forwarded-for': forwardedFor } : {});
}

/** Resolves with the close code once the server closed the socket. */
const closeCode = (client: WsClient) =>
  new Promise<number>((resolve) =>
    client.ws.readyState === client.ws.CLOSED ? resolve(-1) : client.ws.once('close', (code) => resolve(code)),
  );

async function hello(client: WsClient) {
  client.send({ type: 'hello' });
  return client.next((f) => f.type === 'welcome' || f.type === 'error');
}

test('connections per IP behind one trusted proxy: the next one gets rate_limited + 4029, others and agents pass, a closed one frees a slot', async (t) => {
  const app = await startApp({ modules: [webchatModule], env: { ...ENV, TRUST_PROXY: '1', WEBCHAT_MAX_CONNECTIONS_PER_IP: '3' } });
  t.after(() => app.stop());
  const open: WsClient[] = [];
  t.after(() => Promise.all(open.map((c) => c.close())));
  for (let i = 0; i < 3; i++) {
    const client = await visitor(app, '203.0.113.7');
    open.push(client);
    assert.equal((await hello(client)).type, 'welcome');
  }
  // A client prepending an address of its choice is still counted by the address our proxy appended.
  for (const header of ['203.0.113.7', '198.51.100.99, 203.0.113.7']) {
    const refused = await visitor(app, header);
    const code = closeCode(refused);
    const frame = await refused.next();
    assert.equal(frame.type, 'error');
    assert.equal(frame.code, 'rate_limited');
    assert.equal((frame as { retry_after?: number }).retry_after, 30);
    assert.equal(await code, 4029, header);
  }
  const other = await visitor(app, '203.0.113.8');
  open.push(other);
  assert.equal((await hello(other)).type, 'welcome', 'another client IP is not affected');
  for (let i = 0; i < 5; i++) {
    const agent = await connectWs(app.url.replace(/^http/, 'ws') + `/ws?token=${TEST_TOKEN}`, { 'x-forwarded-for': '203.0.113.7' });
    open.push(agent);
    assert.equal((await agent.next()).type, 'hello', 'agents are not limited');
  }
  await open.shift()!.close();
  let again: WsClient | null = null;
  for (let tries = 0; tries < 50 && !again; tries++) {
    const client = await visitor(app, '203.0.113.7');
    const first = await hello(client);
    if (first.type === 'welcome') again = client;
    else await client.close();
  }
  assert.ok(again, 'the closed connection gave its slot back');
  open.push(again);
});

test('new tickets per IP per hour: past the limit a new conversation is refused (nothing stored), an open one goes on', async (t) => {
  const app = await startApp({ modules: [webchatModule], env: { ...ENV, TRUST_PROXY: '1', WEBCHAT_MAX_NEW_TICKETS_PER_IP_PER_HOUR: '2' } });
  t.after(() => app.stop());
  const clients: WsClient[] = [];
  t.after(() => Promise.all(clients.map((c) => c.close())));
  const converse = async (text: string) => {
    const client = await visitor(app, '192.0.2.44');
    clients.push(client);
    await hello(client);
    client.send({ type: 'message', client_id: 'm1', text });
    return { client, reply: await client.next((f) => f.type === 'message.ack' || f.type === 'error') };
  };
  const first = await converse('Première demande');
  assert.equal(first.reply.type, 'message.ack');
  assert.equal((await converse('Deuxième demande')).reply.type, 'message.ack');
  const third = await converse('Troisième demande');
  assert.equal(third.reply.type, 'error');
  assert.equal(third.reply.code, 'rate_limited');
  assert.equal(third.reply.client_id, 'm1');
  const retryAfter = (third.reply as { retry_after?: number }).retry_after ?? 0;
  assert.ok(retryAfter > 3500 && retryAfter <= 3600, `retry_after ${retryAfter}`);
  // The refused visitor's connection stays usable; the first visitor's open conversation goes on.
  third.client.send({ type: 'ping' });
  assert.equal((await third.client.next()).type, 'pong');
  first.client.send({ type: 'message', client_id: 'm2', text: 'Précision sur ma première demande' });
  assert.equal((await first.client.next((f) => f.type === 'message.ack' || f.type === 'error')).type, 'message.ack');
  const texts = (await storedMessages(app.url)).map((m) => m.text).sort();
  assert.deepEqual(texts, ['Deuxième demande', 'Première demande', 'Précision sur ma première demande']);
  // Another network is not affected.
  const elsewhere = await visitor(app, '192.0.2.45');
  clients.push(elsewhere);
  await hello(elsewhere);
  elsewhere.send({ type: 'message', client_id: 'x', text: 'Bonjour' });
  assert.equal((await elsewhere.next((f) => f.type === 'message.ack' || f.type === 'error')).type, 'message.ack');
});

test('without TRUST_PROXY, X-Forwarded-For is ignored: every claimed address counts as the peer', async (t) => {
  const app = await startApp({ modules: [webchatModule], env: { ...ENV, WEBCHAT_MAX_CONNECTIONS_PER_IP: '2' } });
  t.after(() => app.stop());
  const a = await visitor(app, '203.0.113.1');
  const b = await visitor(app, '203.0.113.2');
  t.after(() => Promise.all([a.close(), b.close()]));
  assert.equal((await hello(a)).type, 'welcome');
  assert.equal((await hello(b)).type, 'welcome');
  const c = await visitor(app, '203.0.113.3');
  const code = closeCode(c);
  assert.equal((await c.next()).code, 'rate_limited');
  assert.equal(await code, 4029);
});

test('TRUST_PROXY parsing and the client IP function express and the hub share', () => {
  assert.equal(parseTrustProxy(undefined), false);
  assert.equal(parseTrustProxy('0'), false);
  assert.equal(parseTrustProxy('2'), 2);
  assert.deepEqual(parseTrustProxy('10.0.0.0/8, loopback'), ['10.0.0.0/8', 'loopback']);
  assert.match(String(parseTrustProxy('true')), /any client/);
  assert.match(String(parseTrustProxy('not-an-address')), /hop count/);
  const request = (peer: string, xff?: string) => {
    const socket = new Socket();
    Object.defineProperty(socket, 'remoteAddress', { value: peer });
    return { socket, headers: xff ? { 'x-forwarded-for': xff } : {} } as unknown as IncomingMessage;
  };
  const byList = clientIpOf(compileTrust(['10.0.0.0/8']));
  assert.equal(byList(request('10.1.2.3', '198.51.100.1, 203.0.113.9')), '203.0.113.9');
  assert.equal(byList(request('192.0.2.1', '203.0.113.9')), '192.0.2.1', 'a peer that is not a trusted proxy is the client');
  assert.equal(clientIpOf(compileTrust(2))(request('127.0.0.1', '203.0.113.9, 10.0.0.2')), '203.0.113.9');
  assert.equal(clientIpOf(compileTrust(false))(request('127.0.0.1', '203.0.113.9')), '127.0.0.1');
  assert.equal(limitKey('2001:db8:1:2:aaaa::1'), limitKey('2001:db8:1:2:bbbb::9'), 'IPv6 counted per /64');
  assert.notEqual(limitKey('2001:db8:1:2::1'), limitKey('2001:db8:1:3::1'));
  assert.equal(limitKey('::ffff:192.0.2.7'), '192.0.2.7');
});
