// Two full Freeda instances (HTTP server, pipeline, Twilio adapter) sharing one DynamoDB table on dynalite:
// the scale-out path. Webhooks are signed like Twilio for the shared public URL of the load balancer.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { twilioModule } from '../../adapters/twilio/index.js';
import { signTwilioRequest } from '../../adapters/twilio/verify.js';
import type { Message, Ticket } from '../../src/domain/types.js';
import { startApp, type TestApp } from '../helpers/app.js';
import { startDynalite, type DynaliteHandle } from '../helpers/dynalite.js';
import { FIXTURE_AUTH_TOKEN, loadFixture } from '../twilio/fixtures.js';

const PUBLIC_BASE = 'https://support.example.com';
const PATH = '/webhooks/twilio/messaging';

describe('dynamodb: two Freeda app instances on one table', () => {
  let dyn: DynaliteHandle;
  let one: TestApp;
  let two: TestApp;

  before(async () => {
    dyn = await startDynalite();
    const env = {
      STORAGE_TYPE: 'dynamodb',
      DYNAMODB_TABLE: dyn.table,
      DYNAMODB_ENDPOINT: dyn.endpoint,
      AWS_REGION: dyn.region,
      PUBLIC_BASE_URL: PUBLIC_BASE,
      TWILIO_AUTH_TOKEN: FIXTURE_AUTH_TOKEN,
      ENABLE_CHATBOT: 'false',
      ENABLE_AUTO_ANALYTICS: 'false',
    };
    one = await startApp({ modules: [twilioModule], env });
    two = await startApp({ modules: [twilioModule], env });
  });
  after(async () => {
    await one?.stop();
    await two?.stop();
    await dyn.stop();
  });

  const deliver = (app: TestApp, params: Record<string, string>) =>
    fetch(app.url + PATH, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'x-twilio-signature': signTwilioRequest(FIXTURE_AUTH_TOKEN, PUBLIC_BASE + PATH, params),
      },
      body: new URLSearchParams(params).toString(),
    }).then(async (res) => ({ status: res.status, body: await res.text() }));

  const sms = (sid: string, from: string, body: string) => ({
    ...loadFixture('messaging', 'sms-basic').params,
    MessageSid: sid,
    SmsMessageSid: sid,
    SmsSid: sid,
    From: from,
    Body: body,
  });

  async function ticketsOf(app: TestApp, address: string): Promise<Ticket[]> {
    const res = await app.api('/tickets?channel=sms&limit=200');
    assert.equal(res.status, 200);
    const page = (await res.json()) as { items: Ticket[] };
    return page.items.filter((t) => t.contact.address === address);
  }

  async function detail(app: TestApp, id: string): Promise<Ticket & { messages: Message[] }> {
    const res = await app.api(`/tickets/${id}`);
    assert.equal(res.status, 200);
    return (await res.json()) as Ticket & { messages: Message[] };
  }

  it('the same signed Twilio webhook delivered to both instances concurrently 100 times is stored once', async () => {
    const params = sms('SM0000000000000000000000000000d001', '+33612340001', 'Une seule fois, même à deux serveurs');
    const answers = await Promise.all(Array.from({ length: 100 }, (_, i) => deliver(i % 2 ? one : two, params)));
    assert.ok(
      answers.every((a) => a.status === 200 && a.body.includes('<Response')),
      'every delivery is acknowledged with TwiML',
    );
    for (const app of [one, two]) {
      const tickets = await ticketsOf(app, '+33612340001');
      assert.equal(tickets.length, 1);
      const full = await detail(app, tickets[0].ticket_id);
      assert.equal(full.messages.filter((m) => m.external_id === 'SM0000000000000000000000000000d001').length, 1);
      assert.equal(full.messages.length, 1);
    }
  });

  it('a message arriving at either instance joins the same open ticket; a status change on one is visible on the other', async () => {
    const from = '+33612340002';
    const first = await deliver(one, sms('SM0000000000000000000000000000d101', from, 'Bonjour'));
    assert.equal(first.status, 200);
    const second = await deliver(two, sms('SM0000000000000000000000000000d102', from, 'Vous êtes là ?'));
    assert.equal(second.status, 200);
    const tickets = await ticketsOf(two, from);
    assert.equal(tickets.length, 1, 'one open ticket for the contact');
    assert.equal((await detail(one, tickets[0].ticket_id)).messages.length, 2);

    const closed = await two.api(`/tickets/${tickets[0].ticket_id}/status`, { method: 'PATCH', body: JSON.stringify({ status: 'fermé' }) });
    assert.equal(closed.status, 200);
    const seen = await detail(one, tickets[0].ticket_id);
    assert.equal(seen.status, 'fermé');
    assert.ok(seen.closed_at);
    const closedList = (await (await one.api('/tickets?status=' + encodeURIComponent('fermé') + '&channel=sms')).json()) as {
      items: Ticket[];
    };
    assert.ok(closedList.items.some((t) => t.ticket_id === tickets[0].ticket_id));

    const after = await deliver(one, sms('SM0000000000000000000000000000d103', from, 'Encore une question'));
    assert.equal(after.status, 200);
    const now = await ticketsOf(two, from);
    assert.equal(now.length, 2, 'a message after the close opens a new ticket');
    const fresh = now.find((t) => t.ticket_id !== tickets[0].ticket_id)!;
    assert.equal(fresh.previous_ticket_id, tickets[0].ticket_id);
    assert.equal(fresh.status, 'en cours');
  });

  it('GET /tickets and GET /export/csv by channel, status and date reach DynamoDB as index Queries, never a Scan', async () => {
    for (let i = 0; i < 6; i++)
      assert.equal(
        (
          await deliver(
            i % 2 ? one : two,
            sms(`SM0000000000000000000000000000e${String(i).padStart(3, '0')}`, `+3361234100${i}`, `export ${i}`),
          )
        ).status,
        200,
      );
    const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
    const [yesterday, tomorrow] = [day(-1), day(1)];
    dyn.targets.length = 0;
    const list = await one.api(
      `/tickets?channel=sms&status=${encodeURIComponent('en cours')}&date_from=${yesterday}&date_to=${tomorrow}&limit=2`,
    );
    assert.equal(list.status, 200);
    const page = (await list.json()) as { items: Ticket[]; next_cursor: string | null };
    assert.equal(page.items.length, 2);
    assert.ok(page.next_cursor);
    const all = await two.api('/tickets?limit=200');
    assert.equal(all.status, 200);
    const csv = await two.api(`/export/csv?channel=sms,whatsapp&date_from=${yesterday}&date_to=${tomorrow}`);
    assert.equal(csv.status, 200);
    const rows = (await csv.text()).trim().split(/\r?\n/);
    assert.ok(rows.length >= 1 + 6 + 3, `csv has the sms tickets (${rows.length - 1} rows)`);
    const operations = dyn.targets.map((t) => t.split('.')[1]);
    assert.ok(operations.includes('Query'), operations.join(','));
    assert.ok(!operations.includes('Scan'), 'no Scan reached the emulator');
  });
});
