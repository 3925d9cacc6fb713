import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { newTicket } from '../../src/domain/ticket.js';
import type { ChatbotInput, ConversationTurn } from '../../src/domain/intelligence.js';
import type { Analytics, Channel, Ticket } from '../../src/domain/types.js';
import { createChatbot, smsSegments, type BotAnswers, type Knowledge } from '../../src/pipeline/chatbot/index.js';
import { defaultBotAnswers } from '../../src/pipeline/chatbot/answers.js';
import { gsmSeptets } from '../../src/pipeline/chatbot/format.js';
import { captureLogger, chatRequestOf, completion, startFakeMistral, type FakeMistral } from '../analytics/fake-mistral.js';
import { BUILT_IN_CHANNELS } from '../helpers/channels.js';

const customer = (text: string): ConversationTurn => ({ author: 'customer', text });
const bot = (text: string): ConversationTurn => ({ author: 'bot', text });
const agent = (text: string): ConversationTurn => ({ author: 'agent', text });

function ticketOn(channel: Channel, patch: Partial<Ticket> = {}): Ticket {
  return { ...newTicket({ ticket_id: 'T-1', channel, contact: { address: '+33612345678' }, now: '2026-01-01T10:00:00.000Z' }), ...patch };
}
const input = (
  channel: Channel,
  messages: ConversationTurn[],
  analytics: Analytics | null = null,
  patch: Partial<Ticket> = {},
): ChatbotInput => ({
  ticket: ticketOn(channel, patch),
  messages,
  analytics,
});
const offlineBot = (maxBotTurns?: number) =>
  createChatbot({ model: 'm', timeoutMs: 1000, logger: captureLogger().logger, maxBotTurns, channels: BUILT_IN_CHANNELS });

describe('chatbot templates: intents in the customer language', () => {
  const cases: Array<[string, string, RegExp]> = [
    ['Bonjour, pouvez-vous m’envoyer une copie de ma facture de mars ?', 'fr', /espace client, rubrique Factures/],
    ['Hi, can I get a copy of my March invoice?', 'en', /customer account under Invoices/],
    ['Quels sont vos horaires le samedi ?', 'fr', /du lundi au samedi/],
    ['What are your opening hours on Saturday?', 'en', /Monday to Saturday/],
    ['Comment je fais pour résilier mon abonnement ?', 'fr', /Pour résilier/],
    ['How do I cancel my contract?', 'en', /To cancel/],
    ['La connexion rame le soir, vous pouvez regarder ?', 'fr', /testez le débit/],
    ['My internet is very slow in the evening', 'en', /speed test/],
  ];
  for (const [text, lang, expected] of cases) {
    it(`${lang}: ${text}`, async () => {
      const decision = await offlineBot().decide(input('chat', [customer(text)]));
      assert.equal(decision.handoff, false);
      assert.match(decision.reply ?? '', expected);
      assert.match(decision.reply ?? '', lang === 'fr' ? /^Bonjour, je suis l'assistant/ : /^Hello, I'm Freeda's/);
    });
  }
  it('greets only on its first reply', async () => {
    const decision = await offlineBot().decide(
      input('chat', [
        customer('bonjour'),
        bot("Bonjour, je suis l'assistant virtuel de Freeda. Comment puis-je vous aider ?"),
        customer('vos horaires svp'),
      ]),
    );
    assert.match(decision.reply ?? '', /^Notre service client/);
  });
});

describe('chatbot handoff rules', () => {
  it('hands off when the customer asks for a human (FR and EN)', async () => {
    const fr = await offlineBot().decide(input('chat', [customer('je veux parler à un conseiller')]));
    assert.deepEqual({ handoff: fr.handoff, reason: fr.handoff_reason }, { handoff: true, reason: 'customer_request' });
    assert.match(fr.reply ?? '', /conseiller prend le relais/);
    const en = await offlineBot().decide(input('chat', [customer('can I talk to a real person please')]));
    assert.equal(en.handoff_reason, 'customer_request');
    assert.match(en.reply ?? '', /agent will take over/);
  });
  it('hands off when the analytics passed in say urgency haute', async () => {
    const analytics: Analytics = {
      sentiment: 'neutre',
      category: 'autre',
      urgency: 'haute',
      summary: 'x',
      analyzed_at: '2026-01-01T10:00:00.000Z',
      source: 'ai',
      model: 'm',
    };
    const d = await offlineBot().decide(input('chat', [customer('Quels sont vos horaires ?')], analytics));
    assert.equal(d.handoff_reason, 'urgency_high');
  });
  it('without analytics, the offline analyzer judges urgency', async () => {
    const d = await offlineBot().decide(input('sms', [customer("plus d'internet du tout depuis hier, je télétravaille")]));
    assert.equal(d.handoff_reason, 'urgency_high');
    const calm = await offlineBot().decide(input('sms', [customer('vos horaires le samedi ?')]));
    assert.equal(calm.handoff, false);
  });
  it('hands off when sentiment is negatif on two customer turns, not on one', async () => {
    const once = await offlineBot().decide(
      input('chat', [customer("c'est nul, ma facture est encore fausse"), bot('Pouvez-vous préciser ?'), customer('la facture de mars')]),
    );
    assert.equal(once.handoff, false);
    const twice = await offlineBot().decide(
      input('chat', [
        customer("c'est nul, ma facture est encore fausse"),
        bot('Pouvez-vous préciser ?'),
        customer("franchement c'est inadmissible"),
      ]),
    );
    assert.equal(twice.handoff_reason, 'negative_sentiment');
  });
  it('hands off after maxBotTurns bot replies', async () => {
    const turns = [
      customer('bonjour'),
      bot('Bonjour ! Comment puis-je vous aider ?'),
      customer('vos horaires ?'),
      bot('Du lundi au samedi.'),
      customer('et pour ma facture de mars ?'),
    ];
    assert.equal((await offlineBot(3).decide(input('chat', turns))).handoff, false);
    const more = [...turns, bot('Elle est dans votre espace client.'), customer('et vos offres fibre ?')];
    const d = await offlineBot(3).decide(input('chat', more));
    assert.equal(d.handoff_reason, 'max_bot_turns');
    assert.equal((await offlineBot(2).decide(input('chat', turns))).handoff_reason, 'max_bot_turns');
  });
  it('stays silent once an agent handles the ticket', async () => {
    const d = await offlineBot().decide(
      input('chat', [customer('je veux un conseiller'), agent('Bonjour, je suis Paul.'), customer('merci')], null, { handled_by: 'agent' }),
    );
    assert.deepEqual(d, { reply: null, handoff: false });
  });
  it('stays silent when there is no new customer turn', async () => {
    const d = await offlineBot().decide(input('chat', [customer('bonjour'), bot('Bonjour !')]));
    assert.deepEqual(d, { reply: null, handoff: false });
  });
});

describe('chatbot channel shaping', () => {
  const defaults = defaultBotAnswers();
  const answers: BotAnswers = {
    ...defaults,
    intents: {
      ...defaults.intents,
      opening_hours: { fr: 'Nous sommes ouverts du lundi au samedi. '.repeat(12) + 'Fin.', en: 'Open Monday to Saturday. '.repeat(12) },
      invoice_copy: {
        fr: 'Voir https://freeda.example/factures 😊 dans votre espace client.',
        en: 'See https://freeda.example/invoices 😊',
      },
      slow_connection: { fr: 'Testez le débit. Rendez-vous sur www.freeda.example/etat', en: 'Run a speed test.' },
      cancellation: { fr: 'Être, hôtel, garçon, « guillemets » – tirets, même là.', en: 'Cancel online.' },
    },
  };
  const bot = (_channel: Channel) =>
    createChatbot({ model: 'm', timeoutMs: 1000, logger: captureLogger().logger, answers, channels: BUILT_IN_CHANNELS });

  it('SMS stays within 300 characters and 2 segments, even with accents outside GSM-7', async () => {
    for (const text of ['vos horaires ?', 'je veux résilier, comment faire ?']) {
      const d = await bot('sms').decide(input('sms', [customer(text)]));
      const reply = d.reply ?? '';
      assert.ok(reply.length <= 300, `${reply.length} chars`);
      assert.ok(smsSegments(reply) <= 2, `${smsSegments(reply)} segments`);
      assert.notEqual(gsmSeptets(reply), null, 'GSM-7 only');
    }
  });
  it('WhatsApp stays within 300 characters', async () => {
    const d = await bot('whatsapp').decide(input('whatsapp', [customer('vos horaires ?')]));
    assert.ok((d.reply ?? '').length <= 300);
  });
  it('telephone replies are speakable: no URL, no emoji', async () => {
    for (const text of ['je voudrais une copie de ma facture', 'la connexion est lente']) {
      const d = await bot('telephone').decide(input('telephone', [customer(text)]));
      const reply = d.reply ?? '';
      assert.ok(reply.length > 10);
      assert.doesNotMatch(reply, /https?:|www\.|\p{Extended_Pictographic}/u);
    }
  });
  it('email replies have a greeting line and a sign-off', async () => {
    const fr = await offlineBot().decide(
      input('email', [customer('Bonjour,\nPourriez-vous me renvoyer ma facture de mars ?\nCordialement')]),
    );
    assert.match(fr.reply ?? '', /^Bonjour,\n\n/);
    assert.match(fr.reply ?? '', /\n\nCordialement,\nL'assistant virtuel Freeda$/);
    const en = await offlineBot().decide(input('email', [customer('Hello, could you resend my March invoice? Thanks')]));
    assert.match(en.reply ?? '', /^Hello,\n\n/);
    assert.match(en.reply ?? '', /Kind regards,\nThe Freeda virtual assistant$/);
  });
});

describe('chatbot Mistral path', () => {
  const servers: FakeMistral[] = [];
  after(async () => {
    await Promise.all(servers.map((s) => s.close()));
  });
  const mistralBot = (url: string, timeoutMs = 2000, knowledge?: Knowledge) => {
    const log = captureLogger();
    return {
      log,
      chatbot: createChatbot({
        apiKey: 'k',
        model: 'mistral-small-latest',
        serverUrl: url,
        timeoutMs,
        logger: log.logger,
        retryInitialIntervalMs: 10,
        knowledge,
        channels: BUILT_IN_CHANNELS,
      }),
    };
  };

  it('uses the generated reply, shaped for the channel; the prompt is grounded in the knowledge', async () => {
    const server = await startFakeMistral({
      reply: () => ({
        status: 200,
        json: completion('Bonjour ! Vos factures sont dans votre espace client 😊 https://freeda.example/factures'),
      }),
    });
    servers.push(server);
    const knowledge = { text: '# Factures\nEn PDF sur https://freeda.example/factures.\n', source: 'test' };
    const { chatbot } = mistralBot(server.url, 2000, knowledge);
    const d = await chatbot.decide(input('telephone', [customer('je voudrais une copie de ma facture')]));
    assert.equal(d.handoff, false);
    assert.equal(d.reply, 'Bonjour ! Vos factures sont dans votre espace client');
    assert.equal(server.requests.length, 1);
    const body = chatRequestOf(server.requests[0]);
    assert.ok(body, 'a chat completion request');
    assert.equal(body.model, 'mistral-small-latest');
    assert.equal(body.messages.at(-1)?.content, 'je voudrais une copie de ma facture');
    const system = body.messages[0].content;
    assert.match(system, /Appel vocal/);
    assert.match(system, /280 caractères au maximum/);
    assert.match(system, /N'invente jamais de prix, de montant, de remboursement/);
    assert.match(system, /Besoin détecté : copie de facture/);
    assert.ok(system.includes(knowledge.text.trim()), 'the knowledge file is in the prompt');
  });
  it('falls back to the template when Mistral fails', async () => {
    const server = await startFakeMistral({ reply: () => ({ status: 500, json: { message: 'down' } }) });
    servers.push(server);
    const { chatbot, log } = mistralBot(server.url, 300);
    const d = await chatbot.decide(input('chat', [customer('Quels sont vos horaires ?')]));
    assert.match(d.reply ?? '', /du lundi au samedi/);
    assert.equal(log.lines.filter((l) => l.level === 'warn').length, 1);
  });
  it('does not call Mistral for handoffs or silence', async () => {
    const server = await startFakeMistral({ reply: () => ({ status: 200, json: completion('x') }) });
    servers.push(server);
    const { chatbot } = mistralBot(server.url);
    await chatbot.decide(input('chat', [customer('un conseiller svp')]));
    await chatbot.decide(input('chat', [customer('merci')], null, { handled_by: 'agent' }));
    assert.equal(server.requests.length, 0);
  });
});

describe('chatbot with stored analytics older than the latest turn', () => {
  it('still hands off when the new turn reports a total outage', async () => {
    const stale: Analytics = {
      sentiment: 'neutre',
      category: 'autre',
      urgency: 'basse',
      summary: 'x',
      analyzed_at: '2026-01-01T10:00:00.000Z',
      source: 'ai',
      model: 'm',
    };
    const d = await offlineBot().decide(
      input(
        'chat',
        [
          customer('bonjour'),
          bot('Bonjour ! Comment puis-je vous aider ?'),
          customer("plus d'internet du tout au bureau, personne ne peut travailler"),
        ],
        stale,
      ),
    );
    assert.equal(d.handoff_reason, 'urgency_high');
  });
});

describe('chatbot reads a bare "oui" as an answer to its question', () => {
  it('"oui" to "Voulez-vous résilier ?" gets the cancel procedure', async () => {
    const d = await offlineBot().decide(
      input('chat', [customer('bonjour'), bot('Bonjour ! Voulez-vous résilier votre abonnement ?'), customer('oui')]),
    );
    assert.match(d.reply ?? '', /Pour résilier/);
  });
  it('"yes" to an offer of a human is a handoff', async () => {
    const d = await offlineBot().decide(input('chat', [customer('hmm'), bot('Would you like to talk to an agent?'), customer('yes')]));
    assert.equal(d.handoff_reason, 'customer_request');
  });
});
