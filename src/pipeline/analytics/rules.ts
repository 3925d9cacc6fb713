// Rule labels per docs/analytics-labels.md, French and English, no I/O: fold accents and SMS spelling, then
// weighted lexicons and ordered decision rules (see the label guide). fallback.ts combines them with the model.
import type { AnalysisInput, AnalysisLabels } from '../../domain/intelligence.js';
import type { Category } from '../../domain/types.js';
import {
  CANCELLED_BUT_CHARGED,
  CANCEL_CONDITIONAL,
  CANCEL_DECISION,
  CANCEL_INTENT,
  CANCEL_NEGATED,
  CANCEL_NOT_CONTRACT,
  CANCEL_OPTION_ONLY,
  HIGH_URGENCY,
  MEDIUM_URGENCY,
  RESOLVED,
  firstPosition,
  matchesAny,
  score,
} from './lexicon.js';
import { ACCOUNT_TAKEOVER, CATEGORY_PATTERNS } from './lexicon-category.js';
import { collectCustomerEvidence, REQUEST, type Evidence } from './evidence.js';
import { ACK_ONLY_WORDS, decideSentiment, negativeScore } from './sentiment.js';
import { extractSummary } from './summary.js';
import { decideUrgency, removePastFixedProblems } from './urgency.js';

/** "ah non c'est bon en fait, j'avais mal lu, désolé pour le dérangement": nothing left to do (guide §3 rule 7). */
const SELF_RESOLVED =
  /\b((ah )?non c'est bon|c'est bon en fait|en fait c'est bon|laissez tomber|oubliez|never ?mind|forget it|ignore (my|this|that) (last )?(message|question)|j'avais mal lu|i misread|my mistake|my bad|au temps pour moi|autant pour moi|desolee? pour le derangement|sorry (for|to) (bother|the trouble)|j'ai trouve (tout seul|toute seule|la reponse)|i (found|figured) it out|fausse alerte|false alarm)\b/;
const FEEDBACK_OR_THANKS = /\b(merci|thank|thanks|bravo|remercier|well done|felicitations|au top|genial|brilliant|super|top)\b/;

/** Labels from the lexicons and ordered decision rules alone. */
export function ruleLabels(input: AnalysisInput, given: { category?: Category } = {}): AnalysisLabels {
  const evidence = collectCustomerEvidence(input);
  const allNorm = evidence.map((e) => e.norm).join('\n');
  const allOriginal = evidence.map((e) => e.original).join('\n');

  const problem = hasProblemOrRequest(evidence);
  // Urgency rules depend on the category: the combined analyzer passes the category it settled on.
  const category = given.category ?? decideCategory(allNorm, problem);
  const sentiment = decideSentiment(evidence, allOriginal);
  const urgency = decideUrgency(allNorm, category, problem, sentiment);
  const summary = extractSummary(evidence, input.subject ?? null);
  return { sentiment, category, urgency, summary };
}

function hasProblemOrRequest(evidence: Evidence[]): boolean {
  return evidence.some((e) => {
    const n = e.norm;
    if (ACK_ONLY_WORDS.test(n)) return false;
    if (SELF_RESOLVED.test(n) && !n.includes('?')) return false;
    if (REQUEST.test(n)) return true;
    if (negativeScore(e) >= 1.5) return true;
    // Thanks for a problem that is now solved ("bien reçu le remboursement, merci") asks for nothing.
    if (FEEDBACK_OR_THANKS.test(n) && (RESOLVED.test(n) || /\b(fixed|sorted|regle|resolu)\b/.test(n))) return false;
    if (matchesAny(MEDIUM_URGENCY, n) || matchesAny(HIGH_URGENCY, n) || matchesAny(CANCEL_INTENT, n)) return true;
    // A statement without thanks or praise is a report that asks for something ("je déménage, voici ma nouvelle adresse").
    return !FEEDBACK_OR_THANKS.test(n);
  });
}

// ---------- category ----------

/** "je paie 40 € par mois et je n'ai plus internet": what the customer pays is background, not the topic. */
const PRICE_BACKGROUND =
  /\b(je paie|je paye|i pay|i'm paying|when i pay for)\b[^.,!?]{0,25}?(\d+ ?(€|euros?|£|pounds|quid)?|[€£] ?\d+)( (par|per|a|by) (mois|month))?/g;

function decideCategory(rawText: string, problem: boolean): Category {
  if (!problem) return 'autre';
  // Background does not decide (guide §3 rule 1): what the customer pays, a past problem fixed since.
  const text = removePastFixedProblems(rawText).replace(PRICE_BACKGROUND, ' ');

  const autreOverride = CATEGORY_PATTERNS.autre.filter((pt) => pt.w >= 3).some((pt) => pt.re.test(text));
  const hacked = ACCOUNT_TAKEOVER.test(text);
  if (autreOverride && !hacked) return 'autre';

  const cancelScore = score(CANCEL_INTENT, text.replace(CANCEL_NOT_CONTRACT, ' '));
  if (cancelScore > 0 && !CANCEL_NEGATED.test(text) && !onlyConditionalCancel(text)) {
    if (CANCELLED_BUT_CHARGED.test(text)) return 'facturation';
    if (CANCEL_OPTION_ONLY.test(text)) return 'commercial';
    return 'resiliation';
  }
  if (hacked) return 'technique';

  const candidates: Array<Exclude<Category, 'resiliation'>> = ['facturation', 'technique', 'commercial', 'autre'];
  let best: Exclude<Category, 'resiliation'> = 'autre';
  let bestScore = 0;
  let bestPos = Infinity;
  for (const cat of candidates) {
    const s = score(CATEGORY_PATTERNS[cat], text);
    const pos = firstPosition(CATEGORY_PATTERNS[cat], text);
    if (s > bestScore || (s === bestScore && s > 0 && pos < bestPos)) {
      best = cat;
      bestScore = s;
      bestPos = pos;
    }
  }
  return best;
}

function onlyConditionalCancel(text: string): boolean {
  if (!CANCEL_CONDITIONAL.test(text)) return false;
  // A conditional threat keeps the underlying topic unless a plain decision is also stated.
  const withoutConditional = text.replace(new RegExp(CANCEL_CONDITIONAL.source, 'g'), ' ');
  return !CANCEL_DECISION.test(withoutConditional);
}
