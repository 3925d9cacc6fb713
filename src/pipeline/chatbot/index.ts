// Chatbot entry point: policy decides (silence, handoff, answer); the answer text comes from Mistral when a key is
// set, from templates otherwise or when Mistral fails. Every reply is shaped for its channel.
import type { MistralChatClient } from '../analytics/mistral-client.js';
import type { LoggerLike } from '../../domain/channel.js';
import type { Chatbot, ChatbotDecision, ChatbotInput } from '../../domain/intelligence.js';
import type { ReplyShape } from '../../domain/capabilities.js';
import type { ChannelCatalog } from '../../domain/catalog.js';
import { describeMistralError, firstChoiceText, mistralCallDeps } from '../analytics/mistral-client.js';
import type { Semaphore } from '../semaphore.js';
import { shapeReply, toSpeakable } from './format.js';
import { decidePolicy, DEFAULT_MAX_BOT_TURNS, type PolicyDecision } from './policy.js';
import { answerTemplate, DEFAULT_KNOWLEDGE, handoffTemplate, type ChatbotKnowledge } from './templates.js';

export { decidePolicy } from './policy.js';
export { shapeReply, smsSegments } from './format.js';
export type { ChatbotKnowledge, HandoffReason } from './templates.js';

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
  knowledge?: ChatbotKnowledge;
  maxConcurrency?: number;
  retryInitialIntervalMs?: number;
}

export function createChatbot(opts: ChatbotOptions): Chatbot {
  const knowledge = opts.knowledge ?? DEFAULT_KNOWLEDGE;
  const maxBotTurns = opts.maxBotTurns ?? DEFAULT_MAX_BOT_TURNS;
  const generator = opts.apiKey ? createReplyGenerator({ ...mistralCallDeps({ ...opts, apiKey: opts.apiKey }), knowledge }) : null;

  return {
    async decide(input: ChatbotInput): Promise<ChatbotDecision> {
      const decision = decidePolicy(input, maxBotTurns);
      const shape = opts.channels.capabilities(input.ticket.channel).reply;
      switch (decision.action) {
        case 'silent':
          return { reply: null, handoff: false };
        case 'handoff':
          return {
            reply: shapeReply(handoffTemplate(decision.reason, decision.lang), shape, decision.lang),
            handoff: true,
            handoff_reason: decision.reason,
          };
        case 'answer': {
          const generated = generator ? await generator.generate(input, decision, shape) : null;
          return { reply: generated ?? templateReply(decision, shape, knowledge), handoff: false };
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

/** Template answer; the greeting is dropped when it would push the answer past the channel's length limit. */
function templateReply(decision: Extract<PolicyDecision, { action: 'answer' }>, shape: ReplyShape, knowledge: ChatbotKnowledge): string {
  if (decision.greet) {
    const raw = answerTemplate(decision.intent, decision.lang, knowledge, true);
    const formatted = shapeReply(raw, shape, decision.lang);
    if (!formatted.endsWith('...') && formatted.length >= Math.min(raw.length, 40) * 0.9) return formatted;
  }
  return shapeReply(answerTemplate(decision.intent, decision.lang, knowledge, false), shape, decision.lang);
}

// ---------- Mistral reply generation ----------

interface ReplyGeneratorDeps {
  client: MistralChatClient;
  model: string;
  timeoutMs: number;
  logger: LoggerLike;
  semaphore: Semaphore;
  knowledge: ChatbotKnowledge;
}

function createReplyGenerator(deps: ReplyGeneratorDeps) {
  function systemPrompt(shape: ReplyShape, decision: Extract<PolicyDecision, { action: 'answer' }>): string {
    const k = deps.knowledge;
    const lang = decision.lang;
    return [
      "Tu es l'assistant virtuel du support client de Freeda (opérateur télécom). Réponds au client, court et poli.",
      `Langue de la réponse : ${lang === 'fr' ? 'français' : 'anglais'}.`,
      shape.style[lang],
      decision.greet ? "C'est ta première réponse : présente-toi en une courte phrase." : 'Ne te présente pas à nouveau.',
      `Intention détectée : ${decision.intent}.`,
      "N'invente rien : n'utilise que ces informations, sinon propose de passer la main à un conseiller.",
      `Horaires : ${k.openingHours[lang]}`,
      `Factures : ${k.invoiceCopy[lang]}`,
      `Pannes : ${k.outageStatus[lang]}`,
      `Résiliation : ${k.cancelProcedure[lang]}`,
      'Réponds par le texte du message seulement.',
    ].join('\n');
  }

  return {
    async generate(
      input: ChatbotInput,
      decision: Extract<PolicyDecision, { action: 'answer' }>,
      shape: ReplyShape,
    ): Promise<string | null> {
      const conversation = input.messages
        .filter((m) => m.text.trim() !== '')
        .slice(-10)
        .map((m) => ({ role: m.author === 'customer' ? ('user' as const) : ('assistant' as const), content: m.text.slice(0, 2000) }));
      try {
        const response = await deps.semaphore.run(() =>
          deps.client.chat.complete(
            {
              model: deps.model,
              temperature: 0.3,
              maxTokens: 300,
              messages: [{ role: 'system', content: systemPrompt(shape, decision) }, ...conversation],
            },
            { timeoutMs: deps.timeoutMs, retryCodes: ['429', '500', '502', '503', '504'] },
          ),
        );
        const text = firstChoiceText(response)?.trim() ?? '';
        const usable = shape.speakable ? toSpeakable(text) : text;
        if (usable.length < 2) throw Object.assign(new Error('empty reply'), { name: 'EmptyReply' });
        return shapeReply(usable, shape, decision.lang);
      } catch (err) {
        deps.logger.warn(
          { event: 'chatbot_fallback', ticket_id: input.ticket.ticket_id, model: deps.model, reason: describeMistralError(err) },
          'Mistral reply failed, using the template',
        );
        return null;
      }
    },
  };
}
