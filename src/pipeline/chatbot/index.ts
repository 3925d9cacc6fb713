// Chatbot entry point: policy decides (silence, handoff, answer); the answer text comes from Mistral when a key is
// set and its reply passes the checks, from the answers file otherwise. Every reply is shaped to what its channel
// declares (ReplyShape, from the channel catalog).
import type { ReplyShape } from '../../domain/capabilities.js';
import type { ChannelCatalog } from '../../domain/catalog.js';
import type { LoggerLike } from '../../domain/channel.js';
import type { Chatbot, ChatbotDecision, ChatbotInput } from '../../domain/intelligence.js';
import { mistralCallDeps } from '../analytics/mistral-client.js';
import { defaultBotAnswers, type BotAnswers, type HandoffReason } from './answers.js';
import { shapeReply } from './format.js';
import { knowledgeFromAnswers, type Knowledge } from './knowledge.js';
import type { Language } from './language.js';
import { decidePolicy, DEFAULT_MAX_BOT_TURNS, type AnswerIntent } from './policy.js';
import { createReplyGenerator } from './reply-generator.js';

export { decidePolicy } from './policy.js';
export { shapeReply, smsSegments } from './format.js';
export { loadBotAnswers, BotAnswersError, type BotAnswers, type HandoffReason } from './answers.js';
export { loadKnowledge, KnowledgeFileError, type Knowledge } from './knowledge.js';

export interface ChatbotOptions {
  apiKey?: string;
  model: string;
  serverUrl?: string;
  timeoutMs: number;
  logger: LoggerLike;
  /** What each channel's replies look like (ChannelCapabilities.reply). */
  channels: ChannelCatalog;
  /** Bot replies after which the conversation goes to an agent (default 3). */
  maxBotTurns?: number;
  /** Offline answers (BOT_ANSWERS_FILE); the shipped default when absent. */
  answers?: BotAnswers;
  /** What the Mistral path may state (KNOWLEDGE_FILE); derived from the answers when absent. */
  knowledge?: Knowledge;
  maxConcurrency?: number;
  retryInitialIntervalMs?: number;
}

export function createChatbot(opts: ChatbotOptions): Chatbot {
  const answers = opts.answers ?? defaultBotAnswers();
  const maxBotTurns = opts.maxBotTurns ?? DEFAULT_MAX_BOT_TURNS;
  const generator = opts.apiKey
    ? createReplyGenerator({
        ...mistralCallDeps({ ...opts, apiKey: opts.apiKey }),
        knowledge: opts.knowledge ?? knowledgeFromAnswers(answers),
      })
    : null;

  return {
    async decide(input: ChatbotInput): Promise<ChatbotDecision> {
      const decision = decidePolicy(input, maxBotTurns);
      const shape = opts.channels.capabilities(input.ticket.channel).reply;
      switch (decision.action) {
        case 'silent':
          return { reply: null, handoff: false };
        case 'handoff':
          return {
            reply: shapeReply(handoffText(answers, decision.reason, decision.lang), shape, decision.lang),
            handoff: true,
            handoff_reason: decision.reason,
          };
        case 'answer': {
          const generated = generator ? await generator.generate(input, decision, shape) : null;
          return { reply: generated ?? offlineReply(answers, decision, shape), handoff: false };
        }
        default: {
          const unsupported: never = decision;
          void unsupported;
          return { reply: null, handoff: false };
        }
      }
    },
  };
}

export function handoffText(answers: BotAnswers, reason: HandoffReason, lang: Language): string {
  return answers.handoff[reason][lang];
}

/** The answers file's text for an intent, without greeting. */
export function answerText(answers: BotAnswers, intent: AnswerIntent, lang: Language): string {
  switch (intent) {
    case 'unclear':
      return answers.clarify[lang];
    case 'thanks':
      return answers.thanks[lang];
    default:
      return answers.intents[intent][lang];
  }
}

/** Offline answer; the greeting is dropped when it would push the answer past the channel's length limit. */
function offlineReply(answers: BotAnswers, decision: { intent: AnswerIntent; lang: Language; greet: boolean }, shape: ReplyShape): string {
  const body = answerText(answers, decision.intent, decision.lang);
  if (decision.greet && decision.intent !== 'thanks') {
    const raw = `${answers.greeting[decision.lang]} ${body}`;
    const formatted = shapeReply(raw, shape, decision.lang);
    if (!formatted.endsWith('...') && formatted.length >= Math.min(raw.length, 40) * 0.9) return formatted;
  }
  return shapeReply(body, shape, decision.lang);
}
