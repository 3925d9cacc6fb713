// Issue #12 item 5, through the real server: a signed recording callback whose RecordingUrl points at another local
// server (not the configured fake Twilio) never makes us fetch it, and nothing of it lands in the ticket.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { twilioModule } from '../../adapters/twilio/index.js';
import { VOICEMAIL_UNTRANSCRIBED_TEXT } from '../../adapters/twilio/voice/normalize.js';
import type { Message } from '../../src/domain/types.js';
import { startApp } from '../helpers/app.js';
import { FIXTURE_AUTH_TOKEN } from '../twilio/fixtures.js';
import { loadVoiceFixture, postSigned, startFakeMistral, startFakeRecordingHost } from '../twilio/voice-fakes.js';

const PUBLIC = 'https://support.example.com';
const ACCOUNT_SID = 'ACa1b2c3d4a1b2c3d4a1b2c3d4a1b2c3d4';
const SECRET = 'INTERNAL-ADMIN-PAGE-CONTENT';

test('RecordingUrl on 127.0.0.1:<another port>: never fetched, not transcribed, no link kept; the voicemail is still recorded', async (t) => {
  const internal = await startFakeRecordingHost({ audio: Buffer.from(SECRET) });
  t.after(() => internal.close());
  const twilioMedia = await startFakeRecordingHost({
    audio: Buffer.from('ID3-voicemail'),
    requireBasic: `${ACCOUNT_SID}:${FIXTURE_AUTH_TOKEN}`,
  });
  t.after(() => twilioMedia.close());
  const mistral = await startFakeMistral();
  t.after(() => mistral.close());
  const app = await startApp({
    modules: [twilioModule],
    env: {
      PUBLIC_BASE_URL: PUBLIC,
      TWILIO_AUTH_TOKEN: FIXTURE_AUTH_TOKEN,
      TWILIO_ACCOUNT_SID: ACCOUNT_SID,
      TWILIO_API_BASE_URL: twilioMedia.url,
      MISTRAL_API_KEY: 'fake-mistral-key',
      MISTRAL_SERVER_URL: mistral.url,
      ENABLE_CHATBOT: 'false',
      ENABLE_AUTO_ANALYTICS: 'false',
    },
  });
  t.after(() => app.stop());
  const post = (path: string, params: Record<string, string>) => postSigned(app.url, PUBLIC, path, params, FIXTURE_AUTH_TOKEN);

  const start = loadVoiceFixture('call-inbound');
  assert.equal((await post(start.path, start.params)).status, 200);
  const recording = loadVoiceFixture('recording-completed');
  const forged = { ...recording.params, RecordingUrl: `${internal.url}/admin/secrets` };
  const res = await post(recording.path, forged);
  assert.equal(res.status, 200);
  assert.equal(internal.requests.length, 0, 'the internal server was never contacted');
  assert.equal(mistral.transcriptions.length, 0);

  const ticketRes = await app.api(`/tickets/${res.ticketId}`);
  const raw = await ticketRes.text();
  const voicemail = (JSON.parse(raw) as { messages: Message[] }).messages.find((m) => m.external_id?.endsWith(':voicemail'));
  assert.ok(voicemail, 'the caller left a message: it is recorded');
  assert.equal(voicemail.text, VOICEMAIL_UNTRANSCRIBED_TEXT);
  assert.deepEqual(voicemail.attachments, []);
  assert.ok(!raw.includes(SECRET) && !raw.includes(new URL(internal.url).host), 'nothing of the internal URL or its content');

  // Control: the same callback with Twilio's URL is fetched from the configured fake, with the credentials.
  const other = { ...recording.params, CallSid: 'CA' + 'e'.repeat(32) };
  assert.equal((await post(recording.path, other)).status, 200);
  assert.equal(twilioMedia.requests.length, 1);
  assert.equal(mistral.transcriptions.length, 1);
  assert.equal(internal.requests.length, 0);
});
