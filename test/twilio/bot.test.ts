// The chatbot's reply to an SMS goes out through the Twilio REST API (never inline TwiML), exactly once.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { twilioModule } from '../../adapters/twilio/index.js';
import { signTwilioRequest } from '../../adapters/twilio/verify.js';
import { startApp, eventually, type TestApp } from '../helpers/app.js';
import { startFakeTwilio, type FakeTwilio } from '../fakes/twilio.js';
import { FIXTURE_AUTH_TOKEN, FIXTURE_SMS_FROM, FIXTURE_WHATSAPP_FROM, formBody, loadFixture } from './fixtures.js';

const PUBLIC = 'https://support.example.com';
let fake: FakeTwilio;
before(async () => {
  fake = await startFakeTwilio();
});
after(async () => {
  await fake.close();
});

async function withApp(fn: (app: TestApp) => Promise<void>): Promise<void> {
  const app = await startApp({
    env: {
      PUBLIC_BASE_URL: PUBLIC,
      TWILIO_ACCOUNT_SID: 'ACa1b2c3d4a1b2c3d4a1b2c3d4a1b2c3d4',
      TWILIO_AUTH_TOKEN: FIXTURE_AUTH_TOKEN,
      TWILIO_SMS_FROM: FIXTURE_SMS_FROM,
      TWILIO_WHATSAPP_FROM: FIXTURE_WHATSAPP_FROM,
      TWILIO_API_BASE_URL: fake.url,
      ENABLE_AUTO_ANALYTICS: 'false',
      ENABLE_CHATBOT: 'true',
    },
    modules: [twilioModule],
  });
  try {
    await fn(app);
  } finally {
    await app.stop();
  }
}

function post(app: TestApp, params: Record<string, string>) {
  const path = '/webhooks/twilio/messaging';
  return fetch(app.url + path, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      'x-twilio-signature': signTwilioRequest(FIXTURE_AUTH_TOKEN, PUBLIC + path, params),
    },
    body: formBody(params),
  });
}

const withSid = (params: Record<string, string>, sid: string) => ({ ...params, MessageSid: sid, SmsMessageSid: sid, SmsSid: sid });
type Msg = {
  message_id: string;
  direction: string;
  author: string;
  text: string;
  external_id: string | null;
  delivery: { provider_id: string | null } | null;
};
const messages = async (app: TestApp, id: string) => ((await (await app.api(`/tickets/${id}`)).json()) as { messages: Msg[] }).messages;

test('bot reply to an SMS: empty TwiML to the webhook, reply through the REST API with From/To/StatusCallback', async () => {
  await withApp(async (app) => {
    const before = fake.creates.length;
    const res = await post(app, withSid(loadFixture('messaging', 'sms-basic').params, 'SM' + 'b1'.repeat(16)));
    assert.equal(res.status, 200);
    assert.doesNotMatch(await res.text(), /<Message>/);
    const ticketId = res.headers.get('x-freeda-ticket-id')!;
    const [create] = (await fake.waitForCreates(before + 1)).slice(before);
    assert.equal(create.params.From, FIXTURE_SMS_FROM);
    assert.equal(create.params.To, '+33612345678');
    assert.equal(create.params.StatusCallback, `${PUBLIC}/webhooks/twilio/status`);
    const bot = await eventually(async () => (await messages(app, ticketId)).find((m) => m.author === 'bot' && m.delivery?.provider_id));
    assert.equal(bot.text, create.params.Body);
    assert.equal(bot.delivery!.provider_id, create.sid);
  });
});

test('50 concurrent deliveries of one MessageSid → one bot reply sent', async () => {
  await withApp(async (app) => {
    const before = fake.creates.length;
    const params = withSid(loadFixture('messaging', 'sms-basic').params, 'SM' + 'b2'.repeat(16));
    const responses = await Promise.all(Array.from({ length: 50 }, () => post(app, params)));
    await Promise.all(responses.map((r) => r.text()));
    const ticketId = responses[0].headers.get('x-freeda-ticket-id')!;
    await eventually(async () => (await messages(app, ticketId)).find((m) => m.author === 'bot' && m.delivery?.provider_id));
    // A second customer message on the same ticket is handled after the first one (one queue per ticket):
    // once its reply exists, every decision on the duplicate deliveries has been taken.
    await post(app, withSid({ ...params, Body: 'Et aussi ma box' }, 'SM' + 'b3'.repeat(16)));
    await eventually(
      async () => (await messages(app, ticketId)).filter((m) => m.author === 'bot' && m.delivery?.provider_id).length >= 2 || null,
    );
    const all = await messages(app, ticketId);
    assert.equal(all.filter((m) => m.direction === 'inbound').length, 2);
    assert.equal(all.filter((m) => m.author === 'bot').length, 2);
    assert.equal(fake.creates.length - before, 2);
  });
});

test('no bot reply to STOP (nor to START on SMS); the bot answers the next real message', async () => {
  await withApp(async (app) => {
    const before = fake.creates.length;
    const stop = await post(app, withSid(loadFixture('messaging', 'sms-stop').params, 'SM' + 'b4'.repeat(16)));
    const ticketId = stop.headers.get('x-freeda-ticket-id')!;
    await post(app, withSid(loadFixture('messaging', 'sms-start').params, 'SM' + 'b5'.repeat(16)));
    await post(app, withSid(loadFixture('messaging', 'sms-basic').params, 'SM' + 'b6'.repeat(16)));
    await eventually(async () => (await messages(app, ticketId)).find((m) => m.author === 'bot' && m.delivery?.provider_id));
    const all = await messages(app, ticketId);
    const bots = all.filter((m) => m.author === 'bot');
    assert.equal(bots.length, 1, 'one bot reply, to the real message');
    assert.ok(all.findIndex((m) => m.author === 'bot') > all.findIndex((m) => m.external_id === 'SM' + 'b6'.repeat(16)));
    assert.equal(fake.creates.length - before, 1);
  });
});
