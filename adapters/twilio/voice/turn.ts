// One speech turn of a call as pure decisions: given what is known so far (what the caller said, whether it is stored,
// what the bot answered), the next step. The gather route (./gather.ts) performs the two steps that need I/O (store,
// ask_bot), feeds the result back, and answers the others with TwiML, dispatched by kind.
import type { BotTurn } from '../../../src/domain/channel.js';
import { asksForHuman } from './normalize.js';
import { MAX_GATHER_STEPS } from './parse.js';
import { speakableText } from './twiml.js';
import type { GatherPosition } from './types.js';

export interface TurnState {
  position: GatherPosition;
  /** What Twilio heard, null when nothing. */
  speech: string | null;
  /**
   * Once the store step ran: null when the turn was not stored (ignored), else the ticket and, for a retried webhook
   * whose answer was already spoken, that answer.
   */
  stored?: { ticketId: string; replay: string | null } | null;
  /** Once the bot was asked: its turn, or null when it is off or was late. */
  bot?: BotTurn | null;
}

export type TurnStep =
  /** Nothing heard on the first try: ask again. */
  | { kind: 'reprompt' }
  /** Nothing heard twice: offer the voicemail. */
  | { kind: 'voicemail' }
  /** I/O: store the speech turn as a customer message (deduplicated on CallSid + step). */
  | { kind: 'store'; speech: string }
  /** I/O: ask the chatbot for its turn, within the call's budget. */
  | { kind: 'ask_bot'; ticketId: string }
  /** Twilio retried a turn already answered: say the same answer again. */
  | { kind: 'replay'; ticketId: string; spoken: string }
  /** End the bot loop: an agent calls back. `spoken` is the bot's last words, if any. */
  | { kind: 'handoff'; ticketId: string; reason: string; spoken: string | null }
  | { kind: 'answer'; ticketId: string; spoken: string }
  /** No answer to give (bot off, late or silent, or the turn was not stored): a holding phrase, then listen again. */
  | { kind: 'holding'; ticketId: string | null };

export function nextTurnStep(state: TurnState): TurnStep {
  const { speech, stored, bot, position } = state;
  if (speech === null) return position.attempt < 2 ? { kind: 'reprompt' } : { kind: 'voicemail' };
  if (stored === undefined) return { kind: 'store', speech };
  if (stored === null) return { kind: 'holding', ticketId: null };
  const { ticketId } = stored;
  if (stored.replay !== null) return { kind: 'replay', ticketId, spoken: stored.replay };
  // Ends the bot loop even when the bot is off or slow.
  if (asksForHuman(speech)) return { kind: 'handoff', ticketId, reason: 'caller asked for a person on the phone', spoken: null };
  if (position.step >= MAX_GATHER_STEPS) {
    return { kind: 'handoff', ticketId, reason: `call reached ${MAX_GATHER_STEPS} speech turns`, spoken: null };
  }
  if (bot === undefined) return { kind: 'ask_bot', ticketId };
  const spoken = bot?.reply ? speakableText(bot.reply) || null : null;
  if (bot?.handoff) return { kind: 'handoff', ticketId, reason: 'chatbot hand-off during a call', spoken };
  return spoken ? { kind: 'answer', ticketId, spoken } : { kind: 'holding', ticketId };
}
