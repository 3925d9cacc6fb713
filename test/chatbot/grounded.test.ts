// The Mistral reply path is grounded and checked: invalid output from the fake Mistral (other language, too long for
// the channel, a link or a price the knowledge does not give) is replaced by the offline answer. And the answers
// file: YAML or JSON, validated at start with errors naming the file and the path.
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { stringify } from 'yaml';
import { newTicket } from '../../src/domain/ticket.js';
import type { ConversationTurn } from '../../src/domain/intelligence.js';
import type { Channel } from '../../src/domain/types.js';
import { defaultBotAnswers, loadBotAnswers } from '../../src/pipeline/chatbot/answers.js';
import { createChatbot, loadKnowledge, type Knowledge } from '../../src/pipeline/chatbot/index.js';
import { fileURLToPath } from 'node:url';
import { checkGeneratedReply } from '../../src/pipeline/chatbot/reply-check.js';
import { startApp } from '../helpers/app.js';
import { BUILT_IN_CHANNELS } from '../helpers/channels.js';
import { tempDir } from '../helpers/tmp.js';
import { captureLogger, completion, startFakeMistral, type FakeMistral } from '../analytics/fake-mistral.js';

const KNOWLEDGE: Knowledge = {
  source: 'test',
  text: [
    '# Factures',
    'Les factures sont en PDF dans l’espace client : https://freeda.example/factures',
    '# Offres',
    'Le forfait 100 Go coûte 19,99 € par mois. Service client : 09 70 00 00 00.',
  ].join('\n'),
};

const customer = (text: string): ConversationTurn => ({ author: 'customer', text });
const inputOn = (channel: Channel, text: string) => ({
  ticket: newTicket({ ticket_id: 'T-1', channel, contact: { address: '+33612345678' }, now: '2026-01-01T10:00:00.000Z' }),
  messages: [customer(text)],
  analytics: null,
});

describe('generated replies are checked before they are sent', () => {
  let server: FakeMistral;
  let nextReply = '';
  before(async () => {
    server = await startFakeMistral({ reply: () => ({ status: 200, json: completion(nextReply) }) });
  });
  after(() => server.close());

  const ask = async (reply: string, channel: Channel, text: string) => {
    nextReply = reply;
    const log = captureLogger();
    const bot = createChatbot({
      apiKey: 'k',
      model: 'mistral-small-latest',
      serverUrl: server.url,
      timeoutMs: 2000,
      logger: log.logger,
      knowledge: KNOWLEDGE,
      channels: BUILT_IN_CHANNELS,
    });
    const decision = await bot.decide(inputOn(channel, text));
    const warnings = log.lines.filter((l) => l.level === 'warn').map((l) => JSON.stringify(l.obj));
    return { reply: decision.reply ?? '', warnings };
  };
  const offline = defaultBotAnswers();

  it('a valid reply with an allowed link and a known price is used', async () => {
    const { reply, warnings } = await ask(
      'Le forfait 100 Go coûte 19,99 € par mois, voir https://freeda.example/factures.',
      'chat',
      'combien coûte le forfait 100 Go ?',
    );
    assert.equal(reply, 'Le forfait 100 Go coûte 19,99 € par mois, voir https://freeda.example/factures.');
    assert.deepEqual(warnings, []);
  });
  const invalid: Array<[string, string, Channel, string, RegExp]> = [
    [
      'a link not in the knowledge',
      'Téléchargez-la sur https://evil.example/facture',
      'chat',
      'je voudrais une copie de ma facture',
      /link_not_allowed/,
    ],
    ['an invented price', 'Le forfait fibre coûte 15 € par mois.', 'chat', 'quelles sont vos offres fibre ?', /unknown_figure/],
    [
      'an invented phone number',
      'Appelez le 01 23 45 67 89 pour votre facture.',
      'chat',
      'je voudrais une copie de ma facture',
      /unknown_figure/,
    ],
    [
      'the wrong language',
      'Your invoices are in your customer account, you can download them there.',
      'chat',
      'je voudrais une copie de ma facture',
      /wrong_language/,
    ],
    [
      'too long for an SMS',
      `Votre facture est en ligne. ${'Il y a aussi le détail de vos consommations. '.repeat(8)}`,
      'sms',
      'je voudrais une copie de ma facture',
      /too_long/,
    ],
    ['an empty answer', '', 'chat', 'je voudrais une copie de ma facture', /empty_reply/],
  ];
  for (const [what, generated, channel, text, reason] of invalid) {
    it(`${what} → the offline answer, with a warning`, async () => {
      const { reply, warnings } = await ask(generated, channel, text);
      const expected = channel === 'sms' ? /espace client, rubrique Factures/ : /rubrique Factures|Changer d'offre/;
      assert.match(reply, expected);
      assert.ok(!reply.includes(generated.slice(0, 30)) || generated === '', 'the generated text is not sent');
      assert.equal(warnings.length, 1);
      assert.match(warnings[0], reason);
    });
  }
  it('answers in English are checked against an English customer', () => {
    const shape = BUILT_IN_CHANNELS.capabilities('chat').reply;
    assert.equal(checkGeneratedReply('Your invoices are in your account.', { shape, lang: 'en', knowledge: '' }).ok, true);
    assert.equal(checkGeneratedReply('Vos factures sont dans votre espace.', { shape, lang: 'en', knowledge: '' }).ok, false);
  });
  it('offline answers exist for every need in both languages', () => {
    for (const texts of Object.values(offline.intents)) assert.ok(texts.fr.length > 20 && texts.en.length > 20);
  });
});

describe('BOT_ANSWERS_FILE', () => {
  it('a JSON copy of the default with one text changed is used as written', async () => {
    const dir = await tempDir();
    try {
      const answers = structuredClone(defaultBotAnswers());
      answers.intents.opening_hours.fr = 'Nous ouvrons de 8h à 20h, 7 jours sur 7.';
      const file = join(dir.path, 'answers.json');
      await writeFile(file, JSON.stringify(answers));
      const bot = createChatbot({
        model: 'm',
        timeoutMs: 1000,
        logger: captureLogger().logger,
        answers: loadBotAnswers(file),
        channels: BUILT_IN_CHANNELS,
      });
      const d = await bot.decide(inputOn('chat', 'vos horaires ?'));
      assert.match(d.reply ?? '', /de 8h à 20h, 7 jours sur 7/);
    } finally {
      await dir.remove();
    }
  });
  it('an invalid YAML file stops the start with the file and the path of each problem', async () => {
    const dir = await tempDir();
    try {
      const answers = structuredClone(defaultBotAnswers()) as unknown as { intents: Record<string, unknown>; thanks: unknown };
      delete answers.intents.password_login;
      answers.thanks = { fr: 'Merci' };
      const file = join(dir.path, 'answers.yaml');
      await writeFile(file, stringify(answers));
      await assert.rejects(
        startApp({ env: { BOT_ANSWERS_FILE: file }, dataDir: join(dir.path, 'data') }),
        (err: Error) =>
          err.message.includes(`BOT_ANSWERS_FILE ${file} is not usable`) &&
          /intents\.password_login: /.test(err.message) &&
          /thanks\.en: /.test(err.message),
      );
      await writeFile(file, 'greeting: [unclosed');
      assert.throws(() => loadBotAnswers(file), /cannot be parsed/);
      assert.throws(() => loadBotAnswers(join(dir.path, 'missing.yaml')), /missing\.yaml is not usable:\n\s+cannot be read/);
    } finally {
      await dir.remove();
    }
  });
});

describe('KNOWLEDGE_FILE', () => {
  it('the example FAQ under docs/ loads; a missing or empty file is refused with its name', async () => {
    const example = loadKnowledge(fileURLToPath(new URL('../../docs/knowledge.example.md', import.meta.url)));
    assert.match(example.text, /## Invoices/);
    assert.throws(() => loadKnowledge('/nonexistent/faq.md'), /KNOWLEDGE_FILE \/nonexistent\/faq\.md cannot be read/);
    const dir = await tempDir();
    try {
      await writeFile(join(dir.path, 'empty.md'), '  \n');
      assert.throws(() => loadKnowledge(join(dir.path, 'empty.md')), /empty\.md is empty/);
    } finally {
      await dir.remove();
    }
  });
});
