// Trains the offline analyzer's model: `node --import tsx test/analytics/train.ts [--loso | --search]`.
// Training sets: train, blind, blind2, blind3, blind4, blind5 (fixtures/analytics). heldout.jsonl is never trained on.
//   (no flag)  trains CHOSEN on every training set and writes src/pipeline/analytics/model.weights.json
//   --loso     leave-one-set-out figures of BEFORE and CHOSEN: train on the other sets, score the left-out one
//   --search   leave-one-set-out figures of the model alone for the candidate settings (how CHOSEN was picked)
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadDataset, type LabelledTicket } from '../../src/pipeline/analytics/dataset.js';
import {
  FIELD_CLASSES,
  MODEL_FIELDS,
  toStored,
  WEIGHTS_FILE,
  type ModelField,
  type RuleTrust,
} from '../../src/pipeline/analytics/model.js';
import { examplesOf, score, train, type Counts, type Scored, type Setting } from './learn.js';

export const TRAINING_SETS = ['train.jsonl', 'blind.jsonl', 'blind2.jsonl', 'blind3.jsonl', 'blind4.jsonl', 'blind5.jsonl'];
const fixture = (name: string) => fileURLToPath(new URL(`../../fixtures/analytics/${name}`, import.meta.url));

/** The same trust in every label the rules give for a field. */
const trust = (sentiment: number, category: number, urgency: number): RuleTrust => {
  const of = (field: ModelField, v: number) => Object.fromEntries(FIELD_CLASSES[field].map((c) => [c, v]));
  return { sentiment: of('sentiment', sentiment), category: of('category', category), urgency: of('urgency', urgency) };
};

/** The #20 model as frozen before blind4 was scored (6e8f550): words + bigrams, no class weights, rules trusted 8 / 3 / 8. */
export const BEFORE: Setting = {
  features: { charRange: null, wordBigrams: true, cues: false },
  lambda: 1e-3,
  classWeights: false,
  minDf: 2,
  ruleTrust: trust(8, 3, 8),
};

/**
 * Model settings chosen by leave-one-set-out (--search). The rules' trust (logit bonus of their label) was chosen on
 * blind4 left out while the rules had never been tuned on it (model trained without it): trusting little the labels
 * the rules give when no cue fired (neutre, autre) and a lot those they give on a cue (negatif, positif, haute) scored
 * up to 90.0 % sentiment and 87.6 % category there, against 85.9 / 81.2 % with full trust; urgency moved by a ticket or
 * two (80.0-82.9 %). On blind4's half B, still unread after the half-A patterns, these values scored
 * 88.2 / 91.8 / 81.2 % against 87.1 / 88.2 / 81.2 % with full trust. The model's urgency alone is weak (about 77 %
 * left out), so the rules' urgency keeps a margin of 3.
 */
export const ROUND2: Setting = {
  features: { charRange: [4, 5], wordBigrams: true, cues: false },
  lambda: 3e-3,
  classWeights: true,
  minDf: 2,
  ruleTrust: {
    sentiment: { positif: 5, neutre: 1, negatif: 5 },
    category: { facturation: 1.5, technique: 1.5, commercial: 1.5, resiliation: 1.5, autre: 0.5 },
    urgency: { basse: 3, moyenne: 3, haute: 5 },
  },
};

/**
 * Round 3 (#20, after blind5 was scored): the label guide's urgency cues as the urgency rules read them (total loss vs
 * partial, business, deadline, legal, security, repeated contacts, "pas urgent", how long it has lasted, how-to,
 * explain vs correct a bill, cancel decision vs question…), alone and in pairs, are features of the model. Left out,
 * the model alone reads urgency at 81.6 % pooled over the six sets against 78.4 % without them (category 89.4 against
 * 87.7 %, sentiment 85.2 against 85.4 %). The gain is optimistic (the cue patterns were tuned on those sets): on blind5's
 * half B, never read, the combined urgency moved from 82.2 to 83.3 %. The rules' trust is unchanged (see --search).
 * Urgency alone is regularised less (L2 1e-3): 82.2 % pooled left out against 81.6 % at 3e-3 and 80.7 % at 1e-2.
 */
export const CHOSEN: Setting = {
  features: { charRange: [4, 5], wordBigrams: true, cues: false, urgencyCues: true },
  lambda: 3e-3,
  classWeights: true,
  minDf: 2,
  perField: { urgency: { lambda: 1e-3 } },
  ruleTrust: {
    sentiment: { positif: 5, neutre: 1, negatif: 5 },
    category: { facturation: 1.5, technique: 1.5, commercial: 1.5, resiliation: 1.5, autre: 0.5 },
    urgency: { basse: 3, moyenne: 3, haute: 5 },
  },
};

export function loadTrainingTickets(): Array<LabelledTicket & { set: string }> {
  return TRAINING_SETS.flatMap((set) => loadDataset(fixture(set)).map((t) => ({ ...t, set })));
}

/** Leave-one-set-out: for each training set, train on the others and score it; then held-out with every set trained on. */
export function leaveOneSetOut(setting: Setting): Array<[string, Scored]> {
  const tickets = loadTrainingTickets();
  const examples = examplesOf(tickets, setting.features);
  const out: Array<[string, Scored]> = TRAINING_SETS.map((set) => {
    const fit = examples.filter((_, i) => tickets[i].set !== set);
    const check = examples.filter((_, i) => tickets[i].set === set);
    return [set, score(train(fit, setting), check)];
  });
  const pooled: Scored = { total: 0, rules: zeros(), model: zeros(), combined: zeros() };
  for (const [, s] of out) {
    pooled.total += s.total;
    for (const f of MODEL_FIELDS) for (const k of ['rules', 'model', 'combined'] as const) pooled[k][f] += s[k][f];
  }
  out.push(['pooled (left-out sets)', pooled]);
  out.push([
    'heldout.jsonl (all sets trained)',
    score(train(examples, setting), examplesOf(loadDataset(fixture('heldout.jsonl')), setting.features)),
  ]);
  return out;
}

const zeros = (): Counts => ({ sentiment: 0, category: 0, urgency: 0 });
const pct = (n: number, total: number) => `${((n / total) * 100).toFixed(1)}`.padStart(5);
const triple = (c: Counts, total: number) => MODEL_FIELDS.map((f) => pct(c[f], total)).join(' /');

function printLoso(name: string, setting: Setting): void {
  console.log(`\n${name}\n  ${'left out'.padEnd(34)} ${'n'.padStart(4)}   rules alone (s / c / u)   model alone            combined`);
  for (const [set, s] of leaveOneSetOut(setting)) {
    console.log(
      `  ${set.padEnd(34)} ${String(s.total).padStart(4)}   ${triple(s.rules, s.total)}     ${triple(s.model, s.total)}    ${triple(s.combined, s.total)}`,
    );
  }
}

/** The model settings compared (model alone: the rules are tuned on every set, so only the model's figures are honest). */
function search(): void {
  const candidates: Array<[string, Setting]> = [
    ['words + bigrams, L2 1e-3 (#20)', { ...BEFORE, ruleTrust: ROUND2.ruleTrust }],
    ['+ class weights', { ...BEFORE, classWeights: true, ruleTrust: ROUND2.ruleTrust }],
    ['+ char 3-5 n-grams', { ...ROUND2, features: { ...ROUND2.features, charRange: [3, 5] }, lambda: 1e-3 }],
    ['+ char 4-5 n-grams', { ...ROUND2, lambda: 1e-3 }],
    ['char 4-5, L2 3e-3 (round 2)', ROUND2],
    ['round 2 + rule urgency cues (chosen)', CHOSEN],
    ['round 2, char 3-5', { ...ROUND2, features: { ...ROUND2.features, charRange: [3, 5] } }],
    ['round 2, char 3-4', { ...ROUND2, features: { ...ROUND2.features, charRange: [3, 4] } }],
    ['round 2, no bigrams', { ...ROUND2, features: { ...ROUND2.features, wordBigrams: false } }],
    ['round 2, L2 1e-2', { ...ROUND2, lambda: 1e-2 }],
    ['round 2, minDf 3', { ...ROUND2, minDf: 3 }],
    // The cue regexes were tuned on every set (blind5 half A included): their left-out gain is optimistic.
    ['round 2 + lexicon cue groups', { ...ROUND2, features: { ...ROUND2.features, cues: true } }],
    ['chosen, urgency L2 3e-3', { ...CHOSEN, perField: {} }],
    ['chosen, urgency L2 1e-2', { ...CHOSEN, perField: { urgency: { lambda: 1e-2 } } }],
    ['chosen, urgency without class weights', { ...CHOSEN, perField: { urgency: { lambda: 1e-3, classWeights: false } } }],
    ['chosen + lexicon cue groups', { ...CHOSEN, features: { ...CHOSEN.features, cues: true } }],
  ];
  console.log(`${'model alone, left out:'.padEnd(36)} ${'blind5 (s / c / u)'.padEnd(22)} pooled over the six sets`);
  for (const [name, setting] of candidates) {
    const results = new Map(leaveOneSetOut(setting));
    const b5 = results.get('blind5.jsonl')!;
    const pooled = results.get('pooled (left-out sets)')!;
    console.log(`${name.padEnd(36)} ${triple(b5.model, b5.total)}    ${triple(pooled.model, pooled.total)}`);
  }
}

/** The shipped weights as written to model.weights.json: the chosen setting trained on every training set. */
export function shippedWeightsJson(): string {
  const weights = train(examplesOf(loadTrainingTickets(), CHOSEN.features), CHOSEN);
  return `${JSON.stringify(toStored(weights))}\n`;
}

function main(): void {
  if (process.argv.includes('--search')) return search();
  if (process.argv.includes('--loso')) {
    printLoso('before (#20 model, frozen before blind4 was scored)', BEFORE);
    printLoso('round 2 (chosen when blind5 was scored)', ROUND2);
    printLoso('after (chosen, round 3)', CHOSEN);
    console.log(
      '\nRules alone and combined are optimistic on every set (the rules were tuned on all of them, blind5 on its half A); the model alone is the honest left-out figure.',
    );
    return;
  }
  const json = shippedWeightsJson();
  writeFileSync(WEIGHTS_FILE, json);
  console.log(`trained on ${loadTrainingTickets().length} tickets (${TRAINING_SETS.join(', ')}); ${json.length} bytes → ${WEIGHTS_FILE}`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) main();
