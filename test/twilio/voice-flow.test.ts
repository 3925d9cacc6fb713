// Phone calls through the real server (real HTTP, json store in a temp dir), with fixture payloads signed like Twilio.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { twilioModule } from '../../adapters/twilio/index.js';
import { PHRASES } from '../../adapters/twilio/voice/twiml.js';
import { readTwiml, type TwimlVerb } from '../../adapters/twilio/voice/twiml-read.js';
import { VOICEMAIL_UNTRANSCRIBED_TEXT } from '../../adapters/twilio/voice/normalize.js';
import type { Message, Ticket } from '../../src/domain/types.js';
import { eventually, startApp, type TestApp } from '../helpers/app.js';
import { FIXTURE_AUTH_TOKEN } from './fixtures.js';
import {
  loadVoiceFixture,
  postSigned,
  startFakeMistral,
  startFakeRecordingHost,
  type FakeMistral,
  type FakeRecordingHost,
} from './voice-fakes.js';

const PUBLIC_BASE = 'https://support.example.com';
const ACCOUNT_SID = 'ACa1b2c3d4a1b2c3d4a1b2c3d4a1b2c3d4';

type TicketWithMessages = Ticket & { messages: Message[] };

interface Call {
  app: TestApp;
  /** POST like Twilio: signed for PUBLIC_BASE + pathAndQuery, delivered to the local server. */
  post(
    pathAndQuery: string,
    params: Record<string, string>,
    signature?: string,
  ): Promise<{ status: number; body: string; ticketId: string | null; contentType: string | null }>;
  /** POST and read the TwiML answer (asserts 200 text/xml). */
  turn(pathAndQuery: string, params: Record<string, string>): Promise<{ verbs: TwimlVerb[]; ticketId: string | null }>;
  ticket(id: string): Promise<TicketWithMessages>;
  telephoneTickets(): Promise<Ticket[]>;
}

async function startCallServer(env: Record<string, string> = {}): Promise<Call> {
  const app = await startApp({
    modules: [twilioModule],
    env: {
      PUBLIC_BASE_URL: PUBLIC_BASE,
      TWILIO_AUTH_TOKEN: FIXTURE_AUTH_TOKEN,
      TWILIO_ACCOUNT_SID: ACCOUNT_SID,
      ENABLE_AUTO_ANALYTICS: 'false',
      ...env,
    },
  });
  const post: Call['post'] = (pathAndQuery, params, signature) =>
    postSigned(app.url, PUBLIC_BASE, pathAndQuery, params, FIXTURE_AUTH_TOKEN, signature);
  return {
    app,
    post,
    async turn(pathAndQuery, params) {
      const res = await post(pathAndQuery, params);
      assert.equal(res.status, 200, res.body);
      assert.match(res.contentType ?? '', /^text\/xml/);
      return { verbs: readTwiml(res.body), ticketId: res.ticketId };
    },
    async ticket(id) {
      const res = await app.api(`/tickets/${encodeURIComponent(id)}`);
      assert.equal(res.status, 200);
      return (await res.json()) as TicketWithMessages;
    },
    async telephoneTickets() {
      const res = await app.api('/tickets?channel=telephone');
      assert.equal(res.status, 200);
      return ((await res.json()) as { items: Ticket[] }).items;
    },
  };
}

/** Path + query of the URL Twilio would call next (Gather action), checked to be on our public base. */
function gatherAction(verbs: TwimlVerb[]): string {
  const gather = verbs.find((v) => v.verb === 'Gather');
  assert.ok(gather, `no <Gather> in ${JSON.stringify(verbs)}`);
  assert.equal(gather.attributes.input, 'speech');
  assert.equal(gather.attributes.language, 'fr-FR');
  assert.ok(gather.attributes.action.startsWith(PUBLIC_BASE), gather.attributes.action);
  return gather.attributes.action.slice(PUBLIC_BASE.length);
}

function says(verbs: TwimlVerb[]): string[] {
  return verbs
    .filter((v) => v.verb === 'Say')
    .map((v) => {
      assert.equal(v.attributes.language, 'fr-FR');
      return v.text;
    });
}

function speech(params: Record<string, string>, text: string, callSid?: string): Record<string, string> {
  return { ...params, ...(callSid ? { CallSid: callSid } : {}), SpeechResult: text, Confidence: '0.91' };
}

test('call with the chatbot off: greeting, two speech turns kept on one telephone ticket, holding phrase, hang-up note', async (t) => {
  const call = await startCallServer({ ENABLE_CHATBOT: 'false' });
  t.after(() => call.app.stop());
  const start = loadVoiceFixture('call-inbound');
  const gather = loadVoiceFixture('gather-speech');

  const greeting = await call.turn(start.path, start.params);
  assert.deepEqual(
    greeting.verbs.map((v) => v.verb),
    ['Say', 'Gather', 'Redirect'],
  );
  assert.equal(says(greeting.verbs)[0], PHRASES.greeting);
  assert.equal(gatherAction(greeting.verbs), '/webhooks/twilio/voice/gather?step=1');
  assert.ok(greeting.ticketId);

  const first = await call.turn(gatherAction(greeting.verbs), speech(gather.params, 'Mon internet ne marche plus depuis hier.'));
  assert.equal(first.ticketId, greeting.ticketId);
  assert.deepEqual(says(first.verbs), [PHRASES.holding, PHRASES.anythingElse]);
  assert.equal(gatherAction(first.verbs), '/webhooks/twilio/voice/gather?step=2');

  const second = await call.turn(gatherAction(first.verbs), speech(gather.params, 'Le voyant est rouge.'));
  assert.equal(gatherAction(second.verbs), '/webhooks/twilio/voice/gather?step=3');

  const status = loadVoiceFixture('status-completed');
  const hangup = await call.post(status.path, status.params);
  assert.equal(hangup.status, 200);
  assert.deepEqual(readTwiml(hangup.body), []);

  const written = await call.app.api(`/tickets/${greeting.ticketId}/messages`, {
    method: 'POST',
    body: JSON.stringify({ text: 'Bonjour' }),
  });
  assert.equal(written.status, 409, 'a phone ticket is answered by calling back');
  assert.equal(((await written.json()) as { error: { code: string } }).error.code, 'channel_not_replyable');

  const tickets = await call.telephoneTickets();
  assert.equal(tickets.length, 1);
  const ticket = await call.ticket(greeting.ticketId);
  assert.equal(ticket.channel, 'telephone');
  assert.equal(ticket.contact.address, '+33612345678');
  assert.deepEqual(
    ticket.messages.map((m) => [m.author, m.external_id, m.text]),
    [
      ['system', 'CA0000000000000000000000000000c001:start', 'Appel entrant de +33612345678'],
      ['customer', 'CA0000000000000000000000000000c001:1', 'Mon internet ne marche plus depuis hier.'],
      ['customer', 'CA0000000000000000000000000000c001:2', 'Le voyant est rouge.'],
      ['system', 'CA0000000000000000000000000000c001:status:completed', 'Appel terminé (durée 42 s)'],
    ],
  );
  assert.equal(ticket.messages[1].direction, 'inbound');
});

test('a retried gather webhook (same CallSid and step) stores one message and answers the same way', async (t) => {
  const call = await startCallServer({ ENABLE_CHATBOT: 'false' });
  t.after(() => call.app.stop());
  const gather = loadVoiceFixture('gather-speech');
  const params = speech(gather.params, 'Je voudrais changer mon adresse.');
  const once = await call.turn(gather.path, params);
  const again = await call.turn(gather.path, params);
  assert.deepEqual(again.verbs, once.verbs);
  assert.equal(again.ticketId, once.ticketId);
  assert.ok(once.ticketId);
  const ticket = await call.ticket(once.ticketId);
  assert.equal(ticket.messages.filter((m) => m.external_id === 'CA0000000000000000000000000000c001:1').length, 1);
  assert.equal(ticket.messages.length, 1);
  // The status callback retried: one note too.
  const status = loadVoiceFixture('status-completed');
  await call.post(status.path, status.params);
  await call.post(status.path, status.params);
  assert.equal((await call.ticket(once.ticketId)).messages.filter((m) => m.author === 'system').length, 1);
});

test('forged, missing or wrong-URL signatures are refused with 403 and nothing is stored', async (t) => {
  const call = await startCallServer({ ENABLE_CHATBOT: 'false' });
  t.after(() => call.app.stop());
  const start = loadVoiceFixture('call-inbound');
  const gather = loadVoiceFixture('gather-speech');

  const forged = await call.post(gather.path, gather.params, 'bm90IGEgcmVhbCBzaWduYXR1cmU=');
  assert.equal(forged.status, 403);
  assert.equal((JSON.parse(forged.body) as { error: { code: string } }).error.code, 'invalid_twilio_signature');

  // Signed for step=1, replayed on step=2: the query is part of what Twilio signs.
  const { signTwilioRequest } = await import('../../adapters/twilio/verify.js');
  const signedForStep1 = signTwilioRequest(FIXTURE_AUTH_TOKEN, PUBLIC_BASE + '/webhooks/twilio/voice/gather?step=1', gather.params);
  assert.equal((await call.post('/webhooks/twilio/voice/gather?step=2', gather.params, signedForStep1)).status, 403);

  const unsigned = await fetch(call.app.url + start.path, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(start.params).toString(),
  });
  assert.equal(unsigned.status, 403);

  const tampered = await call.post(
    loadVoiceFixture('status-completed').path,
    { ...loadVoiceFixture('status-completed').params },
    signTwilioRequest(FIXTURE_AUTH_TOKEN, PUBLIC_BASE + '/webhooks/twilio/voice/status', { CallSid: 'CAother' }),
  );
  assert.equal(tampered.status, 403);

  assert.deepEqual(await call.telephoneTickets(), []);
});

test('no speech: one re-prompt, then voicemail <Record>, then a goodbye and hang-up', async (t) => {
  const call = await startCallServer({ ENABLE_CHATBOT: 'false' });
  t.after(() => call.app.stop());
  const empty = loadVoiceFixture('gather-empty');

  const reprompt = await call.turn(empty.path, empty.params);
  assert.deepEqual(says(reprompt.verbs), [PHRASES.reprompt]);
  assert.equal(gatherAction(reprompt.verbs), '/webhooks/twilio/voice/gather?step=1&attempt=2');

  const voicemail = await call.turn(gatherAction(reprompt.verbs), empty.params);
  assert.deepEqual(says(voicemail.verbs), [PHRASES.voicemail]);
  const record = voicemail.verbs.find((v) => v.verb === 'Record');
  assert.ok(record);
  assert.equal(record.attributes.maxLength, '120');
  assert.equal(record.attributes.playBeep, 'true');
  assert.equal(record.attributes.action, `${PUBLIC_BASE}/webhooks/twilio/voice/recorded`);
  assert.equal(record.attributes.recordingStatusCallback, `${PUBLIC_BASE}/webhooks/twilio/voice/recording?caller=%2B33612345678`);

  const done = await call.turn(record.attributes.action.slice(PUBLIC_BASE.length), {
    ...empty.params,
    RecordingUrl: 'https://api.twilio.com/x',
    RecordingDuration: '9',
    Digits: 'hangup',
  });
  assert.deepEqual(
    done.verbs.map((v) => v.verb),
    ['Say', 'Hangup'],
  );
  assert.equal(says(done.verbs)[0], PHRASES.voicemailSaved);

  // Nothing was said: no customer message yet (the recording callback brings it).
  assert.deepEqual(await call.telephoneTickets(), []);
});

test('asking for a person ends the loop: call-back promise, <Hangup/>, ticket marked for an agent', async (t) => {
  const call = await startCallServer({ ENABLE_CHATBOT: 'false' });
  t.after(() => call.app.stop());
  const human = loadVoiceFixture('gather-human');
  const answer = await call.turn(human.path, human.params);
  assert.deepEqual(
    answer.verbs.map((v) => v.verb),
    ['Say', 'Hangup'],
  );
  assert.equal(says(answer.verbs)[0], PHRASES.handoff);
  assert.ok(answer.ticketId);
  const ticket = await call.ticket(answer.ticketId);
  assert.equal(ticket.handled_by, 'agent');
  assert.deepEqual(
    ticket.messages.map((m) => [m.author, m.text]),
    [
      ['customer', "Je voudrais parler à un conseiller s'il vous plaît"],
      ['system', PHRASES.handoff],
    ],
  );
  // Twilio retries the same webhook: same answer, nothing stored twice.
  const retried = await call.turn(human.path, human.params);
  assert.deepEqual(retried.verbs, answer.verbs);
  assert.equal((await call.ticket(answer.ticketId)).messages.length, 2);
});

async function voicemailSetup(t: { after(fn: () => Promise<void>): void }, options: { mistral: 'up' | 'down' | 'none' }) {
  let mistral: FakeMistral | null = null;
  let mistralUrl = 'http://127.0.0.1:9';
  if (options.mistral === 'up') {
    mistral = await startFakeMistral();
    mistralUrl = mistral.url;
    t.after(() => mistral!.close());
  } else if (options.mistral === 'down') {
    const closed = await startFakeMistral();
    mistralUrl = closed.url;
    await closed.close();
  }
  const twilioMedia: FakeRecordingHost = await startFakeRecordingHost({
    audio: Buffer.from('ID3-voicemail-audio'),
    requireBasic: `${ACCOUNT_SID}:${FIXTURE_AUTH_TOKEN}`,
  });
  t.after(() => twilioMedia.close());
  const call = await startCallServer({
    ENABLE_CHATBOT: 'false',
    TWILIO_API_BASE_URL: twilioMedia.url,
    ...(options.mistral === 'none'
      ? {}
      : { MISTRAL_API_KEY: 'fake-mistral-key', MISTRAL_SERVER_URL: mistralUrl, MISTRAL_TIMEOUT_MS: '3000' }),
  });
  t.after(() => call.app.stop());
  // The call as it happens: start, then two silent gathers lead to the voicemail.
  const start = loadVoiceFixture('call-inbound');
  await call.turn(start.path, start.params);
  return { call, mistral, twilioMedia };
}

test('voicemail transcribed by Mistral (fake Voxtral server): customer message with the transcript and the audio', async (t) => {
  const { call, mistral, twilioMedia } = await voicemailSetup(t, { mistral: 'up' });
  const recording = loadVoiceFixture('recording-completed');
  const res = await call.post(recording.path, recording.params);
  assert.equal(res.status, 200);
  assert.ok(res.ticketId);

  assert.equal(twilioMedia.requests.length, 1);
  assert.equal(twilioMedia.requests[0].path, `/2010-04-01/Accounts/${ACCOUNT_SID}/Recordings/RE0000000000000000000000000000e001.mp3`);
  assert.equal(twilioMedia.requests[0].authorization, `Basic ${Buffer.from(`${ACCOUNT_SID}:${FIXTURE_AUTH_TOKEN}`).toString('base64')}`);
  assert.equal(mistral!.transcriptions.length, 1);
  assert.equal(mistral!.transcriptions[0].fields.model, 'voxtral-mini-latest');
  assert.equal(mistral!.transcriptions[0].fields.language, 'fr');
  assert.equal(mistral!.transcriptions[0].fileBytes, 'ID3-voicemail-audio'.length);

  const ticket = await call.ticket(res.ticketId);
  const voicemail = ticket.messages.find((m) => m.external_id === 'CA0000000000000000000000000000c001:voicemail');
  assert.ok(voicemail);
  assert.equal(voicemail.author, 'customer');
  assert.equal(voicemail.text, 'Bonjour, je rappelle pour ma facture.');
  assert.equal(voicemail.attachments[0].content_type, 'audio/mpeg');
  assert.match(voicemail.attachments[0].url ?? '', /^https:\/\/api\.twilio\.com\/.*RE0000000000000000000000000000e001\.mp3$/);
  // Same call, same ticket as the call start.
  assert.equal(ticket.messages[0].external_id, 'CA0000000000000000000000000000c001:start');

  // Twilio retries the callback: still one voicemail message.
  await call.post(recording.path, recording.params);
  assert.equal((await call.ticket(res.ticketId)).messages.filter((m) => m.external_id?.endsWith(':voicemail')).length, 1);
});

test('voicemail with Mistral down: the recording is kept as an attachment with the "transcription unavailable" text', async (t) => {
  const { call } = await voicemailSetup(t, { mistral: 'down' });
  const recording = loadVoiceFixture('recording-completed');
  const res = await call.post(recording.path, recording.params);
  assert.equal(res.status, 200);
  assert.ok(res.ticketId);
  const voicemail = (await call.ticket(res.ticketId)).messages.find(
    (m) => m.external_id === 'CA0000000000000000000000000000c001:voicemail',
  );
  assert.ok(voicemail);
  assert.equal(voicemail.text, VOICEMAIL_UNTRANSCRIBED_TEXT);
  assert.equal(voicemail.attachments.length, 1);
  assert.equal(voicemail.attachments[0].content_type, 'audio/mpeg');
});

test('voicemail without a Mistral key: no download at all, fallback text; an absent recording leaves a note', async (t) => {
  const { call, twilioMedia } = await voicemailSetup(t, { mistral: 'none' });
  const recording = loadVoiceFixture('recording-completed');
  const res = await call.post(recording.path, recording.params);
  assert.equal(res.status, 200);
  assert.equal(twilioMedia.requests.length, 0);
  assert.ok(res.ticketId);
  const messages = (await call.ticket(res.ticketId)).messages;
  assert.equal(messages.find((m) => m.external_id?.endsWith(':voicemail'))?.text, VOICEMAIL_UNTRANSCRIBED_TEXT);

  const absent = loadVoiceFixture('recording-absent');
  const other = { ...absent.params, CallSid: 'CA0000000000000000000000000000c002' };
  const note = await call.post(absent.path, other);
  assert.equal(note.status, 200);
  const after = (await call.ticket(res.ticketId)).messages;
  assert.equal(after.find((m) => m.external_id === 'CA0000000000000000000000000000c002:voicemail')?.author, 'system');
});

test("Twilio's own transcription callback is stored on the caller's ticket", async (t) => {
  const call = await startCallServer({ ENABLE_CHATBOT: 'false' });
  t.after(() => call.app.stop());
  const start = loadVoiceFixture('call-inbound');
  const { ticketId } = await call.turn(start.path, start.params);
  const transcription = loadVoiceFixture('transcription-completed');
  const res = await call.post(transcription.path, transcription.params);
  assert.equal(res.status, 200);
  assert.equal(res.ticketId, ticketId);
  assert.ok(ticketId);
  const message = (await call.ticket(ticketId)).messages.find(
    (m) => m.external_id === 'CA0000000000000000000000000000c001:voicemail:twilio-transcription',
  );
  assert.equal(message?.text, 'Hello, I am calling about my invoice.');
});

test('a withheld number gets its own ticket per call', async (t) => {
  const call = await startCallServer({ ENABLE_CHATBOT: 'false' });
  t.after(() => call.app.stop());
  const anonymous = loadVoiceFixture('call-inbound-anonymous');
  const first = await call.turn(anonymous.path, anonymous.params);
  const second = await call.turn(anonymous.path, { ...anonymous.params, CallSid: 'CA0000000000000000000000000000c0a1' });
  assert.ok(first.ticketId && second.ticketId);
  assert.notEqual(first.ticketId, second.ticketId);
  assert.equal((await call.ticket(first.ticketId)).contact.address, 'anonymous:CA0000000000000000000000000000c0a0');
});

test('call with the chatbot on (offline templates): two turns answered by <Say>, stored both ways; a retry replays the answer; hang-up note', async (t) => {
  const call = await startCallServer({ ENABLE_CHATBOT: 'true' });
  t.after(() => call.app.stop());
  const start = loadVoiceFixture('call-inbound');
  const gather = loadVoiceFixture('gather-speech');
  const greeting = await call.turn(start.path, start.params);

  const first = await call.turn(gatherAction(greeting.verbs), speech(gather.params, "Bonjour, j'ai besoin d'une copie de ma facture."));
  const firstSaid = says(first.verbs);
  assert.equal(firstSaid.length, 1);
  assert.notEqual(firstSaid[0], PHRASES.holding);
  assert.ok(firstSaid[0].length > 10);
  assert.equal(gatherAction(first.verbs), '/webhooks/twilio/voice/gather?step=2');

  // Twilio retries the first turn: the same answer is replayed, nothing new is stored.
  const replay = await call.turn(gatherAction(greeting.verbs), speech(gather.params, "Bonjour, j'ai besoin d'une copie de ma facture."));
  assert.deepEqual(replay.verbs, first.verbs);

  const second = await call.turn(gatherAction(first.verbs), speech(gather.params, "Quels sont les horaires d'ouverture de la boutique ?"));
  const secondSaid = says(second.verbs);
  assert.equal(secondSaid.length, 1);
  assert.notEqual(secondSaid[0], firstSaid[0]);
  assert.equal(gatherAction(second.verbs), '/webhooks/twilio/voice/gather?step=3');

  const status = loadVoiceFixture('status-completed');
  assert.equal((await call.post(status.path, status.params)).status, 200);

  assert.ok(first.ticketId);
  const ticket = await call.ticket(first.ticketId);
  assert.deepEqual(
    ticket.messages.map((m) => [m.direction, m.author, m.external_id, m.text]),
    [
      ['inbound', 'system', 'CA0000000000000000000000000000c001:start', 'Appel entrant de +33612345678'],
      ['inbound', 'customer', 'CA0000000000000000000000000000c001:1', "Bonjour, j'ai besoin d'une copie de ma facture."],
      ['outbound', 'bot', 'CA0000000000000000000000000000c001:1:bot', firstSaid[0]],
      ['inbound', 'customer', 'CA0000000000000000000000000000c001:2', "Quels sont les horaires d'ouverture de la boutique ?"],
      ['outbound', 'bot', 'CA0000000000000000000000000000c001:2:bot', secondSaid[0]],
      ['inbound', 'system', 'CA0000000000000000000000000000c001:status:completed', 'Appel terminé (durée 42 s)'],
    ],
  );
  assert.equal(ticket.handled_by, 'bot');
});

test('bot hand-off during a call: its message, the call-back promise, <Hangup/>, ticket for an agent', async (t) => {
  const call = await startCallServer({ ENABLE_CHATBOT: 'true' });
  t.after(() => call.app.stop());
  const gather = loadVoiceFixture('gather-speech');
  const questions = [
    'Où trouver une copie de ma facture ?',
    "Quels sont vos horaires d'ouverture ?",
    'Comment résilier mon abonnement ?',
    "Et pour la boutique d'à côté ?",
  ];
  let action = '/webhooks/twilio/voice/gather?step=1';
  let last: Awaited<ReturnType<Call['turn']>> | null = null;
  for (const question of questions) {
    last = await call.turn(action, speech(gather.params, question));
    if (last.verbs.some((v) => v.verb === 'Hangup')) break;
    action = gatherAction(last.verbs);
  }
  assert.ok(last?.ticketId);
  // The bot answers a bounded number of turns, then hands the call to an agent.
  assert.equal(last.verbs.at(-1)?.verb, 'Hangup');
  const spoken = says(last.verbs);
  assert.equal(spoken.at(-1), PHRASES.handoff);
  const ticket = await call.ticket(last.ticketId);
  assert.equal(ticket.handled_by, 'agent');
  assert.equal(ticket.messages.at(-1)?.text, PHRASES.handoff);
});

test('storage failing mid-call: an apology and the gather goes on (never silence, never a hang-up)', async (t) => {
  const call = await startCallServer({ ENABLE_CHATBOT: 'false' });
  t.after(() => call.app.stop());
  const start = loadVoiceFixture('call-inbound');
  const gather = loadVoiceFixture('gather-speech');
  await call.app.app.store.close();
  // The greeting does not depend on storage.
  const greeting = await call.turn(start.path, start.params);
  assert.equal(says(greeting.verbs)[0], PHRASES.greeting);
  const turn = await call.turn(gatherAction(greeting.verbs), speech(gather.params, 'Bonjour, ma ligne est coupée.'));
  assert.deepEqual(says(turn.verbs), [PHRASES.technicalIssue]);
  assert.ok(!turn.verbs.some((v) => v.verb === 'Hangup'));
  // Next step: the caller's next sentence must not be deduplicated against a half-stored one.
  assert.equal(gatherAction(turn.verbs), '/webhooks/twilio/voice/gather?step=2');
});

test('a bot slower than the in-call budget: holding phrase and the gather goes on', async (t) => {
  // A Mistral that accepts the chat request and never answers (until closed).
  const held: Array<() => void> = [];
  const { createServer } = await import('node:http');
  const slowMistral = createServer((req, res) => {
    req.resume();
    // Released at the end with a real answer, so the background bot job finishes at once.
    held.push(() =>
      res.writeHead(200, { 'content-type': 'application/json' }).end(
        JSON.stringify({
          id: 'c1',
          object: 'chat.completion',
          model: 'm',
          created: 1,
          choices: [{ index: 0, message: { role: 'assistant', content: 'Trop tard.' }, finish_reason: 'stop' }],
          usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 },
        }),
      ),
    );
  });
  await new Promise<void>((resolve) => slowMistral.listen(0, '127.0.0.1', resolve));
  const address = slowMistral.address();
  assert.ok(address && typeof address === 'object');
  const { createVoiceRoutes, voiceOptionsFromConfig } = await import('../../adapters/twilio/voice/index.js');
  // The real twilio module, with a 300 ms bot budget instead of 8 s.
  const shortBudget = {
    ...twilioModule,
    create: (config: Parameters<typeof twilioModule.create>[0], deps: Parameters<typeof twilioModule.create>[1]) => ({
      ...twilioModule.create(config, deps),
      routes: createVoiceRoutes({ ...voiceOptionsFromConfig(config, deps.publicBaseUrl), botTimeoutMs: 300 }),
    }),
  };
  const app = await startApp({
    modules: [shortBudget],
    env: {
      PUBLIC_BASE_URL: PUBLIC_BASE,
      TWILIO_AUTH_TOKEN: FIXTURE_AUTH_TOKEN,
      ENABLE_AUTO_ANALYTICS: 'false',
      MISTRAL_API_KEY: 'fake-key',
      MISTRAL_SERVER_URL: `http://127.0.0.1:${address.port}`,
      MISTRAL_TIMEOUT_MS: '5000',
    },
  });
  t.after(async () => {
    for (const release of held) release();
    slowMistral.closeAllConnections();
    await new Promise<void>((resolve) => slowMistral.close(() => resolve()));
    await app.stop();
  });
  const gather = loadVoiceFixture('gather-speech');
  const res = await postSigned(
    app.url,
    PUBLIC_BASE,
    gather.path,
    speech(gather.params, "J'ai besoin d'une copie de ma facture."),
    FIXTURE_AUTH_TOKEN,
  );
  assert.equal(res.status, 200);
  const verbs = readTwiml(res.body);
  assert.deepEqual(says(verbs), [PHRASES.holding, PHRASES.anythingElse]);
  assert.equal(gatherAction(verbs), '/webhooks/twilio/voice/gather?step=2');
  // The chatbot did go to Mistral (polled: no timing assumption).
  await eventually(() => held.length >= 1);
});
