// The Twilio sender against a local fake Twilio REST API: what is sent, and how errors are classified.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createTwilioClient, createTwilioSender, senderAvailability } from '../../adapters/twilio/send.js';
import { splitText } from '../../adapters/twilio/split.js';
import type { TwilioMessagingSettings } from '../../adapters/twilio/types.js';
import type { OutboundSendRequest } from '../../src/domain/channel.js';
import type { Channel, ContactRecord, Message } from '../../src/domain/types.js';
import { newTicket, queuedDelivery } from '../../src/domain/ticket.js';
import { startFakeTwilio, type FakeTwilio } from '../fakes/twilio.js';

const NOW = new Date('2026-11-24T22:00:00.000Z');
const ACCOUNT_SID = 'AC' + '1'.repeat(32);
const AUTH_TOKEN = 'secret_token_for_tests';
let fake: FakeTwilio;

before(async () => {
  fake = await startFakeTwilio();
});
after(async () => {
  await fake.close();
});

function settings(overrides: Partial<TwilioMessagingSettings> = {}): TwilioMessagingSettings {
  return {
    accountSid: ACCOUNT_SID,
    authToken: AUTH_TOKEN,
    smsFrom: '+15005550006',
    whatsappFrom: 'whatsapp:+14155238886',
    apiBaseUrl: fake.url,
    ...overrides,
  };
}

function sender(overrides: Partial<TwilioMessagingSettings> = {}) {
  const s = settings(overrides);
  const availability = senderAvailability(s);
  assert.ok(availability.ok);
  return createTwilioSender({
    settings: s,
    client: createTwilioClient(s),
    channels: availability.channels,
    deps: { now: () => NOW, publicBaseUrl: () => 'https://support.example.com/' },
  });
}

function message(text: string, overrides: Partial<Message> = {}): Message {
  return {
    message_id: 'MSG-' + Math.random().toString(36).slice(2),
    ticket_id: 'T1',
    direction: 'outbound',
    author: 'bot',
    text,
    attachments: [],
    external_id: null,
    created_at: NOW.toISOString(),
    delivery: queuedDelivery(NOW.toISOString()),
    ...overrides,
  };
}

function request(
  channel: Channel,
  text: string,
  opts: { lastInboundAt?: string | null; contact?: Partial<ContactRecord> | null } = {},
): OutboundSendRequest {
  const address = channel === 'whatsapp' ? 'whatsapp:+33612345678' : '+33612345678';
  const ticket = newTicket({ ticket_id: 'T1', channel, contact: { address }, now: NOW.toISOString() });
  const lastInboundAt = opts.lastInboundAt === undefined ? new Date(NOW.getTime() - 60_000).toISOString() : opts.lastInboundAt;
  const lastInbound = lastInboundAt
    ? message('hello', { direction: 'inbound', author: 'customer', created_at: lastInboundAt, delivery: null })
    : null;
  const contact: ContactRecord | null =
    opts.contact === null
      ? null
      : {
          channel,
          address,
          display_name: null,
          opted_out: false,
          opted_out_at: null,
          last_inbound_at: lastInboundAt,
          updated_at: NOW.toISOString(),
          ...opts.contact,
        };
  return { ticket, message: message(text), contact, lastInbound, history: lastInbound ? [lastInbound] : [] };
}

test('SMS reply: From/To/Body/StatusCallback and Basic auth reach the Twilio API', async () => {
  const before = fake.creates.length;
  const result = await sender().send(request('sms', 'Bonjour, votre ticket est ouvert.'));
  assert.equal(result.ok, true);
  const [create] = fake.creates.slice(before);
  assert.equal(create.path, `/2010-04-01/Accounts/${ACCOUNT_SID}/Messages.json`);
  assert.deepEqual(create.params, {
    To: '+33612345678',
    From: '+15005550006',
    Body: 'Bonjour, votre ticket est ouvert.',
    StatusCallback: 'https://support.example.com/webhooks/twilio/status',
  });
  assert.equal(create.authorization, 'Basic ' + Buffer.from(`${ACCOUNT_SID}:${AUTH_TOKEN}`).toString('base64'));
  assert.ok(result.ok && result.provider_id === create.sid && result.status === 'queued');
});

test('WhatsApp reply uses whatsapp: addresses; Messaging Service used when no From', async () => {
  const before = fake.creates.length;
  await sender().send(request('whatsapp', 'Salut'));
  const whatsapp = fake.creates[before];
  assert.equal(whatsapp.params.To, 'whatsapp:+33612345678');
  assert.equal(whatsapp.params.From, 'whatsapp:+14155238886');

  const viaService = await sender({ smsFrom: undefined, whatsappFrom: undefined, messagingServiceSid: 'MG' + '2'.repeat(32) }).send(
    request('sms', 'Hi'),
  );
  const service = fake.creates[before + 1];
  assert.equal(service.params.MessagingServiceSid, 'MG' + '2'.repeat(32));
  assert.equal(service.params.From, undefined);
  assert.ok(viaService.ok && viaService.status === 'queued', 'accepted maps to queued');
});

test('long text is split at word boundaries into several creates; first sid is provider_id', async () => {
  const before = fake.creates.length;
  const words = Array.from({ length: 700 }, (_, i) => `mot${i}`).join(' '); // ~4.5k chars
  const result = await sender().send(request('sms', words));
  const creates = fake.creates.slice(before);
  assert.ok(creates.length >= 3);
  assert.equal(creates.map((c) => c.params.Body).join(' '), words, 'nothing lost, nothing cut inside a word');
  for (const c of creates) assert.ok(Array.from(c.params.Body).length <= 1600);
  assert.ok(result.ok);
  assert.equal(result.provider_id, creates[0].sid);
  assert.deepEqual(
    result.extra_provider_ids,
    creates.slice(1).map((c) => c.sid),
  );
});

test('a failed later part is retried alone: parts already sent are not sent twice', async () => {
  const s = sender();
  const req = request('sms', 'a'.repeat(1000) + ' ' + 'b'.repeat(1000));
  const before = fake.creates.length;
  fake.script({ kind: 'ok' }, { kind: 'error', httpStatus: 503 });
  const first = await s.send(req);
  assert.equal(first.ok, false);
  assert.ok(!first.ok && first.retryable);
  const second = await s.send(req);
  assert.ok(second.ok);
  const bodies = fake.creates.slice(before).map((c) => c.params.Body[0]);
  assert.deepEqual(bodies, ['a', 'b', 'b']);
  assert.equal(second.provider_id, fake.creates[before].sid);
});

test('errors: 429/5xx/network retryable; 21610, 63016, 21211 and other 4xx permanent with the code', async () => {
  const s = sender();
  const cases: Array<[Parameters<FakeTwilio['script']>[0], boolean, string]> = [
    [{ kind: 'error', httpStatus: 429, code: 20429, message: 'Too Many Requests' }, true, '20429'],
    [{ kind: 'error', httpStatus: 500, code: 20500, message: 'Internal Server Error' }, true, '20500'],
    [{ kind: 'error', httpStatus: 503 }, true, '503'],
    [{ kind: 'error', httpStatus: 400, code: 21610, message: 'Attempt to send to unsubscribed recipient' }, false, '21610'],
    [{ kind: 'error', httpStatus: 400, code: 63016, message: '' }, false, '63016'],
    [{ kind: 'error', httpStatus: 400, code: 21211, message: "The 'To' number is not valid." }, false, '21211'],
    [{ kind: 'error', httpStatus: 401, code: 20003, message: 'Authenticate' }, false, '20003'],
    [{ kind: 'drop' }, true, ''],
  ];
  for (const [reply, retryable, code] of cases) {
    fake.script(reply);
    const result = await s.send(request('sms', 'x'));
    assert.equal(result.ok, false, JSON.stringify(reply));
    if (result.ok) continue;
    assert.equal(result.retryable, retryable, JSON.stringify(reply));
    if (code) assert.equal(result.error_code, code);
    else assert.match(result.error_code, /^network/);
    assert.ok(result.error_message.length > 0);
  }
  // Unreachable API (nothing listens): network error, retryable.
  const closed = await startFakeTwilio();
  await closed.close();
  const down = await sender({ apiBaseUrl: closed.url }).send(request('sms', 'x'));
  assert.ok(!down.ok && down.retryable && /^network/.test(down.error_code));
});

test('precheck: opted-out contact refused; WhatsApp outside 24 h (or never wrote) refused with 63016; nothing sent', async () => {
  const s = sender();
  const before = fake.creates.length;
  const optedOut = s.precheck!(request('sms', 'x', { contact: { opted_out: true, opted_out_at: NOW.toISOString() } }));
  assert.deepEqual(optedOut.ok ? null : optedOut.error_code, 'opted_out');
  const stale = new Date(NOW.getTime() - 25 * 3600_000).toISOString();
  const outside = s.precheck!(request('whatsapp', 'x', { lastInboundAt: stale }));
  assert.equal(outside.ok ? null : outside.error_code, '63016');
  assert.match(outside.ok ? '' : outside.error_message, /24 h/);
  const never = s.precheck!(request('whatsapp', 'x', { lastInboundAt: null, contact: null }));
  assert.equal(never.ok ? null : never.error_code, '63016');
  assert.equal(s.precheck!(request('whatsapp', 'x')).ok, true);
  assert.equal(s.precheck!(request('sms', 'x', { lastInboundAt: stale })).ok, true, 'the 24 h window is WhatsApp only');
  const sendOutside = await s.send(request('whatsapp', 'x', { lastInboundAt: stale }));
  assert.ok(!sendOutside.ok && !sendOutside.retryable && sendOutside.error_code === '63016');
  assert.equal(fake.creates.length, before);
});

test('sender availability: disabled with a reason when credentials or senders are missing', () => {
  const noSid = senderAvailability({ authToken: 't', smsFrom: '+15005550006' });
  assert.ok(!noSid.ok && /TWILIO_ACCOUNT_SID/.test(noSid.reason));
  const noFrom = senderAvailability({ accountSid: ACCOUNT_SID, authToken: 't' });
  assert.ok(!noFrom.ok && /TWILIO_SMS_FROM/.test(noFrom.reason));
  assert.deepEqual(senderAvailability({ accountSid: ACCOUNT_SID, authToken: 't', smsFrom: '+15005550006' }), {
    ok: true,
    channels: ['sms'],
  });
});

test('splitText', () => {
  assert.deepEqual(splitText('court', 1600), ['court']);
  assert.deepEqual(splitText('aa bb cc', 5), ['aa bb', 'cc']);
  assert.deepEqual(splitText('abcdefgh', 3), ['abc', 'def', 'gh']);
  const emoji = '🚀'.repeat(5);
  assert.deepEqual(splitText(emoji, 2), ['🚀🚀', '🚀🚀', '🚀'], 'never cuts a surrogate pair');
});
