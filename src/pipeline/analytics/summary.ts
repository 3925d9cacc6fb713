// The one-sentence summary of the offline analyzer: the customer sentence that says most about the request. Pure.
import { CANCEL_INTENT, HIGH_URGENCY, MEDIUM_URGENCY, score } from './lexicon.js';
import { CATEGORY_PATTERNS } from './lexicon-category.js';
import { cleanSubject, REQUEST, type Evidence } from './evidence.js';
import { normalizeForMatching, splitSentences } from './text.js';

export const SUMMARY_MAX_CHARS = 200;

const GREETING_SENTENCE =
  /^(bonjour|bonsoir|salut|coucou|hello|hi|hey|dear \w+|madame,? monsieur|cordialement|bien (cordialement|a vous)|merci( d'avance| par avance| beaucoup)?|thanks( in advance)?|thank you|kind regards|best( regards)?|regards|cheers|bonne (journee|soiree)|veuillez agreer.*|sinc[eè]rement|[-–—\s,.!]*)[\s,.!]*$/;
const LEADING_FILLER =
  /^((oui|allo|allô|yeah|yes|so|alors|ecoutez|écoutez|bon|ok)[,.]?\s+)*((bonjour|bonsoir|hello|hi|hey|salut|coucou|bjr|slt|cc)( (madame|monsieur|team|l'équipe|the team))?[,!.]?\s+)?/i;

export function extractSummary(evidence: Evidence[], subject: string | null): string {
  const candidates: Array<{ text: string; weight: number; order: number }> = [];
  let order = 0;
  for (const e of evidence) {
    for (const sentence of splitSentences(e.original)) {
      const cleaned = cleanSentence(sentence);
      const norm = normalizeForMatching(cleaned);
      if (!cleaned || GREETING_SENTENCE.test(norm) || norm.length < 3) {
        order++;
        continue;
      }
      let weight = 0;
      for (const list of [...Object.values(CATEGORY_PATTERNS), CANCEL_INTENT, MEDIUM_URGENCY, HIGH_URGENCY]) weight += score(list, norm);
      if (REQUEST.test(norm)) weight += 1;
      if (norm.length < 12) weight -= 1;
      // The body says it better than the subject line, unless it says nothing.
      if (e.isSubject) weight -= 2;
      candidates.push({ text: cleaned, weight, order: order++ });
    }
  }
  const best = candidates.sort((a, b) => b.weight - a.weight || a.order - b.order)[0];
  const firstCustomerText = evidence.find((e) => !e.isSubject)?.original.trim() ?? '';
  const chosen = best?.text || cleanSubject(subject ?? '') || firstCustomerText;
  return truncate(chosen || '(message vide)', SUMMARY_MAX_CHARS);
}

function cleanSentence(sentence: string): string {
  const withoutFillers = sentence
    .replace(/\b(euh+|heu+|bah|ben|uh+|um+|erm|hmm+)\b[,.]?\s*/gi, '')
    .replace(/\s{2,}/g, ' ')
    .trim();
  const stripped = withoutFillers.replace(LEADING_FILLER, '').trim();
  const text = stripped.length >= 3 ? stripped : withoutFillers;
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function truncate(text: string, max: number): string {
  const oneLine = text.replace(/\s+/g, ' ').trim();
  if (oneLine.length <= max) return oneLine;
  const cut = oneLine.slice(0, max - 1);
  const lastSpace = cut.lastIndexOf(' ');
  return `${(lastSpace > max / 2 ? cut.slice(0, lastSpace) : cut).replace(/[\s,;:.-]+$/, '')}…`;
}
