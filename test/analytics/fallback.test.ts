import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import type { AnalysisInput, ConversationTurn } from '../../src/domain/intelligence.js';
import type { Channel } from '../../src/domain/types.js';
import { evaluate, LABEL_FIELDS, loadDataset, toInput } from '../../src/pipeline/analytics/dataset.js';
import { analyzeOffline } from '../../src/pipeline/analytics/fallback.js';
import { stripQuotedHistory, normalizeForMatching } from '../../src/pipeline/analytics/text.js';

const customer = (text: string): ConversationTurn => ({ author: 'customer', text });
const bot = (text: string): ConversationTurn => ({ author: 'bot', text });
const analyze = (messages: ConversationTurn[] | string, channel: Channel = 'sms', subject?: string) =>
  analyzeOffline({
    channel,
    subject: subject ?? null,
    messages: typeof messages === 'string' ? [customer(messages)] : messages,
  } satisfies AnalysisInput);

describe('offline analyzer: sentiment rules', () => {
  it('a calm problem report is neutre, an expressed judgement makes it negatif', () => {
    assert.equal(analyze("ma box ne s'allume plus, pouvez-vous regarder ?").sentiment, 'neutre');
    assert.equal(analyze("ma box ne s'allume plus, c'est inadmissible").sentiment, 'negatif');
  });
  it('reads negations', () => {
    assert.equal(analyze('Pas content du tout de la nouvelle box').sentiment, 'negatif');
    assert.equal(analyze('I am not happy with the new router').sentiment, 'negatif');
    assert.equal(analyze('Pas de souci pour le délai, je voulais juste savoir où en est ma commande.').sentiment, 'neutre');
    assert.equal(analyze('No problem, just let me know when the engineer can come').sentiment, 'neutre');
  });
  it('sarcasm is negatif', () => {
    assert.equal(analyze('Bravo, encore une coupure 👏').sentiment, 'negatif');
    assert.equal(analyze('Oh great, charged twice again. Love it.').sentiment, 'negatif');
    assert.equal(analyze('merci pour rien').sentiment, 'negatif');
  });
  it('angry-but-polite is negatif', () => {
    const r = analyze(
      'Madame, Monsieur,\nJe vous saurais gré de bien vouloir enfin régulariser cette situation inacceptable.\nCordialement',
      'email',
    );
    assert.equal(r.sentiment, 'negatif');
  });
  it('courtesy formulas are not praise, explicit satisfaction is', () => {
    assert.equal(analyze('Pouvez-vous m’envoyer ma facture de mars ? Merci d’avance, cordialement').sentiment, 'neutre');
    assert.equal(analyze('ravie de la fibre 😊, petite question : je peux ajouter une ligne ?').sentiment, 'positif');
  });
  it('an emoji carrying a variation selector (U+FE0F) is not praise', () => {
    assert.equal(analyze('Ma box ne marche plus ⚠️').sentiment, 'neutre');
    assert.notEqual(analyze('Ma box ne marche plus ☹️').sentiment, 'positif');
    assert.equal(analyze('Ma box marche enfin ♥️').sentiment, 'positif');
  });
  it('an unresolved problem beats praise; a solved one with thanks ends positif', () => {
    assert.equal(analyze('le technicien était adorable mais ça ne marche toujours pas').sentiment, 'negatif');
    const solved = analyze([
      customer('le wifi coupait depuis hier'),
      bot('Nous avons relancé votre ligne.'),
      customer('ça marche parfaitement maintenant, merci beaucoup !'),
    ]);
    assert.equal(solved.sentiment, 'positif');
  });
  it('shouting with !!! is negatif', () => {
    assert.equal(analyze("VOUS AVEZ COUPÉ MA LIGNE ALORS QUE J'AI PAYÉ !!!").sentiment, 'negatif');
  });
});

describe('offline analyzer: category rules', () => {
  it('a bare "oui" to a cancel question is a cancel request', () => {
    const r = analyze([bot('Voulez-vous résilier votre abonnement ?'), customer('oui')], 'chat');
    assert.equal(r.category, 'resiliation');
    assert.equal(r.urgency, 'moyenne');
  });
  it('the bot turns alone are never evidence', () => {
    const r = analyze([bot('Voulez-vous résilier votre abonnement ?'), customer('non, quels sont vos horaires samedi ?')], 'chat');
    assert.notEqual(r.category, 'resiliation');
  });
  it('thanks-only conversations are autre', () => {
    assert.equal(analyze('ok merci').category, 'autre');
    assert.equal(analyze('Merci pour votre aide d’hier, bonne journée !').category, 'autre');
    assert.equal(analyze('Thanks a lot, the technician fixed everything, great job!').category, 'autre');
  });
  it('a conditional threat keeps the underlying topic; not wanting to cancel is commercial', () => {
    assert.equal(analyze("si ce n'est pas remboursé je résilie, vous m'avez prélevé deux fois").category, 'facturation');
    assert.equal(analyze('Je ne veux pas résilier, juste changer d’offre').category, 'commercial');
  });
  it('cancelled but still charged is facturation; a broken payment page is technique', () => {
    assert.equal(analyze("J'ai résilié en juin et vous m'avez encore débité en juillet.").category, 'facturation');
    assert.equal(analyze('La page de paiement plante quand je valide ma carte.').category, 'technique');
  });
  it('price paid is background', () => {
    assert.equal(analyze("je paie 40 € par mois et je n'ai plus internet").category, 'technique');
  });
  it('scams and fake technicians are autre, a hacked account is technique', () => {
    assert.equal(analyze('Un faux technicien se disant de chez vous est venu chez ma mère').category, 'autre');
    assert.equal(analyze('mon compte a été piraté, quelqu’un a changé mon mot de passe').category, 'technique');
  });
});

describe('offline analyzer: urgency rules', () => {
  it('total loss is haute even when calm; an angry remark about hours stays basse', () => {
    assert.equal(analyze("plus d'internet du tout depuis hier soir").urgency, 'haute');
    assert.equal(analyze('Vos horaires le samedi sont ridicules, vous ouvrez à quelle heure ?').urgency, 'basse');
  });
  it('a recurring problem alone is not haute; repeated contacts are', () => {
    assert.equal(analyze('3e coupure ce mois-ci, le wifi saute encore').urgency, 'moyenne');
    assert.equal(analyze("3e fois que j'appelle pour ma box qui plante et personne ne rappelle").urgency, 'haute');
  });
  it('cancel question is basse, cancel decision moyenne, legal threat haute', () => {
    assert.equal(analyze('Combien coûte une résiliation avant la fin de l’engagement ?').urgency, 'basse');
    assert.equal(analyze('Merci de résilier mon forfait à la fin du mois.').urgency, 'moyenne');
    assert.equal(analyze('Sans remboursement sous 8 jours je saisis le médiateur.').urgency, 'haute');
  });
  it('explaining a bill is basse, asserting an error is moyenne', () => {
    assert.equal(analyze("Pouvez-vous m'expliquer la ligne 'frais de service' sur ma facture ?").urgency, 'basse');
    assert.equal(analyze('Vous m’avez prélevé 2 fois 39,99 € ce mois-ci.').urgency, 'moyenne');
  });
});

describe('offline analyzer: spelling, voice and email robustness', () => {
  it('SMS spelling without accents and voice fillers change nothing', () => {
    const sms = analyze('bjr jai un pb, tjrs pas de reseau depuis hier, ni appel ni sms stp');
    const clean = analyze("bonjour j'ai un problème, toujours pas de réseau depuis hier, ni appel ni SMS s'il te plaît");
    assert.deepEqual({ ...sms, summary: '' }, { ...clean, summary: '' });
    assert.equal(analyze('euh oui bonjour, bah voilà, euh, internet est super lent le soir', 'telephone').category, 'technique');
  });
  it('quoted email history is ignored', () => {
    const text =
      'Merci, bien reçu.\n\nLe lun. 3 nov. 2025 à 10:12, Support <s@x.fr> a écrit :\n> Votre résiliation est en cours, frais de 50 €';
    assert.equal(stripQuotedHistory(text), 'Merci, bien reçu.');
    const r = analyze(text, 'email');
    assert.equal(r.category, 'autre');
    assert.equal(r.urgency, 'basse');
  });
  it('normalises SMS abbreviations', () => {
    assert.equal(normalizeForMatching('Bjr, c normal ? pk ?'), "bonjour, c'est normal ? pourquoi ?");
  });
  it('summary is one sentence of at most 200 characters, from customer text', () => {
    const long = `Bonjour, ${'ma connexion coupe très souvent et '.repeat(12)}c'est pénible. Merci.`;
    const r = analyze([bot('Bonjour, je suis le bot de Freeda.'), customer(long)], 'chat');
    assert.ok(r.summary.length <= 200, `summary has ${r.summary.length} chars`);
    assert.ok(!r.summary.includes('Freeda'));
    assert.ok(!/\.\s+\S/.test(r.summary), 'one sentence');
    assert.equal(
      analyze('Bonjour,\nJe veux résilier ma ligne mobile au 30 juin.\nCordialement', 'email').summary,
      'Je veux résilier ma ligne mobile au 30 juin.',
    );
  });
  it('is deterministic', () => {
    const input = 'Oh great, charged twice again. Love it.';
    assert.deepEqual(analyze(input), analyze(input));
  });
});

describe('offline analyzer: context that is not the customer asking', () => {
  const agent = (text: string): ConversationTurn => ({ author: 'agent', text });
  it('the subject of our own earlier mail (Re: …) does not decide; the new text does', () => {
    const r = analyze(
      'Bonjour,\nJe déménage le 15 décembre, ma nouvelle adresse : 27 boulevard Carnot, Nice. Merci de la mettre à jour.',
      'email',
      'Re: Votre facture est en retard de paiement',
    );
    assert.equal(`${r.category}/${r.urgency}`, 'autre/basse');
    const thanks = analyze('Merci pour votre réponse rapide, tout est clair maintenant !', 'email', 'Re: Résiliation ligne secondaire');
    assert.equal(thanks.category, 'autre');
  });
  it('a bare acknowledgement after the agent confirms is not praise', () => {
    const r = analyze([customer('Je veux résilier ma box'), agent('C’est enregistré pour le 30/11.'), customer('parfait merci')], 'chat');
    assert.equal(r.sentiment, 'neutre');
  });
  it('spam sent to the support address is neutre, autre, basse', () => {
    const r = analyze(
      'FELICITATIONS! Vous avez ete selectionne pour gagner un iPhone 16. Reclamez votre cadeau ici: bit.ly/x avant minuit',
    );
    assert.equal(`${r.sentiment}/${r.category}/${r.urgency}`, 'neutre/autre/basse');
  });
  it('a question about announced works is information; a complaint is not a legal threat until it is filed', () => {
    const works = analyze(
      'Vous annoncez des travaux sur le réseau dans la nuit du 20 au 21. Je suis en télétravail de nuit : quelle sera la durée de la coupure ?',
      'email',
    );
    assert.equal(works.urgency, 'basse');
    assert.notEqual(analyze('Plainte : votre conseiller a été méprisant, j’attends des excuses.', 'email').urgency, 'haute');
    assert.equal(analyze('Je vais porter plainte si rien ne bouge.', 'email').urgency, 'haute');
  });
});

describe('offline analyzer accuracy on the labelled sets', () => {
  for (const [split, file] of [
    ['train', 'train.jsonl'],
    ['held-out', 'heldout.jsonl'],
  ] as const) {
    it(`${split}: at least 85% on each field`, () => {
      const tickets = loadDataset(fileURLToPath(new URL(`../../fixtures/analytics/${file}`, import.meta.url)));
      assert.ok(tickets.length >= (split === 'train' ? 200 : 100));
      const report = evaluate(tickets.map((ticket) => ({ ticket, predicted: analyzeOffline(toInput(ticket)) })));
      for (const field of LABEL_FIELDS) {
        assert.ok(report[field].accuracy >= 0.85, `${split} ${field} accuracy ${report[field].accuracy.toFixed(3)} < 0.85`);
      }
    });
  }
});

describe('offline analyzer: answers read with the question they answer', () => {
  it('"oui" to an offer of an invoice copy is a billing request', () => {
    const r = analyze([bot('Voulez-vous recevoir une copie de votre facture ?'), customer('oui merci')], 'chat');
    assert.equal(r.category, 'facturation');
    assert.equal(r.urgency, 'basse');
  });
  it('"oui allez" to an offer to subscribe is a purchase', () => {
    const r = analyze(
      [customer('bonjour'), bot('Votre logement est éligible. Souhaitez-vous souscrire à la fibre ?'), customer('oui allez')],
      'chat',
    );
    assert.equal(r.category, 'commercial');
  });
});
