// "A new channel = one folder + one registry line": the Pager module (test/channels/pager/, its own capabilities, config
// fragment, verified webhook route and sender) is registered here only, next to the built-in modules, and runs the whole
// pipeline through a real server: signed webhook → ticket → bot reply shaped for a pager, sent to a fake Pager API
// (retried after a 503) → export row. Nothing under src/ names the channel.
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import request from 'supertest';
import { ConfigError, parseConfig } from '../../src/config.js';
import { channelModules } from '../../src/registry.js';
import { eventually, startApp, TEST_TOKEN, type TestApp } from '../helpers/app.js';
import { pagerModule } from './pager/index.js';
import { INBOUND_PATH, SIGNATURE_HEADER } from './pager/types.js';
import { signPagerBody } from './pager/verify.js';

const SECRET = 'pager-signing-secret';
const API_KEY = 'pager-api-key';

interface FakePager {
  url: string;
  sent: { authorization: string | undefined; body: { to: string; text: string; reference: string } }[];
  close(): Promise<void>;
}

/** The Pager API: answers the first send with 503 (the core must retry), then 201 with an id. */
async function startFakePager(): Promise<FakePager> {
  const sent: FakePager['sent'] = [];
  let calls = 0;
  const read = async (req: IncomingMessage) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  };
  const server: Server = createServer((req, res) => {
    void read(req).then((raw) => {
      calls += 1;
      res.setHeader('content-type', 'application/json');
      if (req.method !== 'POST' || req.url !== '/v1/messages') return res.writeHead(404).end('{"error":"not found"}');
      if (calls === 1) return res.writeHead(503).end('{"error":"busy"}');
      sent.push({ authorization: req.headers.authorization, body: JSON.parse(raw) as FakePager['sent'][number]['body'] });
      res.writeHead(201).end(JSON.stringify({ id: `PG-${sent.length}` }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    sent,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

describe('one folder + one registry line: the Pager test channel', () => {
  let fake: FakePager;
  let t: TestApp;

  before(async () => {
    fake = await startFakePager();
    t = await startApp({
      modules: [...channelModules, pagerModule],
      env: { PAGER_SIGNING_SECRET: SECRET, PAGER_API_KEY: API_KEY, PAGER_API_BASE_URL: fake.url, ENABLE_AUTO_ANALYTICS: 'true' },
    });
  });
  after(async () => {
    await t.stop();
    await fake.close();
  });

  const webhook = (body: object, secret = SECRET) => {
    const raw = JSON.stringify(body);
    return request(t.url)
      .post(INBOUND_PATH)
      .set('content-type', 'application/json')
      .set(SIGNATURE_HEADER, signPagerBody(secret, raw))
      .send(raw);
  };
  const api = (path: string) => request(t.url).get(path).set('authorization', `Bearer ${TEST_TOKEN}`);

  it('its config fragment is parsed with the core keys, one line per problem', () => {
    assert.throws(
      () => parseConfig({ PAGER_API_BASE_URL: 'pager.example', PORT: 'x' }, [pagerModule]),
      (err: unknown) =>
        err instanceof ConfigError && err.problems.length === 2 && err.problems.some((p) => p.startsWith('PAGER_API_BASE_URL:')),
    );
    assert.equal(t.app.channels.capabilities('pager').reply.max_chars, 160);
  });

  it('inbound webhook → ticket → bot reply sent through its sender → export row', async () => {
    const first = await webhook({ id: 'PG-IN-1', from: '+33611112222', text: 'Bonjour, quels sont vos horaires ?', sent_at: null });
    assert.equal(first.status, 200);
    const ticketId = first.headers['x-freeda-ticket-id'];
    assert.match(ticketId, /^[0-9A-Z]{26}$/);
    // Provider retry: same id, same ticket, nothing stored twice.
    const retry = await webhook({ id: 'PG-IN-1', from: '+33611112222', text: 'Bonjour, quels sont vos horaires ?', sent_at: null });
    assert.equal(retry.headers['x-freeda-ticket-id'], ticketId);

    const reply = await eventually(() => fake.sent[0]);
    assert.equal(reply.authorization, `Bearer ${API_KEY}`);
    assert.equal(reply.body.to, '+33611112222');
    assert.ok(reply.body.text.length > 0 && reply.body.text.length <= 160, `shaped for a pager: ${reply.body.text}`);
    assert.ok(!reply.body.text.includes('\n'), 'one line');

    const ticket = await eventually(async () => {
      const body = (await api(`/tickets/${ticketId}`)).body as {
        channel: string;
        analytics: unknown;
        messages: { author: string; delivery: { status: string; attempts: number; provider_id: string | null } | null }[];
      };
      const bot = body.messages.find((m) => m.author === 'bot');
      return bot?.delivery?.status === 'sent' && body.analytics ? { body, bot } : null;
    });
    assert.equal(ticket.body.channel, 'pager');
    assert.equal(ticket.body.messages.filter((m) => m.author === 'customer').length, 1);
    assert.equal(ticket.bot.delivery?.attempts, 2, 'the 503 was retried by the core');
    assert.equal(ticket.bot.delivery?.provider_id, 'PG-1');

    const listed = (await api('/tickets?channel=pager')).body as { items: { ticket_id: string }[] };
    assert.deepEqual(
      listed.items.map((i) => i.ticket_id),
      [ticketId],
    );
    const csv = await api('/export/csv?channel=pager');
    assert.equal(csv.status, 200);
    const [header, row] = csv.text.split('\r\n');
    assert.ok(header.startsWith('ticket_id,created_at,closed_at,status,channel,'));
    assert.ok(row.startsWith(`${ticketId},`) && row.split(',')[4] === 'pager', row);
  });

  it('its route is verified by the core: a bad signature gets the one 403 shape and stores nothing', async () => {
    const forged = await webhook({ id: 'PG-IN-2', from: '+33633334444', text: 'forged', sent_at: null }, 'wrong-secret');
    assert.equal(forged.status, 403);
    assert.equal((forged.body as { error: { code: string } }).error.code, 'invalid_signature');
    const bad = await webhook({ id: 'PG-IN-3', from: 'not-a-number', text: 'x', sent_at: null });
    assert.equal(bad.status, 400);
    const listed = (await api('/tickets?channel=pager')).body as { items: unknown[] };
    assert.equal(listed.items.length, 1);
  });

  it('without the module, the channel does not exist for the core', async () => {
    const plain = await startApp({ modules: channelModules });
    try {
      const res = await request(plain.url).get('/tickets?channel=pager').set('authorization', `Bearer ${TEST_TOKEN}`);
      assert.equal(res.status, 400);
      assert.equal((res.body as { error: { code: string } }).error.code, 'invalid_channel');
    } finally {
      await plain.stop();
    }
  });
});
