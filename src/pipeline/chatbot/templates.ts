// Reply templates, French and English. Channel formatting (greeting line, sign-off, length) is applied afterwards.
import type { Intent } from './intents.js';
import type { Language } from './language.js';

export type HandoffReason = 'customer_request' | 'urgency_high' | 'negative_sentiment' | 'max_bot_turns';

/** Facts the bot may state. Defaults are deliberately generic; a deployment overrides them. */
export interface ChatbotKnowledge {
  openingHours: Record<Language, string>;
  invoiceCopy: Record<Language, string>;
  outageStatus: Record<Language, string>;
  cancelProcedure: Record<Language, string>;
}

export const DEFAULT_KNOWLEDGE: ChatbotKnowledge = {
  openingHours: {
    fr: 'Notre service client est joignable du lundi au samedi de 9h à 19h, et nos boutiques suivent les horaires affichés en magasin.',
    en: 'Our support team is available Monday to Saturday, 9am to 7pm; our stores follow the hours shown in each store.',
  },
  invoiceCopy: {
    fr: 'Vos factures sont dans votre espace client, rubrique Factures, à télécharger en PDF. Dites-moi le mois voulu si vous ne la trouvez pas et je transmets la demande.',
    en: 'Your invoices are in your customer account under Invoices, as PDF downloads. Tell me which month you need if you cannot find it and I will pass the request on.',
  },
  outageStatus: {
    fr: "Je n'ai pas d'incident général à vous signaler ici. Redémarrez votre box ou votre téléphone ; si le problème continue, dites-le-moi et un conseiller vérifiera votre ligne.",
    en: 'I have no general incident to report here. Please restart your router or phone; if the problem goes on, tell me and an agent will check your line.',
  },
  cancelProcedure: {
    fr: 'Pour résilier, envoyez votre demande depuis votre espace client ou par courrier, avec la date souhaitée. Pour partir chez un autre opérateur en gardant votre numéro, donnez-lui simplement votre code RIO.',
    en: 'To cancel, send your request from your customer account or by post with the date you want. To move to another provider and keep your number, just give them your porting code.',
  },
};

const GREETING: Record<Language, string> = {
  fr: "Bonjour, je suis l'assistant virtuel de Freeda.",
  en: "Hello, I'm Freeda's virtual assistant.",
};

const ANSWERS: Record<Exclude<Intent, 'human'>, Record<Language, (k: ChatbotKnowledge) => string>> = {
  invoice_copy: { fr: (k) => k.invoiceCopy.fr, en: (k) => k.invoiceCopy.en },
  outage_status: { fr: (k) => k.outageStatus.fr, en: (k) => k.outageStatus.en },
  opening_hours: { fr: (k) => k.openingHours.fr, en: (k) => k.openingHours.en },
  cancel_procedure: { fr: (k) => k.cancelProcedure.fr, en: (k) => k.cancelProcedure.en },
  thanks: { fr: () => 'Avec plaisir, bonne journée !', en: () => "You're welcome, have a nice day!" },
  greeting: { fr: () => 'Comment puis-je vous aider ?', en: () => 'How can I help you?' },
  unknown: {
    fr: () =>
      'Pouvez-vous préciser votre demande ? Je peux vous aider pour une facture, une panne, nos horaires ou une résiliation, ou vous passer un conseiller.',
    en: () =>
      'Could you tell me a bit more? I can help with an invoice, an outage, our opening hours or cancelling, or put you through to an agent.',
  },
};

const HANDOFF: Record<HandoffReason, Record<Language, string>> = {
  customer_request: {
    fr: 'Bien sûr, un conseiller va prendre le relais dans cette conversation.',
    en: 'Of course, an agent will take over this conversation.',
  },
  urgency_high: {
    fr: 'Je transmets votre demande en priorité, un conseiller va prendre le relais.',
    en: 'I am passing your request on as a priority, an agent will take over.',
  },
  negative_sentiment: {
    fr: 'Je suis désolé pour ce désagrément, un conseiller va prendre le relais.',
    en: 'I am sorry for the trouble, an agent will take over.',
  },
  max_bot_turns: {
    fr: 'Un conseiller va prendre le relais pour mieux vous aider.',
    en: 'An agent will take over to help you further.',
  },
};

export function answerTemplate(intent: Exclude<Intent, 'human'>, lang: Language, knowledge: ChatbotKnowledge, greet: boolean): string {
  const body = ANSWERS[intent][lang](knowledge);
  if (!greet || intent === 'thanks') return body;
  return `${GREETING[lang]} ${body}`;
}

export function handoffTemplate(reason: HandoffReason, lang: Language): string {
  return HANDOFF[reason][lang];
}
