// Route × error mapping of the express app, through supertest against the real server: every protected route refuses
// without a token, every registered webhook route refuses an unverified request with the one 403 shape (nothing stored),
// the export routes map bad input to JSON errors, and what a channel cannot do is a 409 from its capabilities.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import request from 'supertest';
import { channelModules } from '../../src/registry.js';
import { startApp, TEST_TOKEN, type TestApp } from '../helpers/app.js';

type ErrorBody = { error: { code: string; message: string } };
const errorOf = (body: unknown) => (body as ErrorBody).error;

describe('HTTP routes × error mapping', () => {
  let t: TestApp;
  let phoneTicket: string;
  const ULID = '01ARZ3NDEKTSV4RRFFQ69G5FAV';

  before(async () => {
    t = await startApp({
      modules: channelModules,
      env: {
        ENABLE_CHATBOT: 'false',
        ENABLE_AUTO_ANALYTICS: 'false',
        TWILIO_AUTH_TOKEN: 'routes-test-token',
        INBOUND_EMAIL_SECRET: 'routes-test-secret',
      },
    });
    const stored = await t.app.pipeline.ingest({
      kind: 'message',
      channel: 'telephone',
      external_id: 'CA-routes:1',
      contact: { address: '+33612345678' },
      text: 'Bonjour, ma ligne ne marche plus',
      attachments: [],
      received_at: new Date().toISOString(),
    });
    assert.ok(stored.kind === 'stored');
    phoneTicket = stored.ticket.ticket_id;
  });
  after(async () => {
    await t.stop();
  });

  it('every API route refuses a missing or wrong token with 401 unauthorized', async () => {
    const routes: [string, string][] = [
      ['get', '/tickets'],
      ['get', `/tickets/${ULID}`],
      ['get', `/tickets/${ULID}/attachments/sha256-${'0'.repeat(64)}`],
      ['patch', `/tickets/${ULID}/status`],
      ['post', `/tickets/${ULID}/messages`],
      ['get', '/export/csv'],
      ['get', `/export/csv/${ULID}`],
      ['get', '/channels'],
    ];
    for (const [method, path] of routes) {
      for (const auth of [undefined, 'Bearer wrong', `Basic ${TEST_TOKEN}`]) {
        const call = request(t.url)[method as 'get' | 'patch' | 'post'](path);
        const res = await (auth ? call.set('authorization', auth) : call);
        assert.equal(res.status, 401, `${method} ${path} (${auth ?? 'no token'})`);
        assert.equal(errorOf(res.body).code, 'unauthorized');
      }
    }
  });

  it('every registered webhook route refuses an unverified request with one 403 shape and stores nothing', async () => {
    const before = await request(t.url).get('/tickets?limit=200').set('authorization', `Bearer ${TEST_TOKEN}`);
    const routes = t.app.adapters.flatMap((adapter) => adapter.routes.map((route) => ({ adapter: adapter.name, route })));
    assert.ok(routes.length >= 8, 'twilio messaging, status, voice and sendgrid inbound routes are mounted');
    for (const { adapter, route } of routes) {
      const res = await request(t.url)
        .post(route.path)
        .set('content-type', 'application/x-www-form-urlencoded')
        .send('From=%2B33612345678&Body=forged&CallSid=CA1&MessageSid=SM1');
      assert.equal(res.status, 403, `${adapter} ${route.path}`);
      assert.match(res.headers['content-type'], /^application\/json/);
      const error = errorOf(res.body);
      assert.equal(error.code, adapter === 'twilio' ? 'invalid_twilio_signature' : 'forbidden', route.path);
      assert.ok(error.message.length > 0);
    }
    const afterRefusals = await request(t.url).get('/tickets?limit=200').set('authorization', `Bearer ${TEST_TOKEN}`);
    assert.deepEqual(afterRefusals.body, before.body, 'nothing stored');
  });

  it('export routes: CSV on success, JSON errors on bad input', async () => {
    const api = (path: string) => request(t.url).get(path).set('authorization', `Bearer ${TEST_TOKEN}`);
    const all = await api('/export/csv?channel=telephone');
    assert.equal(all.status, 200);
    assert.match(all.headers['content-type'], /^text\/csv; charset=utf-8/);
    assert.match(all.headers['content-disposition'], /^attachment; filename="freeda-tickets_channel-telephone_\d{4}-\d{2}-\d{2}\.csv"$/);
    const lines = all.text.split('\r\n');
    assert.match(lines[0], /^ticket_id,created_at,closed_at,status,channel,/);
    assert.ok(lines[1].startsWith(`${phoneTicket},`));
    assert.equal(lines.at(-1), '', 'every line ends with CRLF');

    const one = await api(`/export/csv/${phoneTicket}`);
    assert.equal(one.status, 200);
    assert.equal(one.text.split('\r\n').length, 3, 'header, one row, final CRLF');

    const cases: [string, number, string][] = [
      ['/export/csv?bom=yes', 400, 'invalid_bom'],
      ['/export/csv?channel=fax', 400, 'invalid_channel'],
      ['/export/csv?status=open', 400, 'invalid_status'],
      ['/export/csv?date_from=2026-13-01', 400, 'invalid_date'],
      [`/export/csv/${ULID}`, 404, 'ticket_not_found'],
      ['/export/csv/not-an-id', 404, 'ticket_not_found'],
      ['/export/nope', 404, 'route_not_found'],
    ];
    for (const [path, status, code] of cases) {
      const res = await api(path);
      assert.equal(res.status, status, path);
      assert.equal(errorOf(res.body).code, code, path);
    }
  });

  it('a channel without written replies (telephone) answers an agent reply with 409 channel_not_replyable', async () => {
    const res = await request(t.url)
      .post(`/tickets/${phoneTicket}/messages`)
      .set('authorization', `Bearer ${TEST_TOKEN}`)
      .send({ text: 'Nous vous rappelons.' });
    assert.equal(res.status, 409);
    assert.equal(errorOf(res.body).code, 'channel_not_replyable');
    assert.match(errorOf(res.body).message, /call the customer back at \+33612345678/);
  });

  it('GET /channels lists the channels the modules declare, with their labels and whether agents can write', async () => {
    const res = await request(t.url).get('/channels').set('authorization', `Bearer ${TEST_TOKEN}`);
    assert.equal(res.status, 200);
    assert.deepEqual(res.body, {
      items: [
        { name: 'sms', label: 'SMS', written_replies: true },
        { name: 'whatsapp', label: 'WhatsApp', written_replies: true },
        { name: 'telephone', label: 'Téléphone', written_replies: false },
        { name: 'email', label: 'Email', written_replies: true },
        { name: 'chat', label: 'Chat', written_replies: true },
      ],
    });
  });

  it('health and readiness need no token', async () => {
    assert.deepEqual((await request(t.url).get('/healthz')).body, { status: 'ok' });
    assert.deepEqual((await request(t.url).get('/readyz')).body, {
      status: 'ready',
      storage: 'json',
      event_bus: { kind: 'memory', state: 'ok', queued: 0 },
    });
  });
});
