// The speech turn as pure decisions over a turn state (adapters/twilio/voice/turn.ts): every exit of the gather webhook.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_GATHER_STEPS } from '../../adapters/twilio/voice/parse.js';
import { nextTurnStep, type TurnState } from '../../adapters/twilio/voice/turn.js';

const at = (step: number, attempt = 1) => ({ step, attempt });
const stored = { ticketId: 'T1', replay: null };

test('nothing heard: re-prompt once, then the voicemail', () => {
  assert.deepEqual(nextTurnStep({ position: at(1), speech: null }), { kind: 'reprompt' });
  assert.deepEqual(nextTurnStep({ position: at(1, 2), speech: null }), { kind: 'voicemail' });
});

test('speech is stored first; a turn that could not be stored gets the holding phrase', () => {
  assert.deepEqual(nextTurnStep({ position: at(1), speech: 'allo' }), { kind: 'store', speech: 'allo' });
  assert.deepEqual(nextTurnStep({ position: at(1), speech: 'allo', stored: null }), { kind: 'holding', ticketId: null });
});

test('a retried turn already answered replays the answer, without asking the bot again', () => {
  const state: TurnState = { position: at(2), speech: 'ma facture', stored: { ticketId: 'T1', replay: 'Votre facture est en ligne.' } };
  assert.deepEqual(nextTurnStep(state), { kind: 'replay', ticketId: 'T1', spoken: 'Votre facture est en ligne.' });
});

test('asking for a person, or too many turns, hands off before the bot is asked', () => {
  assert.deepEqual(nextTurnStep({ position: at(1), speech: 'je veux parler à un conseiller', stored }), {
    kind: 'handoff',
    ticketId: 'T1',
    reason: 'caller asked for a person on the phone',
    spoken: null,
  });
  const last = nextTurnStep({ position: at(MAX_GATHER_STEPS), speech: 'encore une chose', stored });
  assert.equal(last.kind, 'handoff');
  assert.deepEqual(nextTurnStep({ position: at(MAX_GATHER_STEPS - 1), speech: 'encore une chose', stored }), {
    kind: 'ask_bot',
    ticketId: 'T1',
  });
});

test("the bot's turn: an answer made speakable, a hand-off with its last words, or the holding phrase when silent or late", () => {
  const base = { position: at(1), speech: 'ma box ne marche plus', stored };
  assert.deepEqual(nextTurnStep({ ...base, bot: { reply: 'Redémarrez la box **maintenant** 🙂', handoff: false } }), {
    kind: 'answer',
    ticketId: 'T1',
    spoken: 'Redémarrez la box maintenant',
  });
  assert.deepEqual(nextTurnStep({ ...base, bot: { reply: 'Je vous passe un conseiller.', handoff: true } }), {
    kind: 'handoff',
    ticketId: 'T1',
    reason: 'chatbot hand-off during a call',
    spoken: 'Je vous passe un conseiller.',
  });
  assert.deepEqual(nextTurnStep({ ...base, bot: null }), { kind: 'holding', ticketId: 'T1' });
  assert.deepEqual(nextTurnStep({ ...base, bot: { reply: '🙂', handoff: false } }), { kind: 'holding', ticketId: 'T1' });
});
