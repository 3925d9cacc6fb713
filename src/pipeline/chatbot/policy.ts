// The one reply policy shared by all channels. Pure: decides silence, handoff or which answer to give.
import type { ChatbotInput, ConversationTurn } from '../../domain/intelligence.js';
import type { Analytics } from '../../domain/types.js';
import { analyzeOffline } from '../analytics/fallback.js';
import { detectIntent, type Intent } from './intents.js';
import { detectLanguage, type Language } from './language.js';
import type { HandoffReason } from './templates.js';

export const DEFAULT_MAX_BOT_TURNS = 3;

export type PolicyDecision =
  | { action: 'silent'; why: 'handled_by_agent' | 'nothing_to_answer' }
  | { action: 'handoff'; reason: HandoffReason; lang: Language }
  | { action: 'answer'; intent: Exclude<Intent, 'human'>; lang: Language; greet: boolean; pending: string };

export function decidePolicy(input: ChatbotInput, maxBotTurns = DEFAULT_MAX_BOT_TURNS): PolicyDecision {
  if (input.ticket.handled_by === 'agent') return { action: 'silent', why: 'handled_by_agent' };
  const { messages } = input;
  const lastOurs = lastIndexWhere(messages, (m) => m.author === 'bot' || m.author === 'agent');
  // Customer turns the bot has not answered yet.
  const pendingTurns = messages.slice(lastOurs + 1).filter((m) => m.author === 'customer' && m.text.trim() !== '');
  if (pendingTurns.length === 0) return { action: 'silent', why: 'nothing_to_answer' };

  const customerTurns = messages.filter((m) => m.author === 'customer');
  const lang = detectLanguage(customerTurns.map((m) => m.text));
  const pending = pendingTurns.map((m) => m.text).join('\n');
  const intent = resolveIntent(pending, lastOurs >= 0 ? messages[lastOurs] : null);

  if (intent === 'human') return { action: 'handoff', reason: 'customer_request', lang };
  const analytics: Pick<Analytics, 'urgency'> =
    input.analytics ?? analyzeOffline({ channel: input.ticket.channel, subject: input.ticket.subject, messages });
  // Stored analytics may predate the turns just received (analysis is debounced): judge those turns too.
  const pendingUrgency = input.analytics ? analyzeOffline({ channel: input.ticket.channel, messages: pendingTurns }).urgency : null;
  if (analytics.urgency === 'haute' || pendingUrgency === 'haute') return { action: 'handoff', reason: 'urgency_high', lang };
  if (countNegativeCustomerTurns(messages, input.ticket.channel) >= 2) return { action: 'handoff', reason: 'negative_sentiment', lang };
  const botTurns = messages.filter((m) => m.author === 'bot').length;
  if (botTurns >= maxBotTurns) return { action: 'handoff', reason: 'max_bot_turns', lang };

  return { action: 'answer', intent, lang, greet: botTurns === 0, pending };
}

const AFFIRMATIVE =
  /^\s*(oui|ouais|yes|yep|yeah|ok|okay|d'accord|volontiers|sure|please|oui (svp|s'il vous pla[iî]t|merci)|yes please)[\s!.]*$/i;

/** "oui" answers the bot's last question: read the intent from that question. */
function resolveIntent(pending: string, lastOurs: ConversationTurn | null): Intent {
  const intent = detectIntent(pending);
  if (intent !== 'unknown' || !lastOurs || !AFFIRMATIVE.test(pending)) return intent;
  const fromQuestion = detectIntent(lastOurs.text);
  return fromQuestion === 'greeting' || fromQuestion === 'thanks' ? 'unknown' : fromQuestion;
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
