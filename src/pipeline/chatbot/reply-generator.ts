// Mistral reply generation, grounded: the prompt carries the conversation, the channel's declared reply rule (its
// ReplyShape: style and length) and the team's knowledge; the reply is checked (reply-check.ts) and null is returned when it fails, so the caller answers offline.
import type { LoggerLike } from '../../domain/channel.js';
import type { ChatbotInput } from '../../domain/intelligence.js';
import type { ReplyShape } from '../../domain/capabilities.js';
import { describeMistralError, firstChoiceText, type MistralChatClient } from '../analytics/mistral-client.js';
import type { Semaphore } from '../semaphore.js';
import { shapeReply } from './format.js';
import type { Knowledge } from './knowledge.js';
import type { Language } from './language.js';
import type { AnswerIntent } from './policy.js';
import { checkGeneratedReply } from './reply-check.js';

const NEED_LABEL: Record<AnswerIntent, string> = {
  invoice_copy: 'copie de facture',
  invoice_error: 'facture contestée ou trop élevée',
  double_debit: 'double prélèvement',
  outage: 'panne internet / box / TV',
  no_network: 'plus de réseau mobile',
  slow_connection: 'connexion lente ou instable',
  password_login: 'mot de passe / connexion au compte',
  cancellation: 'résiliation',
  offers: 'offres et forfaits',
  opening_hours: 'horaires',
  moving_house: 'déménagement',
  thanks: 'remerciements',
  unclear: 'demande pas claire : pose UNE question pour la préciser',
};

export interface ReplyGeneratorDeps {
  client: MistralChatClient;
  model: string;
  timeoutMs: number;
  logger: LoggerLike;
  semaphore: Semaphore;
  knowledge: Knowledge;
}

export interface ReplyRequest {
  intent: AnswerIntent;
  lang: Language;
  greet: boolean;
}

export function buildSystemPrompt(shape: ReplyShape, request: ReplyRequest, knowledge: Knowledge): string {
  const lang = request.lang;
  return [
    "Tu es l'assistant virtuel du support client de Freeda (opérateur télécom). Réponds au dernier message du client, court et poli.",
    `Langue de la réponse : ${lang === 'fr' ? 'français' : 'anglais'}, et seulement cette langue.`,
    `${shape.style[lang]} ${shape.max_chars} caractères au maximum.`,
    request.greet ? "C'est ta première réponse : présente-toi en une courte phrase." : 'Ne te présente pas à nouveau.',
    `Besoin détecté : ${NEED_LABEL[request.intent]}. Réponds à ce besoin directement : les étapes, ce qu'il nous faut du client, la suite.`,
    "N'utilise que les informations de la base de connaissances ci-dessous. N'invente jamais de prix, de montant, de remboursement, de geste commercial, de date ni de délai, et ne donne aucun lien, numéro ou adresse qui n'y figure pas. Si l'information manque, propose de passer la main à un conseiller.",
    'Réponds par le texte du message seulement.',
    '',
    '--- Base de connaissances ---',
    knowledge.text.trim(),
    '--- Fin de la base de connaissances ---',
  ].join('\n');
}

export function createReplyGenerator(deps: ReplyGeneratorDeps) {
  return {
    async generate(input: ChatbotInput, request: ReplyRequest, shape: ReplyShape): Promise<string | null> {
      const conversation = input.messages
        .filter((m) => m.text.trim() !== '' && m.author !== 'system')
        .slice(-10)
        .map((m) => ({ role: m.author === 'customer' ? ('user' as const) : ('assistant' as const), content: m.text.slice(0, 2000) }));
      const warn = (reason: string) =>
        deps.logger.warn(
          { event: 'chatbot_fallback', ticket_id: input.ticket.ticket_id, model: deps.model, reason },
          'Mistral reply not used, answering offline',
        );
      let raw: string;
      try {
        const response = await deps.semaphore.run(() =>
          deps.client.chat.complete(
            {
              model: deps.model,
              temperature: 0.2,
              maxTokens: 400,
              messages: [{ role: 'system', content: buildSystemPrompt(shape, request, deps.knowledge) }, ...conversation],
            },
            { timeoutMs: deps.timeoutMs, retryCodes: ['429', '500', '502', '503', '504'] },
          ),
        );
        raw = firstChoiceText(response)?.trim() ?? '';
      } catch (err) {
        warn(describeMistralError(err));
        return null;
      }
      const checked = checkGeneratedReply(raw, { shape, lang: request.lang, knowledge: deps.knowledge.text });
      if (!checked.ok) {
        warn(`invalid_reply: ${checked.reason}`);
        return null;
      }
      return shapeReply(checked.text, shape, request.lang);
    },
  };
}
