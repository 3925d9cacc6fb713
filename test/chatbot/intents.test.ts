// The bot's need detection on our own examples (written before the first-messages table was read), and the
// offline answers it gives for them in the customer's language.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { newTicket } from '../../src/domain/ticket.js';
import type { Channel } from '../../src/domain/types.js';
import { defaultBotAnswers } from '../../src/pipeline/chatbot/answers.js';
import { answerText, createChatbot, decidePolicy } from '../../src/pipeline/chatbot/index.js';
import { detectIntent, saysUrgent, type Intent } from '../../src/pipeline/chatbot/intents.js';
import { captureLogger } from '../analytics/fake-mistral.js';
import { BUILT_IN_CHANNELS } from '../helpers/channels.js';

const EXAMPLES: Record<Intent, string[]> = {
  invoice_copy: [
    'Bonjour, pouvez-vous m’envoyer une copie de ma facture de mars ?',
    "je n'ai pas reçu ma facture ce mois-ci",
    'Can I get a copy of my March invoice?',
    'where can i download my bills?',
    'bjr jtrouve pas ma facture de fevrier dans lespace client',
    'Madame,\n\nmon comptable me demande mes factures de 2025.\nPouvez-vous me les transmettre ?\n\nCordialement',
  ],
  invoice_error: [
    'ma facture est trop élevée ce mois-ci',
    'Pourquoi ma facture a augmenté de 10 € ?',
    'My bill is much higher than usual, there must be a mistake',
    'There is an error on my latest invoice',
    'il y a une erreur sur ma facture, des frais que je ne comprends pas',
    "c'est quoi ces frais de 12 € ? j'ai jamais commandé d'option",
  ],
  double_debit: [
    "vous m'avez prélevé deux fois ce mois-ci",
    'prélevé 2 fois 39,99 €',
    'I was charged twice for April',
    'There are two debits for the same bill on my bank statement',
    'double prélèvement sur mon compte !',
    'you took the monthly payment twice this month',
  ],
  outage: [
    'ma box ne marche plus',
    "plus d'internet depuis ce matin",
    'The router light is blinking red and no internet',
    'Is there an outage in Lyon? My wifi stopped working',
    'la télé ne fonctionne plus depuis hier soir',
  ],
  no_network: [
    'mon téléphone ne capte plus du tout',
    'pas de réseau chez moi depuis 2 jours',
    'No signal on my phone since this morning',
    "I can't make calls, it says emergency calls only",
  ],
  slow_connection: [
    'internet est super lent le soir',
    'la connexion rame depuis lundi',
    'My broadband is really slow, 2 Mbps',
    'the wifi keeps dropping every few minutes',
  ],
  password_login: [
    "j'ai oublié mon mot de passe",
    "je n'arrive pas à me connecter à mon espace client",
    "I can't log in to the app",
    'My account is locked after too many attempts',
  ],
  cancellation: [
    'je veux résilier mon abonnement',
    'Comment je fais pour résilier ?',
    'How do I cancel my contract?',
    "I'm switching provider, I need my porting code",
    'je souhaite arrêter mon forfait mobile, je pars chez un autre opérateur',
  ],
  offers: [
    'quelles sont vos offres fibre ?',
    'je voudrais un forfait moins cher',
    'Do you have any deals on mobile plans?',
    'Is fibre available at my address?',
  ],
  opening_hours: [
    'Quels sont vos horaires le samedi ?',
    'à quelle heure ouvre la boutique de Nantes ?',
    'What are your opening hours?',
    'Are you open on Sunday?',
  ],
  moving_house: [
    'je déménage le mois prochain, comment transférer ma box ?',
    'Nous déménageons à Lille, que dois-je faire pour ma ligne ?',
    "I'm moving house next month, what happens to my broadband?",
    'We are moving to a new flat, can I take my contract with me?',
  ],
  human: ['je veux parler à un conseiller', 'un humain svp', 'Can I talk to a real person please?', 'I want to speak to an agent'],
  thanks: ['merci beaucoup', 'ok thanks 👍'],
  unclear: ['bonjour', 'hello', "j'ai un problème", 'question', 'I need help'],
};

describe('chatbot needs: our own examples', () => {
  for (const [intent, texts] of Object.entries(EXAMPLES)) {
    for (const text of texts) {
      it(`${intent}: ${text}`, () => assert.equal(detectIntent(text), intent));
    }
  }
  it('explicit urgency words are read, "appels d’urgence uniquement" is not a hurry', () => {
    assert.equal(saysUrgent("ça ne capte plus, c'est urgent"), true);
    assert.equal(saysUrgent('need this fixed ASAP'), true);
    assert.equal(saysUrgent("mon téléphone affiche appels d'urgence uniquement"), false);
  });
});

const ticket = (channel: Channel) =>
  newTicket({ ticket_id: 'T-1', channel, contact: { address: '+33612345678' }, now: '2026-01-01T10:00:00.000Z' });
const bot = createChatbot({ model: 'm', timeoutMs: 1000, logger: captureLogger().logger, channels: BUILT_IN_CHANNELS });

describe('chatbot answers the stated need in the customer language', () => {
  const answers = defaultBotAnswers();
  const cases: Array<[string, 'fr' | 'en', Intent]> = [
    ["je n'ai pas reçu ma facture", 'fr', 'invoice_copy'],
    ['My bill is too high this month', 'en', 'invoice_error'],
    ['prélevé deux fois ce mois-ci', 'fr', 'double_debit'],
    ['I forgot my password', 'en', 'password_login'],
    ['je déménage le 12, que faire pour ma ligne ?', 'fr', 'moving_house'],
    ['What plans do you have for a second line?', 'en', 'offers'],
    ['internet est lent depuis hier', 'fr', 'slow_connection'],
  ];
  for (const [text, lang, intent] of cases) {
    it(`${lang} ${intent}: ${text}`, async () => {
      const input = { ticket: ticket('chat'), messages: [{ author: 'customer' as const, text }], analytics: null };
      const decision = decidePolicy(input);
      assert.equal(decision.action, 'answer');
      const reply = (await bot.decide(input)).reply ?? '';
      assert.ok(reply.includes(answerText(answers, intent as never, lang)), reply);
      assert.ok(reply.startsWith(answers.greeting[lang]), reply);
    });
  }
  it('an unclear first message gets one clarifying question, a second unclear one goes to an agent', async () => {
    const first = await bot.decide({ ticket: ticket('chat'), messages: [{ author: 'customer', text: "j'ai un souci" }], analytics: null });
    assert.match(first.reply ?? '', /\?/);
    assert.equal(first.handoff, false);
    const second = await bot.decide({
      ticket: ticket('chat'),
      messages: [
        { author: 'customer', text: "j'ai un souci" },
        { author: 'bot', text: first.reply ?? '' },
        { author: 'customer', text: 'bah un souci quoi' },
      ],
      analytics: null,
    });
    assert.equal(second.handoff_reason, 'still_unclear');
  });
  it('"c’est urgent" hands off at once with a promise of a callback time', async () => {
    const d = await bot.decide({
      ticket: ticket('sms'),
      messages: [{ author: 'customer', text: "mon portable ne capte plus, c'est urgent" }],
      analytics: null,
    });
    assert.equal(d.handoff_reason, 'urgency_high');
    assert.match(d.reply ?? '', /dans l'heure/);
  });
});
