// Pure parts of the voice adapter: parsing fixtures, normalising to events, TwiML builders (strict XML).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { XMLValidator } from 'fast-xml-parser';
import { parseFormParams } from '../../adapters/twilio/parse.js';
import {
  asksForHuman,
  callEndEvent,
  callerAddress,
  callStartedEvent,
  hasRecordedAudio,
  speechMessageEvent,
  twilioTranscriptionEvent,
  voicemailMessageEvent,
  VOICEMAIL_UNTRANSCRIBED_TEXT,
} from '../../adapters/twilio/voice/normalize.js';
import {
  parseCallStatus,
  parseGatherPosition,
  parseGatherResult,
  parseRecordingCallback,
  parseTranscriptionCallback,
  parseVoiceCall,
  type Parsed,
} from '../../adapters/twilio/voice/parse.js';
import { nextAction, splitTurns } from '../../adapters/twilio/voice/simulate.js';
import {
  botReplyTwiml,
  emptyTwiml,
  greetingTwiml,
  handoffTwiml,
  holdingTwiml,
  PHRASES,
  repromptTwiml,
  speakableText,
  MAX_SPOKEN_CHARS,
  technicalIssueTwiml,
  voicemailSavedTwiml,
  voicemailTwiml,
} from '../../adapters/twilio/voice/twiml.js';
import { readTwiml } from '../../adapters/twilio/voice/twiml-read.js';
import { formBody } from './fixtures.js';
import { loadVoiceFixture } from './voice-fakes.js';

const AT = '2026-11-24T22:30:00.000Z';
const ACTION = 'https://support.example.com/webhooks/twilio/voice/gather?step=2&attempt=2';

function ok<T>(parsed: Parsed<T>): T {
  assert.ok(parsed.ok, parsed.ok ? '' : parsed.reason);
  return parsed.value;
}

/** Params as the adapter sees them: through the real form encoding and parser. */
function fixtureParams(name: string) {
  return parseFormParams(Buffer.from(formBody(loadVoiceFixture(name).params)));
}

test('call start: caller E.164, ticket opened by a system note deduplicated on CallSid:start', () => {
  const call = ok(parseVoiceCall(fixtureParams('call-inbound')));
  assert.equal(call.callSid, 'CA0000000000000000000000000000c001');
  assert.equal(call.callStatus, 'ringing');
  const event = callStartedEvent(call, AT);
  assert.deepEqual(
    {
      kind: event.kind,
      channel: event.channel,
      external_id: event.external_id,
      contact: event.contact,
      text: event.text,
      may_open_ticket: event.may_open_ticket,
    },
    {
      kind: 'system_note',
      channel: 'telephone',
      external_id: 'CA0000000000000000000000000000c001:start',
      contact: { address: '+33612345678', display_name: null },
      text: 'Appel entrant de +33612345678',
      may_open_ticket: true,
    },
  );
});

test('withheld and non-phone callers get addresses that never merge two strangers', () => {
  const anonymous = ok(parseVoiceCall(fixtureParams('call-inbound-anonymous')));
  assert.equal(callStartedEvent(anonymous, AT).contact.address, 'anonymous:CA0000000000000000000000000000c0a0');
  assert.equal(callStartedEvent(anonymous, AT).text, 'Appel entrant de un numéro masqué');
  const client = ok(parseVoiceCall(fixtureParams('call-inbound-client')));
  assert.equal(callStartedEvent(client, AT).contact.address, 'client:alice');
  assert.equal(callerAddress('+266696687', 'CAx'), 'anonymous:CAx');
  assert.equal(callerAddress('', 'CAy'), 'anonymous:CAy');
  assert.equal(callerAddress('+1 (415) 555-0100', 'CAz'), '+14155550100');
  assert.equal(callerAddress('not a number', 'CAw'), 'anonymous:CAw');
});

test('a payload without CallSid is refused by the parser', () => {
  const parsed = parseVoiceCall({ From: '+33612345678' });
  assert.equal(parsed.ok, false);
  assert.equal(parseRecordingCallback({ CallSid: 'CA1' }).ok, false);
});

test('gather: speech + confidence → customer message with external_id CallSid:step', () => {
  const fixture = loadVoiceFixture('gather-speech');
  const position = parseGatherPosition(Object.fromEntries(new URL(fixture.path, 'https://x').searchParams));
  assert.deepEqual(position, { step: 1, attempt: 1 });
  const result = ok(parseGatherResult(fixtureParams('gather-speech')));
  assert.equal(result.confidence, 0.9217458);
  assert.ok(result.speech);
  const event = speechMessageEvent({ ...result, speech: result.speech }, position, AT);
  assert.equal(event.kind, 'message');
  assert.equal(event.channel, 'telephone');
  assert.equal(event.external_id, 'CA0000000000000000000000000000c001:1');
  assert.equal(event.text, "Bonjour, je n'arrive plus à me connecter à mon espace client.");
  assert.equal(event.contact.address, '+33612345678');
  assert.equal(event.meta?.confidence, 0.9217458);
});

test('gather: missing Confidence is fine, whitespace collapsed; empty result is null speech', () => {
  const noConfidence = ok(parseGatherResult(fixtureParams('gather-speech-no-confidence')));
  assert.equal(noConfidence.speech, 'Ma facture est fausse');
  assert.equal(noConfidence.confidence, null);
  assert.equal(ok(parseGatherResult(fixtureParams('gather-empty'))).speech, null);
  assert.equal(ok(parseGatherResult({ CallSid: 'CA1', SpeechResult: '   ' })).speech, null);
  assert.equal(ok(parseGatherResult({ CallSid: 'CA1', SpeechResult: 'oui', Confidence: '7' })).confidence, null);
});

test('gather position: odd query values fall back to safe numbers', () => {
  assert.deepEqual(parseGatherPosition({}), { step: 1, attempt: 1 });
  assert.deepEqual(parseGatherPosition({ step: '3', attempt: '2' }), { step: 3, attempt: 2 });
  assert.deepEqual(parseGatherPosition({ step: '-4', attempt: 'x' }), { step: 1, attempt: 1 });
  assert.deepEqual(parseGatherPosition({ step: '0', attempt: '9' }), { step: 1, attempt: 2 });
  assert.equal(parseGatherPosition({ step: '999999' }).step, 31);
});

test('status callback: completed with duration → "Appel terminé (durée 42 s)" deduped on CallSid:status:completed', () => {
  const event = callEndEvent(ok(parseCallStatus(fixtureParams('status-completed'))), AT);
  assert.equal(event.kind, 'system_note');
  if (event.kind !== 'system_note') return;
  assert.equal(event.text, 'Appel terminé (durée 42 s)');
  assert.equal(event.external_id, 'CA0000000000000000000000000000c001:status:completed');
  const canceled = callEndEvent(ok(parseCallStatus(fixtureParams('status-canceled'))), AT);
  assert.equal(canceled.kind === 'system_note' && canceled.text, 'Appel non abouti (canceled)');
  assert.equal(callEndEvent(ok(parseCallStatus(fixtureParams('status-in-progress'))), AT).kind, 'ignored');
});

test('recording callback: audio attachment as mp3, fallback text without transcript; absent recording has no audio', () => {
  const recording = ok(parseRecordingCallback(fixtureParams('recording-completed')));
  assert.equal(hasRecordedAudio(recording), true);
  const contact = { address: '+33612345678', display_name: null };
  const untranscribed = voicemailMessageEvent({ recording, contact, transcript: null, transcriptionSource: null, receivedAt: AT });
  assert.equal(untranscribed.text, VOICEMAIL_UNTRANSCRIBED_TEXT);
  assert.equal(untranscribed.external_id, 'CA0000000000000000000000000000c001:voicemail');
  assert.deepEqual(untranscribed.attachments, [
    {
      content_type: 'audio/mpeg',
      size: null,
      filename: 'RE0000000000000000000000000000e001.mp3',
      url: 'https://api.twilio.com/2010-04-01/Accounts/ACa1b2c3d4a1b2c3d4a1b2c3d4a1b2c3d4/Recordings/RE0000000000000000000000000000e001.mp3',
    },
  ]);
  const transcribed = voicemailMessageEvent({
    recording,
    contact,
    transcript: 'Rappelez-moi',
    transcriptionSource: 'mistral',
    receivedAt: AT,
  });
  assert.equal(transcribed.text, 'Rappelez-moi');
  assert.equal(transcribed.attachments.length, 1);
  assert.equal(hasRecordedAudio(ok(parseRecordingCallback(fixtureParams('recording-absent')))), false);
});

test("Twilio's transcription callback: text becomes a message, a failure a note", () => {
  const contact = { address: '+33612345678', display_name: null };
  const done = twilioTranscriptionEvent(ok(parseTranscriptionCallback(fixtureParams('transcription-completed'))), contact, AT);
  assert.equal(done.kind, 'message');
  assert.equal(done.kind === 'message' && done.text, 'Hello, I am calling about my invoice.');
  const failed = twilioTranscriptionEvent(ok(parseTranscriptionCallback(fixtureParams('transcription-failed'))), contact, AT);
  assert.equal(failed.kind, 'system_note');
});

test('asking for a person is recognised in French, ordinary requests are not', () => {
  for (const phrase of [
    'Je voudrais parler à un conseiller',
    'un humain s’il vous plaît',
    'Passez-moi une vraie personne',
    'CONSEILLÈRE',
    "est-ce que je peux parler à quelqu'un",
    'opérateur',
  ]) {
    assert.equal(asksForHuman(phrase), true, phrase);
  }
  for (const phrase of ['Ma facture est fausse', "Je n'arrive pas à me connecter", 'Quelqu’un a utilisé ma carte', 'je veux résilier']) {
    assert.equal(asksForHuman(phrase), false, phrase);
  }
});

/** Strict XML check + verbs. */
function verbs(xml: string) {
  assert.equal(XMLValidator.validate(xml), true, xml);
  assert.match(xml, /^<\?xml version="1\.0" encoding="UTF-8"\?><Response(\/)?>/);
  return readTwiml(xml);
}

test('greeting TwiML: French <Say>, speech <Gather> fr-FR posting to the action, redirect safety net', () => {
  const list = verbs(greetingTwiml(ACTION));
  assert.deepEqual(
    list.map((v) => v.verb),
    ['Say', 'Gather', 'Redirect'],
  );
  assert.equal(list[0].attributes.language, 'fr-FR');
  assert.equal(list[0].text, PHRASES.greeting);
  assert.deepEqual(list[1].attributes, {
    input: 'speech',
    language: 'fr-FR',
    speechTimeout: 'auto',
    action: ACTION,
    method: 'POST',
    actionOnEmptyResult: 'true',
  });
  assert.equal(list[2].text, ACTION);
});

test('every call-flow TwiML is valid XML, speaks French, and ends in Gather, Record or Hangup', () => {
  const cases: Array<[string, string, string]> = [
    ['reply', botReplyTwiml('Votre mot de passe a été réinitialisé.', ACTION), 'Gather'],
    ['holding', holdingTwiml(ACTION), 'Gather'],
    ['reprompt', repromptTwiml(ACTION), 'Gather'],
    ['technical', technicalIssueTwiml(ACTION), 'Gather'],
    ['handoff', handoffTwiml('Je vous passe un conseiller.'), 'Hangup'],
    [
      'voicemail',
      voicemailTwiml({ actionUrl: 'https://s.example/r', recordingStatusCallbackUrl: 'https://s.example/c?caller=%2B33612345678' }),
      'Record',
    ],
    ['saved', voicemailSavedTwiml(), 'Hangup'],
  ];
  for (const [name, xml, closing] of cases) {
    const list = verbs(xml);
    assert.ok(
      list.some((v) => v.verb === closing),
      name,
    );
    const says = list.filter((v) => v.verb === 'Say');
    assert.ok(says.length > 0, name);
    for (const s of says) assert.equal(s.attributes.language, 'fr-FR', name);
  }
  assert.deepEqual(verbs(emptyTwiml()), []);
});

test('hostile bot text is escaped by VoiceResponse and read back verbatim', () => {
  const hostile = `</Say><Hangup/><Say>"1 < 2" & 'ok'`;
  const list = verbs(botReplyTwiml(hostile, ACTION));
  assert.deepEqual(
    list.map((v) => v.verb),
    ['Say', 'Gather', 'Redirect'],
  );
  assert.equal(list[0].text, hostile);
});

test('voicemail TwiML: bounded <Record> with beep, action and recording callback (carrying the caller)', () => {
  const callback = 'https://s.example/webhooks/twilio/voice/recording?caller=%2B33612345678';
  const list = verbs(
    voicemailTwiml({ actionUrl: 'https://s.example/webhooks/twilio/voice/recorded', recordingStatusCallbackUrl: callback }),
  );
  const record = list.find((v) => v.verb === 'Record');
  assert.ok(record);
  assert.equal(record.attributes.maxLength, '120');
  assert.equal(record.attributes.playBeep, 'true');
  assert.equal(record.attributes.recordingStatusCallback, callback);
  assert.equal(record.attributes.transcribe, undefined);
  const withTwilio = verbs(
    voicemailTwiml({ actionUrl: 'https://s/a', recordingStatusCallbackUrl: 'https://s/c', transcribeCallbackUrl: 'https://s/t' }),
  );
  assert.equal(withTwilio.find((v) => v.verb === 'Record')?.attributes.transcribeCallback, 'https://s/t');
});

test('simulator helpers: turns split on " | ", next action follows Gather, Record, or stops at Hangup', () => {
  assert.deepEqual(splitTurns('Bonjour | ma facture |  | merci'), ['Bonjour', 'ma facture', '', 'merci']);
  assert.deepEqual(nextAction(readTwiml(greetingTwiml(ACTION))), { kind: 'gather', url: ACTION });
  assert.equal(nextAction(readTwiml(handoffTwiml(null))), null);
  assert.deepEqual(nextAction(readTwiml(voicemailTwiml({ actionUrl: 'https://s/a', recordingStatusCallbackUrl: 'https://s/c' }))), {
    kind: 'record',
    url: 'https://s/a',
    recordingCallbackUrl: 'https://s/c',
  });
});

test('bot answers are made speakable: no markdown, emoji or URLs, bounded length cut at a sentence', () => {
  assert.equal(
    speakableText('**Bonjour** 👋 !\n- Allez sur [votre espace](https://exemple.fr/a)\n- puis https://exemple.fr/b cliquez sur `Valider`'),
    'Bonjour ! Allez sur votre espace puis cliquez sur Valider',
  );
  const long = speakableText('Une phrase complète ici. '.repeat(60));
  assert.ok(long.length <= MAX_SPOKEN_CHARS);
  assert.ok(long.endsWith('ici.'));
  assert.equal(speakableText('🙂 ** '), '');
});
