// Customer evidence for the offline analyzer: customer turns and the subject, quoted history stripped, folded, and a
// bare "oui" read together with the question it answers. Pure.
import type { AnalysisInput, ConversationTurn } from '../../domain/intelligence.js';
import { normalizeForMatching, stripQuotedHistory } from './text.js';

/** Longer turns are read up to this many characters: the request is at the start, and matching stays fast. */
const MAX_TURN_CHARS = 4000;

/** One customer turn, original and normalised. */
export interface Evidence {
  original: string;
  norm: string;
  isSubject?: boolean;
}

const AFFIRMATIVE =
  /^(oui|ouais|yes|yep|yeah|ok|okay|d'accord|exactement|absolument|bien sur|of course|sure|c'est ca|tout a fait|allez|vas-y|go|pourquoi pas|why not|let's do it|c'est parti)(,? (allez|go|vas-y|s'il vous plait|s'il te plait|please|merci|thanks|je veux bien|volontiers|c'est ca|pourquoi pas|let's do it|c'est parti))?[\s!.]*$/;
/** "Voulez-vous une copie de votre facture ?" → "oui": the customer asks for what the question offers. */
const OFFER_PREFIX = /\b(voulez-vous|souhaitez-vous|desirez-vous|do you want|would you like|shall i|dois-je|puis-je)\b/g;
const CANCEL_QUESTION_FROM_BOT = /\b(resili\w*|cancel\w*|terminate|clotur\w*|code rio|porting code|quitter)\b/;
/** The customer asks for something (a question, a request verb). */
export const REQUEST =
  /\?|\b(pouvez|pourriez|pourrais|voudrais|voudrait|souhaite|souhaiterais|aimerais|je veux|veuillez|merci de (?!votre|vos)|besoin|can you|could you|can i|could i|i'd like|i would like|i want|i need|please (?!find)\w+|how (do|can|to|much)|comment|combien|je demande|envoyez|envoyer|send|bloquez|bloquer|faites|que dois|what (do|should))\b/;

/** Customer turns (and the subject) as evidence: quoted history stripped, a bare "oui" read with its question. */
export function collectCustomerEvidence(input: AnalysisInput): Evidence[] {
  const evidence: Evidence[] = [];
  const subject = cleanSubject(input.subject ?? '');
  const subjectEvidence: Evidence[] = subject ? [{ original: subject, norm: normalizeForMatching(subject), isSubject: true }] : [];
  let lastOtherTurn: ConversationTurn | null = null;
  for (const turn of input.messages) {
    if (turn.author !== 'customer') {
      if (turn.author === 'bot' || turn.author === 'agent') lastOtherTurn = turn;
      continue;
    }
    const original = stripQuotedHistory(turn.text ?? '').slice(0, MAX_TURN_CHARS);
    if (!original) continue;
    let norm = normalizeForMatching(original);
    // A bare "oui" is an answer: read it together with the question it answers.
    if (AFFIRMATIVE.test(norm) && lastOtherTurn) {
      const question = normalizeForMatching(lastOtherTurn.text);
      if (CANCEL_QUESTION_FROM_BOT.test(question)) norm = `${norm} je veux resilier`;
      else if (question.includes('?')) norm = `${norm} ${question.replace(OFFER_PREFIX, ' ')}`;
    }
    evidence.push({ original, norm });
  }
  // "Re: Votre facture est en retard" is the subject of our own earlier mail, quoted history: the customer's new text
  // decides (guide §1 and §3 rule 7). A subject the customer wrote, or a reply with no text, counts.
  if (evidence.length > 0 && REPLY_PREFIX.test(input.subject ?? '')) return evidence;
  return [...subjectEvidence, ...evidence];
}

const REPLY_PREFIX = /^\s*(re|aw|sv|antw|r)\s*:/i;

export function cleanSubject(subject: string): string {
  return subject.replace(/^\s*((re|tr|fwd?|aw|wg)\s*:\s*)+/i, '').trim();
}
