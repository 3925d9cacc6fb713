// Training core of the offline analyzer's model, shared by train.ts (weights, cross-validation) and the tests:
// examples, vocabulary, multinomial logistic regression, and scoring of the combined analyzer. Deterministic.
import type { AnalysisInput } from '../../src/domain/intelligence.js';
import { toInput, type LabelledTicket } from '../../src/pipeline/analytics/dataset.js';
import { collectCustomerEvidence } from '../../src/pipeline/analytics/evidence.js';
import {
  combinedLabels,
  createModel,
  FIELD_CLASSES,
  MODEL_FIELDS,
  ticketFeatures,
  type FeatureOptions,
  type FieldWeights,
  type ModelField,
  type ModelWeights,
  type RuleTrust,
} from '../../src/pipeline/analytics/model.js';
import { ruleLabels } from '../../src/pipeline/analytics/rules.js';

export interface Setting {
  features: FeatureOptions;
  /** L2 strength. */
  lambda: number;
  /** Weigh each class by sqrt(n / (classes · n_class)): rare labels (positif, haute, resiliation) are not drowned. */
  classWeights: boolean;
  /** Features seen in fewer training tickets are dropped. */
  minDf: number;
  ruleTrust: RuleTrust;
  /** Per-field overrides of lambda and class weights (e.g. urgency regularised apart). */
  perField?: Partial<Record<ModelField, { lambda?: number; classWeights?: boolean }>>;
}

export interface Example {
  input: AnalysisInput;
  labels: Record<ModelField, string>;
  features: string[];
}

export function examplesOf(tickets: LabelledTicket[], features: FeatureOptions): Example[] {
  return tickets.map((t) => {
    const input = toInput(t);
    return { input, labels: t.labels, features: ticketFeatures(input, features, collectCustomerEvidence(input)) };
  });
}

function vocabularyOf(examples: Example[], minDf: number): string[] {
  const df = new Map<string, number>();
  for (const e of examples) for (const f of e.features) df.set(f, (df.get(f) ?? 0) + 1);
  return [...df.entries()]
    .filter(([, n]) => n >= minDf)
    .map(([f]) => f)
    .sort();
}

const EPOCHS = 40;

/** Multinomial logistic regression, L2, plain SGD in a fixed order (deterministic), rows scaled to unit norm. */
function trainLogistic(rows: number[][], examples: Example[], vocabSize: number, field: ModelField, base: Setting): FieldWeights {
  const setting = { ...base, ...base.perField?.[field] };
  const classes = [...FIELD_CLASSES[field]];
  const targets = examples.map((e) => classes.indexOf(e.labels[field]));
  const counts = classes.map((_, c) => targets.filter((t) => t === c).length);
  const classWeight = counts.map((n) => (setting.classWeights && n > 0 ? Math.sqrt(examples.length / (classes.length * n)) : 1));
  const weights = Array.from({ length: vocabSize }, () => classes.map(() => 0));
  const bias = classes.map(() => 0);
  for (let epoch = 0; epoch < EPOCHS; epoch++) {
    const rate = 0.5 / (1 + epoch * 0.2);
    // A fixed permutation per epoch (no randomness): stride through the examples.
    const stride = [7, 11, 13, 17, 19][epoch % 5];
    for (let k = 0; k < examples.length; k++) {
      const n = (k * stride) % examples.length;
      const active = rows[n];
      const scale = active.length > 0 ? 1 / Math.sqrt(active.length) : 0;
      const scores = bias.slice();
      for (const i of active) for (let c = 0; c < classes.length; c++) scores[c] += weights[i][c] * scale;
      const max = Math.max(...scores);
      const exp = scores.map((s) => Math.exp(s - max));
      const sum = exp.reduce((a, b) => a + b, 0);
      const w = classWeight[targets[n]];
      for (let c = 0; c < classes.length; c++) {
        const grad = w * (exp[c] / sum - (c === targets[n] ? 1 : 0));
        bias[c] -= rate * grad;
        for (const i of active) weights[i][c] -= rate * (grad * scale + setting.lambda * weights[i][c]);
      }
    }
  }
  return { classes, bias, weights };
}

export function train(examples: Example[], setting: Setting): ModelWeights {
  const vocab = vocabularyOf(examples, setting.minDf);
  const index = new Map(vocab.map((f, i) => [f, i]));
  const rows = examples.map((e) => e.features.map((f) => index.get(f)).filter((i): i is number => i !== undefined));
  const fields = {} as Record<ModelField, FieldWeights>;
  for (const field of MODEL_FIELDS) fields[field] = trainLogistic(rows, examples, vocab.length, field, setting);
  return { trainer: 'lr', features: setting.features, vocab, fields, ruleTrust: setting.ruleTrust };
}

export type Counts = Record<ModelField, number>;
export interface Scored {
  total: number;
  rules: Counts;
  model: Counts;
  combined: Counts;
}

const zero = (): Counts => ({ sentiment: 0, category: 0, urgency: 0 });

/** Correct labels of the rules alone, the model alone (no rule trust) and the combination, on held-back examples. */
export function score(weights: ModelWeights, examples: Example[]): Scored {
  const combined = createModel(weights);
  const noTrust = Object.fromEntries(MODEL_FIELDS.map((f) => [f, {}])) as RuleTrust;
  const alone = createModel({ ...weights, ruleTrust: noTrust });
  const out: Scored = { total: examples.length, rules: zero(), model: zero(), combined: zero() };
  for (const e of examples) {
    const r = ruleLabels(e.input);
    const m = combinedLabels(alone, e.input);
    const c = combinedLabels(combined, e.input);
    for (const f of MODEL_FIELDS) {
      if (r[f] === e.labels[f]) out.rules[f] += 1;
      if (m[f] === e.labels[f]) out.model[f] += 1;
      if (c[f] === e.labels[f]) out.combined[f] += 1;
    }
  }
  return out;
}
