// Recording download (Twilio's API or the configured base origin only, public addresses, no redirect elsewhere) and Voxtral transcription, against loopback fakes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { LookupFunction } from 'node:net';
import { configuredOrigin, fetchRecording, recordingSource, rewriteToApiBase } from '../../adapters/twilio/voice/recording.js';
import { createMistralTranscriber } from '../../adapters/twilio/voice/transcribe.js';
import { startFakeMistral, startFakeRecordingHost } from './voice-fakes.js';

const SID = 'ACa1b2c3d4a1b2c3d4a1b2c3d4a1b2c3d4';
const TOKEN = 'recording_test_token';
const BASIC = `Basic ${Buffer.from(`${SID}:${TOKEN}`).toString('base64')}`;
const CREDENTIALS = { accountSid: SID, authToken: TOKEN };
const RECORDING_PATH = `/2010-04-01/Accounts/${SID}/Recordings/RE0000000000000000000000000000e001.mp3`;

test('only https://api.twilio.com and the configured TWILIO_API_BASE_URL origin are recording sources', () => {
  const fake = 'http://127.0.0.1:4010';
  assert.equal(recordingSource(new URL('https://api.twilio.com/2010-04-01/x'), null), 'twilio');
  assert.equal(recordingSource(new URL('https://API.Twilio.com/x'), null), 'twilio');
  assert.equal(recordingSource(new URL('https://api.twilio.com:443/x'), null), 'twilio');
  for (const other of [
    'http://api.twilio.com/x',
    'https://api.twilio.com:8443/x',
    'https://twilio.com/x',
    'https://media.twiliocdn.com/x',
    'https://api.twilio.com.evil.example/x',
    'https://127.0.0.1:4010/x',
    'http://127.0.0.1:4011/x',
    'http://169.254.169.254/latest/meta-data',
  ])
    assert.equal(recordingSource(new URL(other), fake), null, other);
  assert.equal(recordingSource(new URL(`${fake}/x`), fake), 'configured');
  assert.equal(configuredOrigin('http://127.0.0.1:4010/base/'), fake);
  assert.equal(configuredOrigin('ftp://x'), null);
});

test('TWILIO_API_BASE_URL rewrites api.twilio.com recording URLs only', () => {
  const twilioUrl = `https://api.twilio.com${RECORDING_PATH}`;
  assert.equal(rewriteToApiBase(twilioUrl, 'http://127.0.0.1:4010/'), `http://127.0.0.1:4010${RECORDING_PATH}`);
  assert.equal(rewriteToApiBase(twilioUrl, undefined), twilioUrl);
  assert.equal(rewriteToApiBase('https://cdn.example/x.mp3', 'http://127.0.0.1:4010'), 'https://cdn.example/x.mp3');
});

test('api.twilio.com resolving to a loopback or private address is refused at connect time (DNS rebinding)', async () => {
  // Without the check these would be connection attempts (ECONNREFUSED, or a timeout); the refusal comes first.
  for (const address of ['127.0.0.1', '10.0.0.5', '169.254.169.254']) {
    const lookup = ((_host: string, options: { all?: boolean }, cb: (...args: unknown[]) => void) =>
      options.all ? cb(null, [{ address, family: 4 }]) : cb(null, address, 4)) as unknown as LookupFunction;
    await assert.rejects(
      fetchRecording(`https://api.twilio.com:443${RECORDING_PATH}`, {
        ...CREDENTIALS,
        apiOrigin: null,
        timeoutMs: 2000,
        maxBytes: 1000,
        lookup,
      }),
      /not allowed/,
      address,
    );
  }
});

test('a redirect leaving the allowed origins is refused: the other host is never contacted, credentials never leave', async (t) => {
  const cdn = await startFakeRecordingHost({ audio: Buffer.from('ID3-the-voicemail') });
  t.after(() => cdn.close());
  const twilioHost = await startFakeRecordingHost({ redirectTo: () => cdn.url, requireBasic: `${SID}:${TOKEN}` });
  t.after(() => twilioHost.close());
  await assert.rejects(
    fetchRecording(twilioHost.url + RECORDING_PATH, {
      ...CREDENTIALS,
      apiOrigin: new URL(twilioHost.url).origin,
      timeoutMs: 5000,
      maxBytes: 1 << 20,
    }),
    /refusing to fetch/,
  );
  assert.equal(twilioHost.requests.length, 1);
  assert.equal(twilioHost.requests[0].authorization, BASIC);
  assert.equal(cdn.requests.length, 0);
});

test('the configured origin: same-origin redirects followed with credentials; loops, oversize files and other schemes fail', async (t) => {
  const host = await startFakeRecordingHost({ audio: Buffer.alloc(2048, 1) });
  t.after(() => host.close());
  const apiOrigin = new URL(host.url).origin;
  const audio = await fetchRecording(host.url + RECORDING_PATH, { ...CREDENTIALS, apiOrigin, timeoutMs: 5000, maxBytes: 4096 });
  assert.equal(audio.bytes.byteLength, 2048);
  assert.equal(audio.contentType, 'audio/mpeg');
  assert.equal(host.requests[0].authorization, BASIC);
  await assert.rejects(
    fetchRecording(host.url + RECORDING_PATH, { ...CREDENTIALS, apiOrigin, timeoutMs: 5000, maxBytes: 1000 }),
    /over the 1000/,
  );

  let loopUrl = '';
  const loop = await startFakeRecordingHost({ redirectTo: () => loopUrl });
  loopUrl = loop.url;
  t.after(() => loop.close());
  await assert.rejects(
    fetchRecording(loop.url + '/r.mp3', {
      ...CREDENTIALS,
      apiOrigin: new URL(loop.url).origin,
      timeoutMs: 5000,
      maxBytes: 1000,
      maxRedirects: 3,
    }),
    /more than 3 redirects/,
  );
  assert.equal(loop.requests.length, 4);
  await assert.rejects(
    fetchRecording('file:///etc/passwd', { ...CREDENTIALS, apiOrigin, timeoutMs: 1000, maxBytes: 1000 }),
    /refusing to fetch/,
  );
});

test('a 404 from the recording host is an error (the caller falls back to the attachment note)', async (t) => {
  const server = createServer((_req, res) => res.writeHead(404).end('{}'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/r.mp3`;
  await assert.rejects(fetchRecording(url, { apiOrigin: new URL(url).origin, timeoutMs: 2000, maxBytes: 1000 }), /HTTP 404/);
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
