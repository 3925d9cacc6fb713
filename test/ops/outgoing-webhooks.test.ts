// Outgoing webhooks through real parts: signed Twilio SMS in, a real local HTTP receiver that is down (connection
// refused) while events are queued, the app restarted in between, then the receiver up: every event arrives, its
// Freeda-Signature verifies (checked here with node:crypto as a receiver would, not with our helper), ids are unique
// per event and the same across retries and the restart. Then dead letters: a receiver answering 500 → dead after N
// attempts, listed to admins, retried by hand with the same id. Both stores (json file, DynamoDB on dynalite).
import assert from 'node:assert/strict';
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { twilioModule } from '../../adapters/twilio/index.js';
import { signTwilioRequest } from '../../adapters/twilio/verify.js';
import { eventually, startApp, type TestApp } from '../helpers/app.js';
import { startDynalite, type DynaliteHandle } from '../helpers/dynalite.js';
import { FIXTURE_AUTH_TOKEN, loadFixture } from '../twilio/fixtures.js';

const PUBLIC_BASE = 'https://support.example.com';
const SECRET = 'whsec-test-' + randomBytes(8).toString('hex');

interface Received {
  id: string;
  type: string;
  created_at: string;
  data: { ticket_id: string };
  raw: string;
  signatureOk: boolean;
  eventIdHeader: string | undefined;
}

/** The README's verification, written out: HMAC-SHA256(secret, t + "." + raw body), constant-time compare, fresh t. */
function verify(raw: string, header: string | undefined): boolean {
  const match = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(header ?? '');
  if (!match) return false;
  const expected = createHmac('sha256', SECRET).update(`${match[1]}.${raw}`).digest();
  const fresh = Math.abs(Date.now() / 1000 - Number(match[1])) < 300;
  return fresh && timingSafeEqual(expected, Buffer.from(match[2], 'hex'));
}

class Receiver {
  received: Received[] = [];
  status = 200;
  private server: Server | null = null;
  constructor(readonly port: number) {}
  static async freePort(): Promise<number> {
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const { port } = probe.address() as AddressInfo;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    return port;
  }
  get url() {
    return `http://127.0.0.1:${this.port}/hook`;
  }
  async up() {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        if (this.status === 200) {
          const body = JSON.parse(raw) as Omit<Received, 'raw' | 'signatureOk' | 'eventIdHeader'>;
          this.received.push({
            ...body,
            raw,
            signatureOk: verify(raw, req.headers['freeda-signature'] as string | undefined),
            eventIdHeader: req.headers['freeda-event-id'] as string | undefined,
          });
        }
        res.writeHead(this.status).end();
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(this.port, '127.0.0.1', resolve));
  }
  async down() {
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
    this.server?.closeAllConnections();
    this.server = null;
  }
}

async function sms(app: TestApp, from: string, body: string): Promise<string> {
  const sid = 'SM' + randomBytes(16).toString('hex');
  const path = '/webhooks/twilio/messaging';
  const params = {
    ...loadFixture('messaging', 'sms-basic').params,
    MessageSid: sid,
    SmsMessageSid: sid,
    SmsSid: sid,
    From: from,
    Body: body,
  };
  const res = await fetch(app.url + path, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      'x-twilio-signature': signTwilioRequest(FIXTURE_AUTH_TOKEN, PUBLIC_BASE + path, params),
    },
    body: new URLSearchParams(params).toString(),
  });
  assert.equal(res.status, 200);
  return res.headers.get('x-freeda-ticket-id')!;
}

function scenarios(name: string, setup: () => Promise<Record<string, string>>, teardown: () => Promise<void> = async () => {}) {
  describe(`outgoing webhooks (${name})`, () => {
    const apps: TestApp[] = [];
    const receivers: Receiver[] = [];
    let env: Record<string, string> = {};
    const storeEnv = () => env;
    before(async () => {
      env = await setup();
    });
    after(async () => {
      for (const app of apps) await app.stop().catch(() => undefined);
      for (const r of receivers) await r.down();
      await teardown();
    });

    it('receiver down then up, with a restart in between: each event delivered once at least, signed, same ids', async () => {
      const receiver = new Receiver(await Receiver.freePort());
      receivers.push(receiver);
      const env = {
        ...storeEnv(),
        PUBLIC_BASE_URL: PUBLIC_BASE,
        TWILIO_AUTH_TOKEN: FIXTURE_AUTH_TOKEN,
        ENABLE_CHATBOT: 'false',
        OUTGOING_WEBHOOK_URLS: receiver.url,
        OUTGOING_WEBHOOK_SECRET: SECRET,
        OUTGOING_WEBHOOK_RETRY_BASE_MS: '40',
        OUTGOING_WEBHOOK_MAX_ATTEMPTS: '1000',
      };
      let app = await startApp({ modules: [twilioModule], env });
      apps.push(app);
      const one = await sms(app, '+33611111111', 'Ma box ne marche plus, urgent');
      const two = await sms(app, '+33622222222', 'Question sur ma facture');
      assert.equal((await app.api(`/tickets/${one}/status`, { method: 'PATCH', body: JSON.stringify({ status: 'fermé' }) })).status, 200);
      await app.app.work.idle();
      // Queued and tried while the receiver is down.
      const queued = await eventually(() => {
        const pending = app.app.outgoing!.listPending();
        const analyzed = pending.filter((d) => d.type === 'ticket.analyzed').length;
        return pending.length >= 7 && analyzed >= 3 && pending.every((d) => d.attempts >= 1) && pending;
      });
      const status = (await (await app.api('/webhooks/outgoing')).json()) as { pending: number; dead: number };
      assert.ok(status.pending >= 7 && status.dead === 0);

      app = await app.restart();
      apps.push(app);
      const afterRestart = app.app.outgoing!.listPending();
      for (const d of queued)
        assert.ok(
          afterRestart.some((p) => p.event_id === d.event_id && p.attempts >= d.attempts),
          d.event_id,
        );

      await receiver.up();
      await eventually(() => app.app.outgoing!.pendingCount === 0, 400);
      const all = [...queued, ...afterRestart];
      const expectedIds = new Set(all.map((d) => d.event_id));
      const receivedIds = new Set(receiver.received.map((r) => r.id));
      assert.deepEqual([...receivedIds].sort(), [...expectedIds].sort());
      for (const r of receiver.received) {
        assert.ok(r.signatureOk, `signature of ${r.id}`);
        assert.equal(r.eventIdHeader, r.id);
        assert.match(r.id, /^evt_[0-9A-Z]{26}$/);
        // The same id always carries the same event (retries resend the stored body).
        assert.equal(receiver.received.filter((x) => x.id === r.id && x.raw !== r.raw).length, 0);
      }
      const countOf = (ticket: string, type: string) =>
        new Set(receiver.received.filter((r) => r.type === type && r.data.ticket_id === ticket).map((r) => r.id)).size;
      for (const ticket of [one, two]) {
        assert.equal(countOf(ticket, 'ticket.created'), 1);
        assert.equal(countOf(ticket, 'message.created'), 1);
        assert.ok(countOf(ticket, 'ticket.analyzed') >= 1);
      }
      assert.equal(countOf(one, 'ticket.status_changed'), 1);
      assert.equal(countOf(two, 'ticket.status_changed'), 0);
    });

    it('a receiver failing every time: dead-lettered after N attempts, listed for admins, retried with the same id', async () => {
      const receiver = new Receiver(await Receiver.freePort());
      receivers.push(receiver);
      receiver.status = 500;
      await receiver.up();
      const app = await startApp({
        modules: [twilioModule],
        env: {
          ...storeEnv(),
          PUBLIC_BASE_URL: PUBLIC_BASE,
          TWILIO_AUTH_TOKEN: FIXTURE_AUTH_TOKEN,
          ENABLE_CHATBOT: 'false',
          ENABLE_AUTO_ANALYTICS: 'false',
          OUTGOING_WEBHOOK_URLS: receiver.url,
          OUTGOING_WEBHOOK_SECRET: SECRET,
          OUTGOING_WEBHOOK_RETRY_BASE_MS: '20',
          OUTGOING_WEBHOOK_MAX_ATTEMPTS: '3',
        },
      });
      apps.push(app);
      const ticket = await sms(app, '+33633333333', 'Bonjour');
      type Dead = { delivery_id: string; event_id: string; attempts: number; last_error: string; event: { id: string; type: string } };
      const dead = await eventually(async () => {
        const list = (await (await app.api('/webhooks/outgoing/dead')).json()) as { items: Dead[] };
        return list.items.length === 2 && list.items;
      });
      for (const d of dead) {
        assert.equal(d.attempts, 3);
        assert.equal(d.last_error, 'HTTP 500');
        assert.equal(d.event.id, d.event_id);
      }
      assert.deepEqual(dead.map((d) => d.event.type).sort(), ['message.created', 'ticket.created']);
      assert.equal((await fetch(`${app.url}/webhooks/outgoing/dead`)).status, 401);
      assert.equal((await app.api('/webhooks/outgoing/dead/nope/retry', { method: 'POST' })).status, 404);

      receiver.status = 200;
      for (const d of dead) assert.equal((await app.api(`/webhooks/outgoing/dead/${d.delivery_id}/retry`, { method: 'POST' })).status, 202);
      await eventually(() => receiver.received.length === 2);
      assert.deepEqual(receiver.received.map((r) => r.id).sort(), dead.map((d) => d.event_id).sort());
      assert.ok(receiver.received.every((r) => r.signatureOk && r.data.ticket_id === ticket));
      const after = (await (await app.api('/webhooks/outgoing')).json()) as { pending: number; dead: number };
      assert.deepEqual([after.pending, after.dead], [0, 0]);
    });
  });
}

scenarios('json store', () => Promise.resolve({}));

let dyn: DynaliteHandle | null = null;
scenarios(
  'DynamoDB',
  async () => {
    dyn = await startDynalite();
    return { STORAGE_TYPE: 'dynamodb', DYNAMODB_TABLE: dyn.table, DYNAMODB_ENDPOINT: dyn.endpoint, AWS_REGION: dyn.region };
  },
  async () => {
    await dyn?.stop();
  },
);
