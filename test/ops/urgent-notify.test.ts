// Urgent notifications through the real Twilio and SendGrid senders, against the local fakes: an urgent SMS ticket →
// exactly one SMS to on-call and one email, with the dashboard link, once per ticket however often it is analysed;
// recorded as system notes whose delivery follows Twilio's status callback. Quiet hours suppress (clock injected,
// Europe/Paris local time); more than N per minute → one digest.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { sendgridModule } from '../../adapters/sendgrid/index.js';
import { twilioModule } from '../../adapters/twilio/index.js';
import { signTwilioRequest } from '../../adapters/twilio/verify.js';
import type { Message } from '../../src/domain/types.js';
import { inQuietHours, parseQuietHours } from '../../src/notify/rules.js';
import { eventually, startApp, type TestApp } from '../helpers/app.js';
import { startFakeTwilio, type FakeTwilio } from '../fakes/twilio.js';
import { startFakeSendGrid, type FakeSendGrid } from '../sendgrid/fake-sendgrid.js';
import { FIXTURE_AUTH_TOKEN, FIXTURE_SMS_FROM, loadFixture } from '../twilio/fixtures.js';

const PUBLIC = 'https://support.example.com';
const ON_CALL_PHONE = '+33699999999';
const ON_CALL_EMAIL = 'astreinte@example.com';
const URGENT_TEXT = 'URGENT : plus aucune connexion internet depuis ce matin, je ne peux pas travailler';

let twilio: FakeTwilio;
let sendgrid: FakeSendGrid;
before(async () => {
  twilio = await startFakeTwilio();
  sendgrid = await startFakeSendGrid();
});
after(async () => {
  await twilio.close();
  await sendgrid.close();
});

function env(extra: Record<string, string> = {}): Record<string, string> {
  return {
    PUBLIC_BASE_URL: PUBLIC,
    TWILIO_ACCOUNT_SID: 'ACa1b2c3d4a1b2c3d4a1b2c3d4a1b2c3d4',
    TWILIO_AUTH_TOKEN: FIXTURE_AUTH_TOKEN,
    TWILIO_SMS_FROM: FIXTURE_SMS_FROM,
    TWILIO_API_BASE_URL: twilio.url,
    SENDGRID_API_KEY: 'SG.test',
    SENDGRID_API_BASE_URL: sendgrid.url,
    SUPPORT_EMAIL_FROM: 'support@freeda.example',
    ENABLE_CHATBOT: 'false',
    NOTIFY_SMS_TO: ON_CALL_PHONE,
    NOTIFY_EMAIL_TO: ON_CALL_EMAIL,
    ...extra,
  };
}

async function signedPost(app: TestApp, path: string, params: Record<string, string>): Promise<Response> {
  return fetch(app.url + path, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      'x-twilio-signature': signTwilioRequest(FIXTURE_AUTH_TOKEN, PUBLIC + path, params),
    },
    body: new URLSearchParams(params).toString(),
  });
}

async function sms(app: TestApp, from: string, body: string): Promise<string> {
  const sid = 'SM' + randomBytes(16).toString('hex');
  const params = {
    ...loadFixture('messaging', 'sms-basic').params,
    MessageSid: sid,
    SmsMessageSid: sid,
    SmsSid: sid,
    From: from,
    Body: body,
  };
  const res = await signedPost(app, '/webhooks/twilio/messaging', params);
  assert.equal(res.status, 200);
  return res.headers.get('x-freeda-ticket-id')!;
}

async function notes(app: TestApp, ticketId: string): Promise<Message[]> {
  const ticket = (await (await app.api(`/tickets/${ticketId}`)).json()) as { messages: Message[] };
  return ticket.messages.filter((m) => m.author === 'system' && String(m.external_id ?? '').startsWith('notify:urgent:'));
}

const toOnCall = () => twilio.creates.filter((c) => c.params.To === ON_CALL_PHONE && c.sid);
const mailsToOnCall = () => sendgrid.sends.filter((s) => s.body.personalizations[0].to[0].email === ON_CALL_EMAIL && s.status === 202);

describe('urgent notifications', () => {
  let app: TestApp;
  /** Injected clock: 14:00 in Paris (12:00 UTC in summer time), moved by the tests. */
  let clock = new Date('2026-06-10T12:00:00Z');
  before(async () => {
    app = await startApp({
      modules: [twilioModule, sendgridModule],
      env: env({ NOTIFY_QUIET_HOURS: '22:00-07:00@Europe/Paris', NOTIFY_DIGEST_PER_MINUTE: '2' }),
      now: () => clock,
    });
  });
  after(() => app?.stop());

  const settle = async () => {
    await app.app.work.idle();
    await app.app.notifier.idle();
  };

  it('an urgent SMS ticket: exactly one SMS and one email to on-call, with the link, once per ticket; notes follow delivery', async () => {
    const sms0 = toOnCall().length;
    const mail0 = mailsToOnCall().length;
    const ticketId = await sms(app, '+33611110001', URGENT_TEXT);
    await eventually(async () => (await notes(app, ticketId)).length === 2 && toOnCall().length > sms0);
    await settle();
    // Analysed again (a new message, then the close): still one of each.
    await sms(app, '+33611110001', 'Toujours rien, URGENT');
    await settle();
    assert.equal(
      (await app.api(`/tickets/${ticketId}/status`, { method: 'PATCH', body: JSON.stringify({ status: 'fermé' }) })).status,
      200,
    );
    await settle();
    const sent = toOnCall().slice(sms0);
    const mails = mailsToOnCall().slice(mail0);
    assert.equal(sent.length, 1);
    assert.equal(mails.length, 1);
    assert.match(sent[0].params.Body, new RegExp(`${PUBLIC}/agent#ticket=${ticketId}`));
    assert.match(mails[0].body.content.map((c) => c.value).join('\n'), new RegExp(`/agent#ticket=${ticketId}`));
    // The customer got nothing from this (the chatbot is off): no other create went to their number.
    assert.equal(twilio.creates.filter((c) => c.params.To === '+33611110001').length, 0);

    const recorded = await notes(app, ticketId);
    assert.deepEqual(recorded.map((n) => n.external_id).sort(), [`notify:urgent:${ticketId}:email`, `notify:urgent:${ticketId}:sms`]);
    const smsNote = recorded.find((n) => n.external_id!.endsWith(':sms'))!;
    assert.equal(smsNote.delivery?.provider_id, sent[0].sid);
    assert.notEqual(smsNote.delivery?.status, 'failed');
    // Twilio's status callback for that SID: the note's delivery becomes delivered (honest state).
    const status = {
      ...loadFixture('status', 'status-delivered').params,
      MessageSid: sent[0].sid!,
      SmsSid: sent[0].sid!,
      To: ON_CALL_PHONE,
    };
    assert.equal((await signedPost(app, '/webhooks/twilio/status', status)).status, 200);
    await eventually(
      async () => (await notes(app, ticketId)).find((n) => n.external_id!.endsWith(':sms'))?.delivery?.status === 'delivered',
    );
  });

  it('a non-urgent ticket notifies nobody', async () => {
    const sms0 = toOnCall().length;
    const ticketId = await sms(app, '+33611110002', 'Bonjour, quels sont vos horaires ?');
    await settle();
    assert.equal(toOnCall().length, sms0);
    assert.equal((await notes(app, ticketId)).length, 0);
  });

  it('quiet hours (23:30 in Paris) suppress the send and say so in a note', async () => {
    clock = new Date('2026-06-10T21:30:00Z');
    const sms0 = toOnCall().length;
    const mail0 = mailsToOnCall().length;
    const ticketId = await sms(app, '+33611110003', URGENT_TEXT);
    await eventually(async () => (await notes(app, ticketId)).length === 2);
    await settle();
    assert.equal(toOnCall().length, sms0);
    assert.equal(mailsToOnCall().length, mail0);
    for (const note of await notes(app, ticketId)) {
      assert.match(note.text, /heures calmes 22:00-07:00@Europe\/Paris/);
      assert.equal(note.delivery, null);
    }
    clock = new Date('2026-06-11T12:00:00Z');
  });

  it('more than N per minute: the first N one by one, the rest in one digest', async () => {
    clock = new Date('2026-06-12T12:00:00Z');
    const sms0 = toOnCall().length;
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push(await sms(app, `+3361111020${i}`, URGENT_TEXT));
    await eventually(async () => {
      for (const id of ids) if ((await notes(app, id)).length !== 2) return false;
      return true;
    });
    await settle();
    assert.equal(toOnCall().length - sms0, 2); // NOTIFY_DIGEST_PER_MINUTE=2
    await app.app.notifier.flushDigest();
    const sent = toOnCall().slice(sms0);
    assert.equal(sent.length, 3);
    const digest = sent[2].params.Body;
    assert.match(digest, /3 autres tickets urgents/);
    const inDigest = ids.filter((id) => digest.includes(id));
    assert.equal(inDigest.length, 3);
    for (const id of inDigest) {
      const note = (await notes(app, id)).find((n) => n.external_id!.endsWith(':sms'))!;
      assert.match(note.text, /résumé/);
      assert.notEqual(note.delivery?.status, 'failed');
      assert.ok(note.delivery && note.delivery.attempts === 1);
    }
  });
});

describe('quiet hours are local time', () => {
  it('22:00-07:00@Europe/Paris across summer and winter time', () => {
    const quiet = parseQuietHours('22:00-07:00@Europe/Paris');
    assert.equal(inQuietHours(new Date('2026-06-10T20:30:00Z'), quiet), true); // 22:30 CEST
    assert.equal(inQuietHours(new Date('2026-06-10T19:30:00Z'), quiet), false); // 21:30 CEST
    assert.equal(inQuietHours(new Date('2026-01-10T21:30:00Z'), quiet), true); // 22:30 CET
    assert.equal(inQuietHours(new Date('2026-01-10T20:30:00Z'), quiet), false); // 21:30 CET
    assert.equal(inQuietHours(new Date('2026-01-10T05:59:00Z'), quiet), true); // 06:59 CET
    assert.equal(inQuietHours(new Date('2026-01-10T06:00:00Z'), quiet), false); // 07:00 CET
    assert.throws(() => parseQuietHours('22h-7h'), /22:00-07:00@Europe\/Paris/);
    assert.throws(() => parseQuietHours('22:00-07:00@Mars/Olympus'), /unknown time zone/);
  });
});
