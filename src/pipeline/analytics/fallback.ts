// Offline analyzer: labels per docs/analytics-labels.md from the trained model (model.ts) combined with the rules
// (rules.ts) for negation, urgency and cancel cues; the summary comes from the rules' sentence picker. Deterministic,
// no I/O after the weights are read once.
import type { AnalysisInput, AnalysisLabels } from '../../domain/intelligence.js';
import { combinedLabels, shippedModel } from './model.js';

export { SUMMARY_MAX_CHARS } from './summary.js';

// The chatbot and the analytics step label the same conversations within seconds of each other (and the chatbot
// re-reads earlier turns at every decision): a small memo of this pure function avoids redoing that work.
const MEMO_LIMIT = 2000;
const memo = new Map<string, AnalysisLabels>();

function memoKey(input: AnalysisInput): string {
  let key = `${input.channel}\u0001${input.subject ?? ''}`;
  for (const m of input.messages) key += `\u0002${m.author}\u0003${m.text}`;
  return key;
}

export function analyzeOffline(input: AnalysisInput): AnalysisLabels {
  const key = memoKey(input);
  const hit = memo.get(key);
  if (hit) {
    memo.delete(key);
    memo.set(key, hit);
    return { ...hit };
  }
  const { rules, ...labels } = combinedLabels(shippedModel(), input);
  const result: AnalysisLabels = { ...labels, summary: rules.summary };
  memo.set(key, result);
  if (memo.size > MEMO_LIMIT) memo.delete(memo.keys().next().value!);
  return { ...result };
}
