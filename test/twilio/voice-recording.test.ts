// Recording download (credentials only to Twilio hosts, manual redirects) and Voxtral transcription, against loopback fakes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fetchRecording, isTwilioHost, rewriteToApiBase } from '../../adapters/twilio/voice/recording.js';
import { createMistralTranscriber } from '../../adapters/twilio/voice/transcribe.js';
import { startFakeMistral, startFakeRecordingHost } from './voice-fakes.js';

const SID = 'ACa1b2c3d4a1b2c3d4a1b2c3d4a1b2c3d4';
const TOKEN = 'recording_test_token';
const BASIC = `Basic ${Buffer.from(`${SID}:${TOKEN}`).toString('base64')}`;
const RECORDING_PATH = `/2010-04-01/Accounts/${SID}/Recordings/RE0000000000000000000000000000e001.mp3`;

test('credential policy: only https *.twilio.com by default', () => {
  assert.equal(isTwilioHost(new URL('https://api.twilio.com/2010-04-01/x')), true);
  assert.equal(isTwilioHost(new URL('https://twilio.com/x')), true);
  assert.equal(isTwilioHost(new URL('https://API.Twilio.com./x')), true);
  assert.equal(isTwilioHost(new URL('http://api.twilio.com/x')), false);
  assert.equal(isTwilioHost(new URL('https://evil-twilio.com/x')), false);
  assert.equal(isTwilioHost(new URL('https://api.twilio.com.evil.example/x')), false);
  assert.equal(isTwilioHost(new URL('https://media.twiliocdn.com/x')), false);
  assert.equal(isTwilioHost(new URL('https://127.0.0.1:4010/x')), false);
});

test('TWILIO_API_BASE_URL rewrites api.twilio.com recording URLs only', () => {
  const twilioUrl = `https://api.twilio.com${RECORDING_PATH}`;
  assert.equal(rewriteToApiBase(twilioUrl, 'http://127.0.0.1:4010/'), `http://127.0.0.1:4010${RECORDING_PATH}`);
  assert.equal(rewriteToApiBase(twilioUrl, undefined), twilioUrl);
  assert.equal(rewriteToApiBase('https://cdn.example/x.mp3', 'http://127.0.0.1:4010'), 'https://cdn.example/x.mp3');
});

test('Twilio host redirecting to a CDN: credentials go to the Twilio host, never to the redirect target', async (t) => {
  const cdn = await startFakeRecordingHost({ audio: Buffer.from('ID3-the-voicemail') });
  t.after(() => cdn.close());
  const twilioHost = await startFakeRecordingHost({ redirectTo: () => cdn.url, requireBasic: `${SID}:${TOKEN}` });
  t.after(() => twilioHost.close());
  const twilioOrigin = new URL(twilioHost.url).origin;

  const audio = await fetchRecording(twilioHost.url + RECORDING_PATH, {
    accountSid: SID,
    authToken: TOKEN,
    mayReceiveCredentials: (url) => url.origin === twilioOrigin,
    timeoutMs: 5000,
    maxBytes: 1024 * 1024,
  });
  assert.equal(Buffer.from(audio.bytes).toString(), 'ID3-the-voicemail');
  assert.equal(audio.contentType, 'audio/mpeg');
  assert.equal(twilioHost.requests.length, 1);
  assert.equal(twilioHost.requests[0].authorization, BASIC);
  assert.equal(cdn.requests.length, 1);
  assert.equal(cdn.requests[0].path, `/cdn${RECORDING_PATH}`);
  assert.equal(cdn.requests[0].authorization, undefined);
  assert.deepEqual(
    audio.hops.map((h) => h.withCredentials),
    [true, false],
  );
});

test('default policy sends no credentials to a non-Twilio host; redirect loops and oversize files fail', async (t) => {
  const plain = await startFakeRecordingHost({ audio: Buffer.alloc(2048, 1) });
  t.after(() => plain.close());
  const audio = await fetchRecording(plain.url + RECORDING_PATH, {
    accountSid: SID,
    authToken: TOKEN,
    mayReceiveCredentials: isTwilioHost,
    timeoutMs: 5000,
    maxBytes: 4096,
  });
  assert.equal(audio.bytes.byteLength, 2048);
  assert.equal(plain.requests[0].authorization, undefined);

  await assert.rejects(
    fetchRecording(plain.url + RECORDING_PATH, {
      accountSid: SID,
      authToken: TOKEN,
      mayReceiveCredentials: isTwilioHost,
      timeoutMs: 5000,
      maxBytes: 1000,
    }),
    /over the 1000/,
  );

  let loopUrl = '';
  const loop = await startFakeRecordingHost({ redirectTo: () => loopUrl });
  loopUrl = loop.url;
  t.after(() => loop.close());
  await assert.rejects(
    fetchRecording(loop.url + '/r.mp3', {
      accountSid: SID,
      authToken: TOKEN,
      mayReceiveCredentials: () => true,
      timeoutMs: 5000,
      maxBytes: 1000,
      maxRedirects: 3,
    }),
    /more than 3 redirects/,
  );
  assert.equal(loop.requests.length, 4);

  await assert.rejects(
    fetchRecording('file:///etc/passwd', {
      accountSid: SID,
      authToken: TOKEN,
      mayReceiveCredentials: () => true,
      timeoutMs: 1000,
      maxBytes: 1000,
    }),
    /refusing to fetch a file: URL/,
  );
});

test('a 404 from the recording host is an error (the caller falls back to the attachment note)', async (t) => {
  const server = createServer((_req, res) => res.writeHead(404).end('{}'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/r.mp3`;
  await assert.rejects(fetchRecording(url, { mayReceiveCredentials: () => false, timeoutMs: 2000, maxBytes: 1000 }), /HTTP 404/);
});

test('Voxtral transcription through the Mistral SDK: multipart with model, language fr and the audio', async (t) => {
  const mistral = await startFakeMistral();
  t.after(() => mistral.close());
  mistral.transcriptionText = '  Bonjour,   je voudrais   être rappelé. ';
  const transcribe = createMistralTranscriber({ apiKey: 'fake-mistral-key', serverUrl: mistral.url, timeoutMs: 5000 });
  const text = await transcribe({ bytes: Buffer.from('ID3-audio-bytes'), contentType: 'audio/mpeg', fileName: 'RE1.mp3' });
  assert.equal(text, 'Bonjour, je voudrais être rappelé.');
  assert.equal(mistral.transcriptions.length, 1);
  const request = mistral.transcriptions[0];
  assert.equal(request.authorization, 'Bearer fake-mistral-key');
  assert.equal(request.fields.model, 'voxtral-mini-latest');
  assert.equal(request.fields.language, 'fr');
  assert.equal(request.fileName, 'RE1.mp3');
  assert.equal(request.fileBytes, 'ID3-audio-bytes'.length);

  mistral.transcriptionText = '   ';
  await assert.rejects(transcribe({ bytes: Buffer.from('x'), contentType: 'audio/mpeg', fileName: 'RE2.mp3' }), /empty/);
});

test('transcription with Mistral down rejects (no hang)', async () => {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  const transcribe = createMistralTranscriber({ apiKey: 'k', serverUrl: url, timeoutMs: 3000 });
  await assert.rejects(transcribe({ bytes: Buffer.from('x'), contentType: 'audio/mpeg', fileName: 'RE3.mp3' }));
});
