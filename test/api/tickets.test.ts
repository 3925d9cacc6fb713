import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sendgridModule } from '../../adapters/sendgrid/index.js';
import { twilioModule } from '../../adapters/twilio/index.js';
import { eventually, startApp, type TestApp } from '../helpers/app.js';
import { testChannelModule } from '../helpers/test-adapter.js';

let clockMs = Date.parse('2026-05-04T09:00:00.000Z');
const now = () => new Date(clockMs);
const advance = (seconds: number) => {
  clockMs += seconds * 1000;
};

async function inbound(t: TestApp, id: string, from: string, text: string) {
  const res = await fetch(t.url + '/webhooks/test/inbound', { method: 'POST', body: JSON.stringify({ id, from, text }) });
  assert.equal(res.status, 200);
  return (await res.json()) as { ticket_id: string; message_id: string; duplicate: boolean };
}

describe('ticket API through a real server', () => {
  let t: TestApp;
  const sent: { ticket_id: string; text: string }[] = [];
  before(async () => {
    t = await startApp({
      env: { ENABLE_CHATBOT: 'false', ENABLE_AUTO_ANALYTICS: 'false' },
      modules: [
        testChannelModule({
          sent,
          sendResults: [
            { ok: true, provider_id: 'P1', status: 'sent' },
            { ok: false, retryable: true, error_code: '503', error_message: 'busy' },
          ],
        }),
        // The other built-in channels are served too (filters may name them) but carry no ticket here.
        twilioModule,
        sendgridModule,
      ],
      now,
    });
  });
  after(async () => {
    await t.stop();
  });

  it('requires the API token', async () => {
    assert.equal((await fetch(t.url + '/tickets')).status, 401);
    const wrong = await fetch(t.url + '/tickets', { headers: { authorization: 'Bearer nope' } });
    assert.equal(wrong.status, 401);
    const body = (await wrong.json()) as { error: { code: string } };
    assert.equal(body.error.code, 'unauthorized');
    assert.equal((await fetch(t.url + '/export/csv')).status, 401);
    assert.equal((await fetch(t.url + '/healthz')).status, 200);
  });

  it('lists, filters and paginates; detail has messages in time order', async () => {
    const a = await inbound(t, 'e-1', 'visitor-a', 'Bonjour, ma box clignote');
    advance(60);
    await inbound(t, 'e-2', 'visitor-a', 'Toujours en panne');
    advance(86_400);
    const b = await inbound(t, 'e-3', 'visitor-b', 'Facture ?');
    advance(60);
    const c = await inbound(t, 'e-4', 'visitor-c', 'Hello');
    const all = (await (await t.api('/tickets')).json()) as { items: { ticket_id: string }[]; next_cursor: string | null };
    assert.deepEqual(
      all.items.map((x) => x.ticket_id),
      [c.ticket_id, b.ticket_id, a.ticket_id],
    );
    assert.equal(all.next_cursor, null);

    const page1 = (await (await t.api('/tickets?limit=2')).json()) as { items: { ticket_id: string }[]; next_cursor: string };
    assert.equal(page1.items.length, 2);
    assert.ok(page1.next_cursor);
    const page2 = (await (await t.api(`/tickets?limit=2&cursor=${encodeURIComponent(page1.next_cursor)}`)).json()) as {
      items: { ticket_id: string }[];
      next_cursor: string | null;
    };
    assert.deepEqual(
      page2.items.map((x) => x.ticket_id),
      [a.ticket_id],
    );
    assert.equal(page2.next_cursor, null);

    const day = (await (await t.api('/tickets?date_from=2026-05-04&date_to=2026-05-04')).json()) as { items: { ticket_id: string }[] };
    assert.deepEqual(
      day.items.map((x) => x.ticket_id),
      [a.ticket_id],
      'a bare date covers the whole UTC day',
    );
    const chat = (await (await t.api('/tickets?channel=chat,sms&status=en%20cours')).json()) as { items: unknown[] };
    assert.equal(chat.items.length, 3);
    const none = (await (await t.api('/tickets?channel=email')).json()) as { items: unknown[] };
    assert.equal(none.items.length, 0);

    const detail = (await (await t.api(`/tickets/${a.ticket_id}`)).json()) as {
      status: string;
      channel: string;
      messages: { text: string; direction: string }[];
      messages_count: number;
    };
    assert.equal(detail.status, 'en cours');
    assert.equal(detail.channel, 'chat');
    assert.deepEqual(
      detail.messages.map((m) => m.text),
      ['Bonjour, ma box clignote', 'Toujours en panne'],
    );
    assert.equal(detail.messages_count, 2);
  });

  it('close sets closed_at and resolution_duration; same status twice is a no-op; reopen clears', async () => {
    const r = await inbound(t, 'close-1', 'visitor-close', 'Je veux résilier');
    advance(3600);
    const closed = await t.api(`/tickets/${r.ticket_id}/status`, { method: 'PATCH', body: JSON.stringify({ status: 'fermé' }) });
    assert.equal(closed.status, 200);
    const body = (await closed.json()) as { status: string; closed_at: string; resolution_duration: number };
    assert.equal(body.status, 'fermé');
    assert.equal(body.closed_at, now().toISOString());
    assert.equal(body.resolution_duration, 3600);
    advance(10);
    const again = (await (
      await t.api(`/tickets/${r.ticket_id}/status`, { method: 'PATCH', body: JSON.stringify({ status: 'fermé' }) })
    ).json()) as { closed_at: string };
    assert.equal(again.closed_at, body.closed_at, 'no-op keeps the first closing time');
    const reply = await t.api(`/tickets/${r.ticket_id}/messages`, { method: 'POST', body: JSON.stringify({ text: 'x' }) });
    assert.equal(reply.status, 409);
    const reopened = (await (
      await t.api(`/tickets/${r.ticket_id}/status`, { method: 'PATCH', body: JSON.stringify({ status: 'en cours' }) })
    ).json()) as { status: string; closed_at: null; resolution_duration: null; reopen_count: number };
    assert.deepEqual(
      [reopened.status, reopened.closed_at, reopened.resolution_duration, reopened.reopen_count],
      ['en cours', null, null, 1],
    );
  });

  it('agent reply is stored queued, sent through the channel, retried on a transient error', async () => {
    const r = await inbound(t, 'reply-1', 'visitor-reply', 'Allo ?');
    const res = await t.api(`/tickets/${r.ticket_id}/messages`, { method: 'POST', body: JSON.stringify({ text: 'Bonjour, je regarde.' }) });
    assert.equal(res.status, 201);
    const message = (await res.json()) as { message_id: string; author: string; direction: string; delivery: { status: string } };
    assert.deepEqual([message.author, message.direction, message.delivery.status], ['agent', 'outbound', 'queued']);
    const delivered = await eventually(async () => {
      const d = (await (await t.api(`/tickets/${r.ticket_id}`)).json()) as {
        handled_by: string;
        messages: { message_id: string; delivery: { status: string; attempts: number; provider_id: string } | null }[];
      };
      const m = d.messages.find((x) => x.message_id === message.message_id);
      return m?.delivery?.status === 'sent' ? { d, m } : null;
    });
    assert.equal(delivered.m.delivery!.provider_id, 'P1');
    assert.equal(delivered.d.handled_by, 'agent');
    assert.ok(sent.some((s) => s.text === 'Bonjour, je regarde.'));

    const second = (await (
      await t.api(`/tickets/${r.ticket_id}/messages`, { method: 'POST', body: JSON.stringify({ text: 'Deuxième', client_id: 'c-1' }) })
    ).json()) as { message_id: string };
    const retried = await eventually(async () => {
      const d = (await (await t.api(`/tickets/${r.ticket_id}`)).json()) as {
        messages: { message_id: string; delivery: { status: string; attempts: number } | null }[];
      };
      const m = d.messages.find((x) => x.message_id === second.message_id);
      return m?.delivery?.status === 'sent' ? m : null;
    });
    assert.equal(retried.delivery!.attempts, 2, 'one transient failure, then sent');
    const idem = await t.api(`/tickets/${r.ticket_id}/messages`, {
      method: 'POST',
      body: JSON.stringify({ text: 'Deuxième', client_id: 'c-1' }),
    });
    assert.equal(idem.status, 200, 'same client_id is not sent twice');
    assert.equal(((await idem.json()) as { message_id: string }).message_id, second.message_id);
  });

  it('bad input gets a clear 4xx and changes nothing', async () => {
    const r = await inbound(t, 'bad-1', 'visitor-bad', 'Test');
    const before = await (await t.api('/tickets?limit=200')).text();
    const cases: [string, RequestInit, number, string][] = [
      [`/tickets/${r.ticket_id}/status`, { method: 'PATCH', body: '{bad json' }, 400, 'invalid_json'],
      [`/tickets/${r.ticket_id}/status`, { method: 'PATCH', body: JSON.stringify({ status: 'closed' }) }, 400, 'invalid_status'],
      [`/tickets/${r.ticket_id}/status`, { method: 'PATCH', body: JSON.stringify(['fermé']) }, 400, 'invalid_body'],
      [
        `/tickets/${r.ticket_id}/status`,
        { method: 'PATCH', body: 'status=fermé', headers: { 'content-type': 'application/x-www-form-urlencoded' } },
        400,
        'invalid_body',
      ],
      [
        '/tickets/01ARZ3NDEKTSV4RRFFQ69G5FAV/status',
        { method: 'PATCH', body: JSON.stringify({ status: 'fermé' }) },
        404,
        'ticket_not_found',
      ],
      ['/tickets/not-an-id', {}, 404, 'ticket_not_found'],
      ['/tickets?date_from=2026-02-30', {}, 400, 'invalid_date'],
      ['/tickets?date_to=yesterday', {}, 400, 'invalid_date'],
      ['/tickets?date_from=2026-05-05&date_to=2026-05-01', {}, 400, 'invalid_date_range'],
      ['/tickets?status=open', {}, 400, 'invalid_status'],
      ['/tickets?channel=fax', {}, 400, 'invalid_channel'],
      ['/tickets?limit=0', {}, 400, 'invalid_limit'],
      ['/tickets?limit=201', {}, 400, 'invalid_limit'],
      ['/tickets?cursor=garbage', {}, 400, 'invalid_cursor'],
      ['/tickets?status=fermé&status=en%20cours', {}, 400, 'invalid_parameter'],
      [`/tickets/${r.ticket_id}/messages`, { method: 'POST', body: JSON.stringify({ text: '   ' }) }, 400, 'invalid_message'],
      [`/tickets/${r.ticket_id}/messages`, { method: 'POST', body: JSON.stringify({ text: 'x'.repeat(10_001) }) }, 400, 'invalid_message'],
      [
        `/tickets/${r.ticket_id}/messages`,
        { method: 'POST', body: JSON.stringify({ text: 'a'.repeat(2_000_000) }) },
        413,
        'payload_too_large',
      ],
      ['/nope', {}, 404, 'route_not_found'],
    ];
    for (const [path, init, status, code] of cases) {
      const res = await t.api(path, init);
      assert.equal(res.status, status, `${init.method ?? 'GET'} ${path.slice(0, 80)}`);
      const body = (await res.json()) as { error: { code: string; message: string } };
      assert.equal(body.error.code, code, path.slice(0, 80));
      assert.ok(body.error.message.length > 0);
      assert.doesNotMatch(JSON.stringify(body), /at .*\.ts:\d+/, 'no stack trace');
    }
    assert.equal(await (await t.api('/tickets?limit=200')).text(), before, 'nothing changed');
  });

  it('a reply that fails permanently is not counted as a response', async () => {
    const failing = await startApp({
      env: { ENABLE_CHATBOT: 'false', ENABLE_AUTO_ANALYTICS: 'false' },
      modules: [
        testChannelModule({ sendResults: [{ ok: false, retryable: false, error_code: '30003', error_message: 'unreachable handset' }] }),
      ],
    });
    try {
      const r = await inbound(failing, 'fail-1', 'visitor-fail', 'Allo ?');
      await failing.api(`/tickets/${r.ticket_id}/messages`, { method: 'POST', body: JSON.stringify({ text: 'Bonjour' }) });
      const row = await eventually(async () => {
        const detail = (await (await failing.api(`/tickets/${r.ticket_id}`)).json()) as {
          messages: { delivery: { status: string } | null }[];
        };
        if (!detail.messages.some((m) => m.delivery?.status === 'failed')) return null;
        const csv = await (await failing.api(`/export/csv/${r.ticket_id}`)).text();
        const cells = csv.trim().split('\r\n')[1].split(',');
        return cells[12] === '' ? cells : null; // the refresh follows the failed delivery write
      });
      assert.equal(row[12], '', 'first_response_time_seconds is empty: the customer got no answer');
      assert.equal(row[9], '2', 'messages_count');
    } finally {
      await failing.stop();
    }
  });

  it('readiness reports the storage', async () => {
    const res = await fetch(t.url + '/readyz');
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { status: 'ready', storage: 'json', event_bus: { kind: 'memory', state: 'ok', queued: 0 } });
  });
});
