// Twilio messaging through the real server: signed webhooks from fixtures, the real json store in a temp dir,
// the real dispatcher, and a fake Twilio REST API.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { twilioModule } from '../../adapters/twilio/index.js';
import { signTwilioRequest } from '../../adapters/twilio/verify.js';
import { startApp, eventually, type TestApp } from '../helpers/app.js';
import { tempDir } from '../helpers/tmp.js';
import { startFakeTwilio, type FakeTwilio } from '../fakes/twilio.js';
import { FIXTURE_AUTH_TOKEN, FIXTURE_SMS_FROM, FIXTURE_WHATSAPP_FROM, formBody, loadFixture } from './fixtures.js';

const PUBLIC = 'https://support.example.com';
const ACCOUNT_SID = 'ACa1b2c3d4a1b2c3d4a1b2c3d4a1b2c3d4';
let fake: FakeTwilio;

before(async () => {
  fake = await startFakeTwilio();
});
after(async () => {
  await fake.close();
});

function env(extra: Record<string, string> = {}): Record<string, string> {
  return {
    PUBLIC_BASE_URL: PUBLIC,
    TWILIO_ACCOUNT_SID: ACCOUNT_SID,
    TWILIO_AUTH_TOKEN: FIXTURE_AUTH_TOKEN,
    TWILIO_SMS_FROM: FIXTURE_SMS_FROM,
    TWILIO_WHATSAPP_FROM: FIXTURE_WHATSAPP_FROM,
    TWILIO_API_BASE_URL: fake.url,
    ENABLE_AUTO_ANALYTICS: 'false',
    ...extra,
  };
}

async function withApp<T>(extra: Record<string, string>, fn: (app: TestApp) => Promise<T>): Promise<T> {
  const app = await startApp({ env: env(extra), modules: [twilioModule] });
  try {
    return await fn(app);
  } finally {
    await app.stop();
  }
}

/** POST a Twilio webhook to the app, signed for the public URL Twilio would have called. */
function post(
  app: TestApp,
  path: string,
  params: Record<string, string>,
  signature: string | null = signTwilioRequest(FIXTURE_AUTH_TOKEN, PUBLIC + path, params),
) {
  return fetch(app.url + path, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...(signature === null ? {} : { 'x-twilio-signature': signature }) },
    body: formBody(params),
  });
}

interface TicketBody {
  ticket_id: string;
  channel: string;
  contact: { address: string; display_name: string | null };
  messages: Array<{
    message_id: string;
    direction: string;
    author: string;
    text: string;
    external_id: string | null;
    attachments: unknown[];
    delivery: { status: string; error_code: string | null; attempts: number; provider_id: string | null } | null;
  }>;
}

async function ticket(app: TestApp, id: string): Promise<TicketBody> {
  const res = await app.api(`/tickets/${id}`);
  assert.equal(res.status, 200);
  return (await res.json()) as TicketBody;
}

async function ticketCount(app: TestApp): Promise<number> {
  const res = await app.api('/tickets');
  return ((await res.json()) as { items: unknown[] }).items.length;
}

async function agentReply(app: TestApp, ticketId: string, text: string): Promise<string> {
  const res = await app.api(`/tickets/${ticketId}/messages`, { method: 'POST', body: JSON.stringify({ text }) });
  assert.equal(res.status, 201);
  return ((await res.json()) as { message_id: string }).message_id;
}

async function outboundMessage(app: TestApp, ticketId: string, messageId: string) {
  return (await ticket(app, ticketId)).messages.find((m) => m.message_id === messageId)!;
}

const withSid = (params: Record<string, string>, sid: string) => ({ ...params, MessageSid: sid, SmsMessageSid: sid, SmsSid: sid });

test('signed SMS → 200 empty TwiML after storage, ticket created; a reply reaches Twilio with From/To/StatusCallback', async () => {
  await withApp({ ENABLE_CHATBOT: 'false' }, async (app) => {
    const { params } = loadFixture('messaging', 'sms-basic');
    const res = await post(app, '/webhooks/twilio/messaging', params);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/xml/);
    assert.equal((await res.text()).trim(), '<?xml version="1.0" encoding="UTF-8"?><Response/>');
    const ticketId = res.headers.get('x-freeda-ticket-id');
    assert.ok(ticketId);
    const stored = await ticket(app, ticketId);
    assert.equal(stored.channel, 'sms');
    assert.equal(stored.contact.address, '+33612345678');
    assert.equal(stored.messages[0].external_id, params.MessageSid);
    assert.equal(stored.messages[0].text, params.Body);

    const before = fake.creates.length;
    const replyId = await agentReply(app, ticketId, 'Nous vérifions votre facture.');
    const [create] = (await fake.waitForCreates(before + 1)).slice(before);
    assert.equal(create.path, `/2010-04-01/Accounts/${ACCOUNT_SID}/Messages.json`);
    assert.equal(create.params.From, FIXTURE_SMS_FROM);
    assert.equal(create.params.To, '+33612345678');
    assert.equal(create.params.StatusCallback, `${PUBLIC}/webhooks/twilio/status`);
    assert.equal(create.params.Body, 'Nous vérifions votre facture.');
    const reply = await eventually(async () => {
      const m = await outboundMessage(app, ticketId, replyId);
      return m.delivery?.provider_id ? m : null;
    });
    assert.equal(reply.delivery!.provider_id, create.sid);
  });
});

test('WhatsApp message: whatsapp channel and contact, profile name, reply from the WhatsApp sender', async () => {
  await withApp({ ENABLE_CHATBOT: 'false' }, async (app) => {
    const { params } = loadFixture('messaging', 'whatsapp-text');
    const res = await post(app, '/webhooks/twilio/messaging', params);
    assert.equal(res.status, 200);
    const ticketId = res.headers.get('x-freeda-ticket-id')!;
    const stored = await ticket(app, ticketId);
    assert.equal(stored.channel, 'whatsapp');
    assert.deepEqual(stored.contact, { address: 'whatsapp:+33612345678', display_name: 'Zoë 🚀' });
    const before = fake.creates.length;
    await agentReply(app, ticketId, 'Bonjour Zoë');
    const [create] = (await fake.waitForCreates(before + 1)).slice(before);
    assert.equal(create.params.From, FIXTURE_WHATSAPP_FROM);
    assert.equal(create.params.To, 'whatsapp:+33612345678');
  });
});

test('MMS: attachments stored as URLs with content types, in order', async () => {
  await withApp({ ENABLE_CHATBOT: 'false' }, async (app) => {
    const { params } = loadFixture('messaging', 'mms-three-media-no-body');
    const res = await post(app, '/webhooks/twilio/messaging', params);
    const stored = await ticket(app, res.headers.get('x-freeda-ticket-id')!);
    assert.deepEqual(
      stored.messages[0].attachments.map((a) => (a as { content_type: string }).content_type),
      ['image/jpeg', 'application/pdf', 'text/vcard'],
    );
    assert.equal((stored.messages[0].attachments[0] as { url: string }).url, params.MediaUrl0);
  });
});

test('forged, tampered, wrong-URL or missing signature → 403 JSON, nothing stored', async () => {
  await withApp({}, async (app) => {
    const { params } = loadFixture('messaging', 'sms-basic');
    const signed = signTwilioRequest(FIXTURE_AUTH_TOKEN, PUBLIC + '/webhooks/twilio/messaging', params);
    const attempts: Array<[Record<string, string>, string | null]> = [
      [params, null],
      [params, 'AAAAAAAAAAAAAAAAAAAAAAAAAAA='],
      [{ ...params, Body: 'tampered' }, signed],
      [params, signTwilioRequest('another-token', PUBLIC + '/webhooks/twilio/messaging', params)],
      // Signed for the address the app listens on, not the public URL Twilio uses.
      [params, signTwilioRequest(FIXTURE_AUTH_TOKEN, app.url + '/webhooks/twilio/messaging', params)],
    ];
    for (const [body, signature] of attempts) {
      const res = await post(app, '/webhooks/twilio/messaging', body, signature);
      assert.equal(res.status, 403);
      const error = (await res.json()) as { error: { code: string; message: string } };
      assert.equal(error.error.code, 'invalid_twilio_signature');
    }
    const status = await post(app, '/webhooks/twilio/status', loadFixture('status', 'status-delivered').params, 'bad');
    assert.equal(status.status, 403);
    assert.equal(await ticketCount(app), 0);
  });
});

test('query string and :443 variant accepted; a spoofed Host signed for another URL refused', async () => {
  await withApp({ ENABLE_CHATBOT: 'false' }, async (app) => {
    const path = '/webhooks/twilio/messaging?inbox=fr';
    const params = withSid(loadFixture('messaging', 'sms-basic').params, 'SM' + 'a'.repeat(32));
    const signedWithPort = signTwilioRequest(FIXTURE_AUTH_TOKEN, 'https://support.example.com:443' + path, params);
    const ok = await fetch(app.url + path, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': signedWithPort },
      body: formBody(params),
    });
    assert.equal(ok.status, 200);
    assert.ok(ok.headers.get('x-freeda-ticket-id'));

    const other = withSid(params, 'SM' + 'b'.repeat(32));
    const forAttacker = signTwilioRequest(FIXTURE_AUTH_TOKEN, 'https://evil.example' + path, other);
    const spoofed = await fetch(app.url + path, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'x-twilio-signature': forAttacker,
        'x-forwarded-host': 'evil.example',
        'x-forwarded-proto': 'https',
      },
      body: formBody(other),
    });
    assert.equal(spoofed.status, 403);
    assert.equal(await ticketCount(app), 1);
  });
});

test('without TWILIO_AUTH_TOKEN every Twilio webhook is refused with 403', async () => {
  await withApp({ TWILIO_AUTH_TOKEN: '' }, async (app) => {
    const { params } = loadFixture('messaging', 'sms-basic');
    const res = await post(app, '/webhooks/twilio/messaging', params);
    assert.equal(res.status, 403);
    assert.match(((await res.json()) as { error: { message: string } }).error.message, /TWILIO_AUTH_TOKEN/);
    assert.equal(await ticketCount(app), 0);
  });
});

test('a retried webhook (same MessageSid) is stored once and answered 200 both times', async () => {
  await withApp({ ENABLE_CHATBOT: 'false' }, async (app) => {
    const params = withSid(loadFixture('messaging', 'sms-basic').params, 'SM' + 'd'.repeat(32));
    const first = await post(app, '/webhooks/twilio/messaging', params);
    const second = await post(app, '/webhooks/twilio/messaging', params);
    assert.equal(first.status, 200);
    assert.equal(second.status, 200);
    assert.equal(first.headers.get('x-freeda-ticket-id'), second.headers.get('x-freeda-ticket-id'));
    const stored = await ticket(app, first.headers.get('x-freeda-ticket-id')!);
    assert.equal(stored.messages.filter((m) => m.external_id === params.MessageSid).length, 1);
  });
});

test('50 concurrent deliveries of one MessageSid → one message, one ticket, all answered 200', async () => {
  await withApp({ ENABLE_CHATBOT: 'false' }, async (app) => {
    const params = withSid(loadFixture('messaging', 'sms-basic').params, 'SM' + 'c'.repeat(32));
    const responses = await Promise.all(Array.from({ length: 50 }, () => post(app, '/webhooks/twilio/messaging', params)));
    assert.deepEqual(new Set(responses.map((r) => r.status)), new Set([200]));
    await Promise.all(responses.map((r) => r.text()));
    const ids = new Set(responses.map((r) => r.headers.get('x-freeda-ticket-id')));
    assert.equal(ids.size, 1);
    const stored = await ticket(app, [...ids][0]!);
    assert.equal(stored.messages.filter((m) => m.external_id === params.MessageSid).length, 1);
    assert.equal(stored.messages.length, 1);
    assert.equal(await ticketCount(app), 1);
  });
});

test('fake Twilio 500 twice then 201 → sent once, after 3 attempts', async () => {
  await withApp({ ENABLE_CHATBOT: 'false' }, async (app) => {
    const res = await post(app, '/webhooks/twilio/messaging', withSid(loadFixture('messaging', 'sms-basic').params, 'SM' + '5'.repeat(32)));
    const ticketId = res.headers.get('x-freeda-ticket-id')!;
    const before = fake.creates.length;
    fake.script({ kind: 'error', httpStatus: 500, code: 20500 }, { kind: 'error', httpStatus: 500, code: 20500 });
    const messageId = await agentReply(app, ticketId, 'Nous regardons votre facture.');
    const sent = await eventually(async () => {
      const m = await outboundMessage(app, ticketId, messageId);
      return m.delivery?.provider_id ? m : null;
    });
    const creates = fake.creates.slice(before);
    assert.deepEqual(
      creates.map((c) => c.status),
      [500, 500, 201],
    );
    assert.equal(sent.delivery!.provider_id, creates[2].sid);
    assert.equal(sent.delivery!.attempts, 3);
    assert.equal(sent.delivery!.status, 'queued');
    assert.equal(creates.filter((c) => c.status === 201).length, 1);
  });
});

test('21610 (unsubscribed) → failed with the code, never retried', async () => {
  await withApp({ ENABLE_CHATBOT: 'false' }, async (app) => {
    const res = await post(app, '/webhooks/twilio/messaging', withSid(loadFixture('messaging', 'sms-basic').params, 'SM' + '6'.repeat(32)));
    const ticketId = res.headers.get('x-freeda-ticket-id')!;
    const before = fake.creates.length;
    fake.script({ kind: 'error', httpStatus: 400, code: 21610, message: 'Attempt to send to unsubscribed recipient' });
    const messageId = await agentReply(app, ticketId, 'Bonjour ?');
    const failed = await eventually(async () => {
      const m = await outboundMessage(app, ticketId, messageId);
      return m.delivery?.status === 'failed' ? m : null;
    });
    assert.equal(failed.delivery!.error_code, '21610');
    assert.equal(failed.delivery!.attempts, 1);
    // Twilio said the contact unsubscribed: it is recorded, so a later reply is refused up front, without calling Twilio.
    const next = await agentReply(app, ticketId, 'Second');
    const refused = await eventually(async () => {
      const m = await outboundMessage(app, ticketId, next);
      return m.delivery?.status === 'failed' ? m : null;
    });
    assert.equal(refused.delivery!.error_code, 'opted_out');
    assert.equal(refused.delivery!.attempts, 0);
    assert.deepEqual(
      fake.creates.slice(before).map((c) => c.params.Body),
      ['Bonjour ?'],
      'the failed one was not retried and the next was not sent',
    );
  });
});

test('server restarted while a retry is pending → the reply is sent after the restart', async () => {
  const dir = await tempDir();
  try {
    const slowRetry = env({ ENABLE_CHATBOT: 'false', OUTBOUND_RETRY_BASE_MS: '600000' });
    const first = await startApp({ env: slowRetry, modules: [twilioModule], dataDir: dir.path });
    let ticketId: string;
    let messageId: string;
    const before = fake.creates.length;
    try {
      const res = await post(
        first,
        '/webhooks/twilio/messaging',
        withSid(loadFixture('messaging', 'sms-basic').params, 'SM' + '7'.repeat(32)),
      );
      ticketId = res.headers.get('x-freeda-ticket-id')!;
      fake.script({ kind: 'error', httpStatus: 503 });
      messageId = await agentReply(first, ticketId, 'Réponse après redémarrage');
      const pending = await eventually(async () => {
        const m = await outboundMessage(first, ticketId, messageId);
        return m.delivery?.attempts === 1 ? m : null;
      });
      assert.equal(pending.delivery!.status, 'queued');
      assert.equal(pending.delivery!.provider_id, null);
    } finally {
      await first.app.stop();
    }
    assert.equal(fake.creates.length - before, 1);
    // The retry was due in 10 minutes: start again with the clock past that point.
    const later = () => new Date(Date.now() + 3_600_000);
    const second = await startApp({ env: slowRetry, modules: [twilioModule], dataDir: dir.path, now: later });
    try {
      const sent = await eventually(async () => {
        const m = await outboundMessage(second, ticketId, messageId);
        return m.delivery?.provider_id ? m : null;
      });
      assert.equal(sent.delivery!.attempts, 2);
      const creates = fake.creates.slice(before);
      assert.deepEqual(
        creates.map((c) => [c.status, c.params.Body]),
        [
          [503, 'Réponse après redémarrage'],
          [201, 'Réponse après redémarrage'],
        ],
      );
    } finally {
      await second.app.stop();
    }
  } finally {
    await dir.remove();
  }
});

test('status callbacks out of order and duplicated end in the right state; unknown sid acked', async () => {
  await withApp({ ENABLE_CHATBOT: 'false' }, async (app) => {
    const res = await post(app, '/webhooks/twilio/messaging', withSid(loadFixture('messaging', 'sms-basic').params, 'SM' + '8'.repeat(32)));
    const ticketId = res.headers.get('x-freeda-ticket-id')!;
    const a = await agentReply(app, ticketId, 'Premier');
    const b = await agentReply(app, ticketId, 'Second');
    const sidOf = async (id: string) => eventually(async () => (await outboundMessage(app, ticketId, id)).delivery?.provider_id);
    const [sidA, sidB] = [await sidOf(a), await sidOf(b)];
    const statusParams = (sid: string, fixture: string) => ({ ...loadFixture('status', fixture).params, MessageSid: sid, SmsSid: sid });
    for (const fixture of ['status-delivered', 'status-sent', 'status-queued', 'status-delivered', 'status-undelivered-30007']) {
      const r = await post(app, '/webhooks/twilio/status', statusParams(sidA, fixture));
      assert.equal(r.status, 200);
    }
    for (const fixture of ['status-queued', 'status-undelivered-30007', 'status-sent', 'status-delivered']) {
      assert.equal((await post(app, '/webhooks/twilio/status', statusParams(sidB, fixture))).status, 200);
    }
    const unknown = await post(app, '/webhooks/twilio/status', statusParams('SM' + '0'.repeat(32), 'status-delivered'));
    assert.equal(unknown.status, 200);
    const weird = await post(app, '/webhooks/twilio/status', statusParams(sidA, 'status-unknown-value'));
    assert.equal(weird.status, 200);
    const msgA = await outboundMessage(app, ticketId, a);
    const msgB = await outboundMessage(app, ticketId, b);
    assert.equal(msgA.delivery!.status, 'delivered');
    assert.equal(msgA.delivery!.error_code, null);
    assert.equal(msgB.delivery!.status, 'failed');
    assert.equal(msgB.delivery!.error_code, '30007');
  });
});

test('STOP: contact opted out, no bot reply, later replies refused without calling Twilio; START lifts it', async () => {
  await withApp({}, async (app) => {
    const before = fake.creates.length;
    const stop = await post(app, '/webhooks/twilio/messaging', loadFixture('messaging', 'sms-stop').params);
    assert.equal(stop.status, 200);
    const ticketId = stop.headers.get('x-freeda-ticket-id')!;
    const refused = await agentReply(app, ticketId, 'Êtes-vous sûr ?');
    const failed = await eventually(async () => {
      const m = await outboundMessage(app, ticketId, refused);
      return m.delivery?.status === 'failed' ? m : null;
    });
    assert.equal(failed.delivery!.error_code, 'opted_out');
    const stored = await ticket(app, ticketId);
    assert.equal(stored.messages.filter((m) => m.author === 'bot').length, 0, 'no bot reply to STOP');

    const start = await post(app, '/webhooks/twilio/messaging', loadFixture('messaging', 'sms-start').params);
    assert.equal(start.status, 200);
    const allowed = await agentReply(app, ticketId, 'Bienvenue à nouveau');
    await eventually(async () => (await outboundMessage(app, ticketId, allowed)).delivery?.provider_id);
    assert.deepEqual(
      fake.creates.slice(before).map((c) => c.params.Body),
      ['Bienvenue à nouveau'],
    );
  });
});

test('own-number echo and unsupported shapes are acked 200 with TwiML and store nothing', async () => {
  await withApp({}, async (app) => {
    for (const name of ['sms-from-own-number', 'whatsapp-from-own-number', 'whatsapp-reaction-unsupported', 'sms-no-message-sid']) {
      const res = await post(app, '/webhooks/twilio/messaging', loadFixture('messaging', name).params);
      assert.equal(res.status, 200, name);
      assert.match(await res.text(), /<Response\/>/);
    }
    assert.equal(await ticketCount(app), 0);
  });
});

test('a WhatsApp reply more than 24 h after the last customer message is refused with 63016', async () => {
  const dir = await tempDir();
  try {
    const base = env({ ENABLE_CHATBOT: 'false' });
    const first = await startApp({ env: base, modules: [twilioModule], dataDir: dir.path });
    let ticketId: string;
    try {
      const res = await post(first, '/webhooks/twilio/messaging', loadFixture('messaging', 'whatsapp-text').params);
      ticketId = res.headers.get('x-freeda-ticket-id')!;
    } finally {
      await first.app.stop();
    }
    const before = fake.creates.length;
    const dayLater = () => new Date(Date.now() + 25 * 3_600_000);
    const second = await startApp({ env: base, modules: [twilioModule], dataDir: dir.path, now: dayLater });
    try {
      const id = await agentReply(second, ticketId, 'Bonjour, toujours là ?');
      const failed = await eventually(async () => {
        const m = await outboundMessage(second, ticketId, id);
        return m.delivery?.status === 'failed' ? m : null;
      });
      assert.equal(failed.delivery!.error_code, '63016');
      assert.equal(fake.creates.length, before, 'Twilio was not called');
    } finally {
      await second.app.stop();
    }
  } finally {
    await dir.remove();
  }
});
