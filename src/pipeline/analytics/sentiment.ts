// Sentiment rules of the offline analyzer (guide §2): displeasure, sarcasm, insistence and shouting against praise,
// with courtesy formulas, bare acknowledgements and negated problems set aside.
import type { Sentiment } from '../../domain/types.js';
import { COURTESY, NEGATIVE, NOT_NEGATIVE, POSITIVE, PROBLEM_WORDS, RESOLVED, SARCASM_PRAISE, score } from './lexicon.js';
import { SPAM } from './lexicon-category.js';
import type { Evidence } from './evidence.js';
import { normalizeForMatching } from './text.js';

export const ACK_ONLY_WORDS =
  /^(ok|okay|d'accord|merci|thanks|thank you|parfait|super|top|nickel|bien recu|recu|c'est (bon|note|regle|parfait)|tres bien|great|perfect|noted|cool|non merci|no thanks|bonne journee|have a nice day|[\s!.,👍🙏😊]+)*$/u;

export function decideSentiment(evidence: Evidence[], allOriginal: string): Sentiment {
  // Spam is neutre whatever its exclamation marks (guide §2 rule 8).
  if (evidence.length === 0 || evidence.some((e) => SPAM.test(e.norm))) return 'neutre';
  // A bare "ok merci" / "parfait merci" acknowledges: it does not change the tone of the conversation (guide §2 rule 6).
  const perTurn = evidence.map((e) => ({
    neg: negativeScore(e),
    pos: ACK_ONLY_WORDS.test(e.norm) ? 0 : positiveScore(e.norm),
    resolved: RESOLVED.test(e.norm),
  }));
  const last = perTurn[perTurn.length - 1];
  const neg = perTurn.reduce((sum, t) => sum + t.neg, 0) + shoutingScore(allOriginal);
  const pos = perTurn.reduce((sum, t) => sum + t.pos, 0);

  // Conversation ends with the problem solved and clear thanks or praise.
  if (perTurn.length > 1 && last.resolved && last.pos >= 1 && last.neg < 1.5) return 'positif';
  if (neg >= 1.5) return 'negatif';
  if (pos >= 1 && neg < 1) return 'positif';
  return 'neutre';
}

export function negativeScore(e: Evidence): number {
  const n = e.norm.replace(NOT_NEGATIVE, ' ');
  let s = score(NEGATIVE, n);
  if (isSarcastic(n)) s += 2;
  if (
    /\benfin (traiter|regulariser|repondre|rembourser|faire|resoudre|regler|prendre)\b|\b(finally|at last) (deal|sort|fix|answer|refund)/.test(
      n,
    )
  )
    s += 1.5;
  if (/\b(encore|again)\b/.test(n) && PROBLEM_WORDS.test(n) && /\b(encore (une|un|la|le|des|ma|mon)|again)\b/.test(n)) s += 1;
  if (/\btoujours pas\b|\bstill (no|not)\b/.test(n)) s += 0.5;
  if (SARCASTIC_SERVICE.test(n) && WAITED.test(n)) s += 2;
  if (/\b(mais|but|par contre|however)\b[^.!?]{0,80}\b(toujours|still|encore|again)\b/.test(n)) s += 1;
  return s;
}

/** "Wow, 45 minutes waiting in this chat. Amazing service.": praise of the service next to a wait is sarcasm. */
const SARCASTIC_SERVICE =
  /\b(amazing|great|fantastic|wonderful|brilliant|excellent|super|quel|what an?|bravo (pour )?(le|votre)|merci pour (le|ce)) (customer )?(service|suivi|reactivite)\b/;
const WAITED =
  /\b(\d+|deux|trois|two|three) ?(minutes|min|heures|hours|jours|days|semaines|weeks) (waiting|on hold|d'attente|a attendre|en attente|sans reponse)|\b(waiting|attente)\b/;

function isSarcastic(n: string): boolean {
  const sentences = n.split(/(?<=[.!?])\s+|\n+/);
  return sentences.some((s) => {
    if (!SARCASM_PRAISE.test(s) || !PROBLEM_WORDS.test(s)) return false;
    return (
      /[👏🙃]/u.test(s) ||
      /\b(encore (une|un|la|le|des|ma|mon)?|again|love paying|oh great|merci pour rien|(2e|3e|4e|deuxieme|troisieme|second|third|fourth) (fois|time)|(franchement|vraiment) bravo)\b/.test(
        s,
      ) ||
      // The same praise said twice ("bravo hein bravo", "super super service") is irony.
      /\b(bravo|super|genial|great|brilliant)\b\W+(\w+\W+){0,2}\1\b/.test(s)
    );
  });
}

/** "…sans RIB français ?\n\nMerci beaucoup,\nLena": thanks closing a request are courtesy (guide §2 rule 5). */
const CLOSING_THANKS =
  /\b(merci (beaucoup|bien)|thanks (a lot|so much)|many thanks|thank you (so|very) much)\b[\s,!.]*(\n[^\n]{0,40}){0,2}\s*$/;

function positiveScore(turn: string): number {
  const norm = turn.includes('?') && !RESOLVED.test(turn) ? turn.replace(CLOSING_THANKS, ' ') : turn;
  let n = norm.replace(COURTESY, ' ').replace(NOT_NEGATIVE, (m) => (/rien a redire|not bad at all/.test(m) ? ' super ' : ' '));
  for (const pt of NEGATIVE) n = n.replace(new RegExp(pt.re.source, 'gu'), ' ');
  // "super lent": an intensifier, not praise.
  n = n.replace(/\b(super|trop|vraiment|tres|so|really) (lent|lente|long|longue|cher|chere|mal|nul|slow|bizarre|penible|lourd)\b/g, ' ');
  n = n.replace(
    /\b(pas|not|never|jamais|ne sont pas|isn't|wasn't) (tres |very |si |so |really )?(super|top|great|happy|satisfait|satisfaite|rapide|efficace|content|contente|parfait)\b/g,
    ' ',
  );
  let s = score(POSITIVE, n);
  if (
    /\bmerci (pour|for) (votre|ton|le|la|vos|your|the) (aide|help|suivi|patience|geste|rapidite|intervention|reactivite|gentillesse)\b|\bthank you [a-z]+\b,? (everything|it)/.test(
      n,
    )
  )
    s += 1;
  return s;
}

function shoutingScore(original: string): number {
  let s = 0;
  const shouted = original.match(/\b[A-ZÀ-Ý]{4,}\b/g) ?? [];
  if (shouted.filter((w) => !/^(URGENT|RGPD|GDPR|FIBRE|ADSL|IBAN|UFC|CNIL|DGCCRF)$/.test(w)).length >= 2) s += 2;
  const problem = PROBLEM_WORDS.test(normalizeForMatching(original));
  // "!!!" about a problem is anger (guide §2 rule 1); elsewhere it may be enthusiasm.
  if (/!{3,}/.test(original) && problem) s += 1.5;
  else if (/!{3,}|\?{3,}|\?!|!\?/.test(original) || (/!!/.test(original) && problem)) s += 1;
  return s;
}
