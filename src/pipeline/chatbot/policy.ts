// The one reply policy shared by all channels. Pure: decides silence, handoff or which answer to give.
import type { ChatbotInput, ConversationTurn } from '../../domain/intelligence.js';
import type { Analytics } from '../../domain/types.js';
import { analyzeOffline } from '../analytics/fallback.js';
import type { HandoffReason } from './answers.js';
import { detectIntent, saysUrgent, type Intent } from './intents.js';
import { detectLanguage, type Language } from './language.js';

export const DEFAULT_MAX_BOT_TURNS = 3;

export type AnswerIntent = Exclude<Intent, 'human'>;

export type PolicyDecision =
  | { action: 'silent'; why: 'handled_by_agent' | 'nothing_to_answer' }
  | { action: 'handoff'; reason: HandoffReason; lang: Language; intent: Intent }
  | { action: 'answer'; intent: AnswerIntent; lang: Language; greet: boolean; pending: string };

export function decidePolicy(input: ChatbotInput, maxBotTurns = DEFAULT_MAX_BOT_TURNS): PolicyDecision {
  if (input.ticket.handled_by === 'agent') return { action: 'silent', why: 'handled_by_agent' };
  const { messages } = input;
  const lastOurs = lastIndexWhere(messages, (m) => m.author === 'bot' || m.author === 'agent');
  // Customer turns the bot has not answered yet.
  const pendingTurns = customerTurnsIn(messages.slice(lastOurs + 1));
  if (pendingTurns.length === 0) return { action: 'silent', why: 'nothing_to_answer' };

  const customerTurns = messages.filter((m) => m.author === 'customer');
  const lang = detectLanguage(customerTurns.map((m) => m.text));
  const pending = pendingTurns.map((m) => m.text).join('\n');
  const intent = resolveIntent(pending, lastOurs >= 0 ? messages[lastOurs] : null);
  const handoff = (reason: HandoffReason): PolicyDecision => ({ action: 'handoff', reason, lang, intent });

  if (intent === 'human') return handoff('customer_request');
  const analytics: Pick<Analytics, 'urgency'> =
    input.analytics ?? analyzeOffline({ channel: input.ticket.channel, subject: input.ticket.subject, messages });
  // Stored analytics may predate the turns just received (analysis is debounced): judge those turns too.
  const pendingUrgency = input.analytics ? analyzeOffline({ channel: input.ticket.channel, messages: pendingTurns }).urgency : null;
  if (analytics.urgency === 'haute' || pendingUrgency === 'haute' || saysUrgent(pending)) return handoff('urgency_high');
  if (countNegativeCustomerTurns(messages, input.ticket.channel) >= 2) return handoff('negative_sentiment');
  const botTurns = messages.filter((m) => m.author === 'bot').length;
  if (botTurns >= maxBotTurns) return handoff('max_bot_turns');
  // One clarifying question only: still unclear after it, a person takes over.
  if (intent === 'unclear' && lastOurs >= 0 && messages[lastOurs].author === 'bot' && previousBatchWasUnclear(messages, lastOurs)) {
    return handoff('still_unclear');
  }

  return { action: 'answer', intent, lang, greet: botTurns === 0, pending };
}

const AFFIRMATIVE =
  /^\s*(oui|ouais|yes|yep|yeah|ok|okay|d'accord|volontiers|sure|please|oui (svp|s'il vous pla[iî]t|merci)|yes please)[\s!.]*$/i;

/** "oui" answers the bot's last question: read the intent from that question. */
function resolveIntent(pending: string, lastOurs: ConversationTurn | null): Intent {
  const intent = detectIntent(pending);
  if (intent !== 'unclear' || !lastOurs || !AFFIRMATIVE.test(pending)) return intent;
  const fromQuestion = detectIntent(lastOurs.text);
  return fromQuestion === 'thanks' ? 'unclear' : fromQuestion;
}

/** The customer turns the bot answered last time were unclear too (so that answer was the clarifying question). */
function previousBatchWasUnclear(messages: ConversationTurn[], lastOurs: number): boolean {
  const before = messages.slice(0, lastOurs);
  const previousOurs = lastIndexWhere(before, (m) => m.author === 'bot' || m.author === 'agent');
  const batch = customerTurnsIn(before.slice(previousOurs + 1));
  return batch.length > 0 && detectIntent(batch.map((m) => m.text).join('\n')) === 'unclear';
}

function customerTurnsIn(turns: ConversationTurn[]): ConversationTurn[] {
  return turns.filter((m) => m.author === 'customer' && m.text.trim() !== '');
}

/** Each customer turn judged on its own (with the turns before it as context). */
function countNegativeCustomerTurns(messages: ConversationTurn[], channel: ChatbotInput['ticket']['channel']): number {
  let count = 0;
  messages.forEach((m, i) => {
    if (m.author !== 'customer') return;
    const context = messages.slice(0, i).filter((t) => t.author !== 'customer');
    if (analyzeOffline({ channel, messages: [...context, m] }).sentiment === 'negatif') count += 1;
  });
  return count;
}

function lastIndexWhere<T>(items: T[], predicate: (item: T) => boolean): number {
  for (let i = items.length - 1; i >= 0; i--) if (predicate(items[i])) return i;
  return -1;
}
