// The statistical half of the offline analyzer: a linear model per label field over word, word-bigram and in-word
// character n-grams of the customer's text (accent-folded, SMS spelling expanded), combined with the rules' labels.
// Trained by test/analytics/train.ts, shipped as model.weights.json. Pure and deterministic.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { AnalysisInput, AnalysisLabels } from '../../domain/intelligence.js';
import { CATEGORIES, SENTIMENTS, URGENCIES } from '../../domain/types.js';
import { HIGH_URGENCY, LOW_URGENCY_HINTS } from './lexicon.js';
import { collectCustomerEvidence, type Evidence } from './evidence.js';
import { ruleLabels } from './rules.js';
import { urgencyCues } from './urgency.js';

export const MODEL_FIELDS = ['sentiment', 'category', 'urgency'] as const;
export type ModelField = (typeof MODEL_FIELDS)[number];
export const FIELD_CLASSES: Record<ModelField, readonly string[]> = { sentiment: SENTIMENTS, category: CATEGORIES, urgency: URGENCIES };

export interface FeatureOptions {
  /** Character n-gram sizes inside words (e.g. [3, 5]); null for none. */
  charRange: [number, number] | null;
  wordBigrams: boolean;
  /** Add the urgency cue groups of the lexicon (total loss, business, deadline, legal, security, repeated, not urgent). */
  cues: boolean;
  /** Add the label guide's urgency cues as the urgency rules read them (negation-aware), alone and in pairs. */
  urgencyCues?: boolean;
}

export interface FieldWeights {
  classes: string[];
  bias: number[];
  /** weights[featureIndex][classIndex] */
  weights: number[][];
}

/** How much the rules' own label adds to its class's score, per field and per label the rules gave. */
export type RuleTrust = Record<ModelField, Record<string, number>>;

export interface ModelWeights {
  trainer: 'lr';
  features: FeatureOptions;
  vocab: string[];
  fields: Record<ModelField, FieldWeights>;
  ruleTrust: RuleTrust;
}

/** On disk the weights are integers in hundredths: the file stays well under 1 MB with character n-grams. */
export const WEIGHT_SCALE = 100;

const TOKEN = /[\p{L}\p{N}]+(?:'[\p{L}]+)?|\p{Extended_Pictographic}/gu;
const CUES: Array<[string, RegExp]> = [
  ['outage', HIGH_URGENCY[0].re],
  ['business', HIGH_URGENCY[1].re],
  ['deadline', HIGH_URGENCY[2].re],
  ['legal', HIGH_URGENCY[3].re],
  ['security', HIGH_URGENCY[4].re],
  ['repeated', HIGH_URGENCY[5].re],
  ['low', LOW_URGENCY_HINTS],
];

/** The feature names present in one ticket (binary features). */
export function ticketFeatures(input: AnalysisInput, options: FeatureOptions, evidence = collectCustomerEvidence(input)): string[] {
  const features = new Set<string>([`ch:${input.channel}`]);
  for (const e of evidence) addTextFeatures(features, e, options);
  if (options.cues) {
    const all = evidence.map((e) => e.norm).join('\n');
    for (const [name, re] of CUES) if (re.test(all)) features.add(`cue:${name}`);
  }
  if (options.urgencyCues) {
    const cues = urgencyCues(evidence.map((e) => e.norm).join('\n'));
    if (cues.length === 0) features.add('u:none');
    cues.forEach((a, i) => {
      features.add(`u:${a}`);
      // Pairs: "business" matters with a problem, "deadline" with an outage, "cancel-decision" without a question.
      for (const b of cues.slice(i + 1)) features.add(`u:${a}+${b}`);
    });
  }
  return [...features];
}

function addTextFeatures(features: Set<string>, e: Evidence, options: FeatureOptions): void {
  const prefix = e.isSubject ? 's' : 'w';
  const words = (e.norm.match(TOKEN) ?? []).map((w) => (/^\d+$/.test(w) ? '0' : w));
  words.forEach((word, i) => {
    features.add(`${prefix}:${word}`);
    if (options.wordBigrams && i > 0) features.add(`b:${words[i - 1]}_${word}`);
    // Character n-grams inside a word ("lente", "ultra-lente", "dembauche") reach words the training sets spelt otherwise.
    if (options.charRange && word.length >= 3 && !/^\d/.test(word)) {
      const padded = ` ${word} `;
      for (let n = options.charRange[0]; n <= options.charRange[1]; n++) {
        for (let k = 0; k + n <= padded.length; k++) features.add(`c:${padded.slice(k, k + n)}`);
      }
    }
  });
  if ((e.original.match(/\b[A-ZÀ-Ý]{4,}\b/g) ?? []).length >= 2) features.add('f:shout');
  if (/!{2,}|\?{2,}|\?!|!\?/.test(e.original)) features.add('f:bang');
}

/** A loaded model: feature index, then linear scores per field. */
export function createModel(weights: ModelWeights) {
  const index = new Map(weights.vocab.map((f, i) => [f, i]));
  return {
    weights,
    /** Linear scores per field (logits: softmax gives the model's probabilities). */
    scores(input: AnalysisInput, evidence?: Evidence[]): Record<ModelField, number[]> {
      const active = ticketFeatures(input, weights.features, evidence)
        .map((f) => index.get(f))
        .filter((i): i is number => i !== undefined);
      // Trained on rows scaled to unit norm: scale the same way here.
      const scale = active.length > 0 ? 1 / Math.sqrt(active.length) : 1;
      const out = {} as Record<ModelField, number[]>;
      for (const field of MODEL_FIELDS) {
        const fw = weights.fields[field];
        const s = fw.bias.slice();
        for (const i of active) {
          const row = fw.weights[i];
          for (let c = 0; c < s.length; c++) s[c] += row[c] * scale;
        }
        out[field] = s;
      }
      return out;
    },
  };
}
export type Model = ReturnType<typeof createModel>;

/** The stored form: integer weights. */
export function toStored(weights: ModelWeights): ModelWeights {
  const q = (x: number) => Math.round(x * WEIGHT_SCALE) || 0;
  const fields = {} as Record<ModelField, FieldWeights>;
  for (const f of MODEL_FIELDS) {
    const fw = weights.fields[f];
    fields[f] = { classes: fw.classes, bias: fw.bias.map(q), weights: fw.weights.map((row) => row.map(q)) };
  }
  return { ...weights, fields };
}

export function fromStored(stored: ModelWeights): ModelWeights {
  const fields = {} as Record<ModelField, FieldWeights>;
  for (const f of MODEL_FIELDS) {
    const fw = stored.fields[f];
    fields[f] = {
      classes: fw.classes,
      bias: fw.bias.map((x) => x / WEIGHT_SCALE),
      weights: fw.weights.map((row) => row.map((x) => x / WEIGHT_SCALE)),
    };
  }
  return { ...stored, fields };
}

export const WEIGHTS_FILE = fileURLToPath(new URL('./model.weights.json', import.meta.url));

let shipped: Model | null = null;
/** The shipped model, read once. */
export function shippedModel(): Model {
  return (shipped ??= createModel(fromStored(JSON.parse(readFileSync(WEIGHTS_FILE, 'utf8')) as ModelWeights)));
}

/** Model scores plus the rules' trust bonus for their own label: the combined offline labels. */
export function combinedLabels(model: Model, input: AnalysisInput): Omit<AnalysisLabels, 'summary'> & { rules: AnalysisLabels } {
  const evidence = collectCustomerEvidence(input);
  const scores = model.scores(input, evidence);
  const pick = (field: ModelField, ruleLabel: string): string => {
    const fw = model.weights.fields[field];
    const bonus = model.weights.ruleTrust[field][ruleLabel] ?? 0;
    const s = scores[field].map((v, c) => v + (fw.classes[c] === ruleLabel ? bonus : 0));
    let best = 0;
    for (let c = 1; c < s.length; c++) if (s[c] > s[best]) best = c;
    return fw.classes[best];
  };
  const rules = ruleLabels(input);
  const category = pick('category', rules.category) as AnalysisLabels['category'];
  // The urgency rules read the category: run them again when the combined category differs.
  const urgencyRules = category === rules.category ? rules : ruleLabels(input, { category });
  return {
    sentiment: pick('sentiment', rules.sentiment) as AnalysisLabels['sentiment'],
    category,
    urgency: pick('urgency', urgencyRules.urgency) as AnalysisLabels['urgency'],
    rules,
  };
}
