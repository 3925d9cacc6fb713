// Issue #12 item 4: provider ids are checked against the provider's format before anything is stored, through the real
// server. The replayed-with-shifted-boundary attack (a captured signed SMS, `MessageSid=<sid>NumMedia0` and no
// `NumMedia`) keeps a valid signature and must still be refused.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { normalizeMessageId } from '../../adapters/sendgrid/parse.js';
import { twilioModule } from '../../adapters/twilio/index.js';
import { signTwilioRequest } from '../../adapters/twilio/verify.js';
import { startApp, type TestApp } from '../helpers/app.js';
import { storedMessages } from '../helpers/counts.js';
import { FIXTURE_AUTH_TOKEN, formBody, loadFixture } from '../twilio/fixtures.js';
import { loadVoiceFixture } from '../twilio/voice-fakes.js';

const PUBLIC = 'https://support.example.com';
const OUR_ACCOUNT = 'ACa1b2c3d4a1b2c3d4a1b2c3d4a1b2c3d4';
const SMS_PATH = '/webhooks/twilio/messaging';

const newSid = (prefix: string) => prefix + randomBytes(16).toString('hex');

async function withApp(fn: (app: TestApp) => Promise<void>): Promise<void> {
  const app = await startApp({
    modules: [twilioModule],
    env: {
      PUBLIC_BASE_URL: PUBLIC,
      TWILIO_AUTH_TOKEN: FIXTURE_AUTH_TOKEN,
      TWILIO_ACCOUNT_SID: OUR_ACCOUNT,
      ENABLE_CHATBOT: 'false',
      ENABLE_AUTO_ANALYTICS: 'false',
    },
  });
  try {
    await fn(app);
  } finally {
    await app.stop();
  }
}

function post(app: TestApp, pathAndQuery: string, params: Record<string, string>, signature?: string) {
  return fetch(app.url + pathAndQuery, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      'x-twilio-signature': signature ?? signTwilioRequest(FIXTURE_AUTH_TOKEN, PUBLIC + pathAndQuery, params),
    },
    body: formBody(params),
  });
}

async function refusal(res: Response): Promise<{ code: string; message: string }> {
  assert.equal(res.status, 400);
  assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
  return ((await res.json()) as { error: { code: string; message: string } }).error;
}

test('a captured SMS replayed with a shifted boundary (MessageSid=<sid>NumMedia0, no NumMedia) verifies but is refused: 400, nothing stored', async () => {
  await withApp(async (app) => {
    const sid = newSid('SM');
    const captured: Record<string, string> = {
      ...loadFixture('messaging', 'sms-basic').params,
      MessageSid: sid,
      SmsMessageSid: sid,
      SmsSid: sid,
    };
    const signature = signTwilioRequest(FIXTURE_AUTH_TOKEN, PUBLIC + SMS_PATH, captured);
    const first = await post(app, SMS_PATH, captured, signature);
    assert.equal(first.status, 200);

    const { NumMedia, ...withoutNumMedia } = captured;
    const shifted = { ...withoutNumMedia, MessageSid: `${sid}NumMedia${NumMedia}` };
    // The premise of the attack: the same signature is valid for the shifted parameters.
    assert.equal(signTwilioRequest(FIXTURE_AUTH_TOKEN, PUBLIC + SMS_PATH, shifted), signature);
    const error = await refusal(await post(app, SMS_PATH, shifted, signature));
    assert.equal(error.code, 'invalid_twilio_id');
    assert.match(error.message, /MessageSid/);

    const messages = await storedMessages(app.url);
    assert.deepEqual(
      messages.map((m) => m.external_id),
      [sid],
      'only the genuine message is stored',
    );
  });
});

test('every id Twilio sends is checked: message, call, recording and account sids; aliases must agree; our account only', async () => {
  await withApp(async (app) => {
    const sms = loadFixture('messaging', 'sms-basic').params;
    const sid = newSid('SM');
    const cases: Array<[string, string, Record<string, string>, string]> = [
      ['short MessageSid', SMS_PATH, { ...sms, MessageSid: 'SM123', SmsMessageSid: 'SM123', SmsSid: 'SM123' }, 'invalid_twilio_id'],
      ['non-hex MessageSid', SMS_PATH, { ...sms, MessageSid: 'SM' + 'z'.repeat(32), SmsSid: '', SmsMessageSid: '' }, 'invalid_twilio_id'],
      ['aliases disagree', SMS_PATH, { ...sms, MessageSid: sid, SmsMessageSid: newSid('SM'), SmsSid: sid }, 'invalid_twilio_id'],
      [
        'another account',
        SMS_PATH,
        { ...sms, MessageSid: sid, SmsMessageSid: sid, SmsSid: sid, AccountSid: 'AC' + 'f'.repeat(32) },
        'wrong_twilio_account',
      ],
      [
        'malformed AccountSid',
        SMS_PATH,
        { ...sms, MessageSid: sid, SmsMessageSid: sid, SmsSid: sid, AccountSid: 'ACme' },
        'invalid_twilio_id',
      ],
      [
        'status callback with a shifted MessageSid',
        '/webhooks/twilio/status',
        { ...loadFixture('status', 'status-delivered').params, MessageSid: `${sid}MessageStatusdelivered` },
        'invalid_twilio_id',
      ],
    ];
    const call = loadVoiceFixture('call-inbound');
    cases.push([
      'CallSid with extra characters',
      call.path,
      { ...call.params, CallSid: `${call.params.CallSid}Direction` },
      'invalid_twilio_id',
    ]);
    const recording = loadVoiceFixture('recording-completed');
    cases.push(['RecordingSid not RE…', recording.path, { ...recording.params, RecordingSid: 'RE-not-an-id' }, 'invalid_twilio_id']);
    for (const [name, path, params, code] of cases) {
      const error = await refusal(await post(app, path, params));
      assert.equal(error.code, code, name);
    }
    assert.deepEqual(await storedMessages(app.url), [], 'nothing stored');
    // The same shapes with Twilio's ids are accepted.
    assert.equal((await post(app, SMS_PATH, { ...sms, MessageSid: sid, SmsMessageSid: sid, SmsSid: sid })).status, 200);
    assert.equal((await post(app, call.path, call.params)).status, 200);
  });
});

test('email Message-IDs: control characters and our own sha256: key namespace count as no Message-ID (content hash instead)', () => {
  assert.equal(normalizeMessageId('<abc.123@mail.example>'), 'abc.123@mail.example');
  assert.equal(normalizeMessageId('<sha256:0123abcd>'), null);
  assert.equal(normalizeMessageId('<SHA256:0123abcd@x>'), null);
  assert.equal(normalizeMessageId('<a\u0007b@x>'), null);
  assert.equal(normalizeMessageId(`<${'a'.repeat(999)}@x>`), null);
});
