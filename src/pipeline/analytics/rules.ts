// Rule labels per ../shared/ANALYTICS_LABELS.md, French and English, no I/O: fold accents and SMS spelling, then
// weighted lexicons and ordered decision rules (see the label guide). fallback.ts combines them with the model.
import type { AnalysisInput, AnalysisLabels } from '../../domain/intelligence.js';
import type { Category, Sentiment, Urgency } from '../../domain/types.js';
import {
  ACCOUNT_TAKEOVER,
  CANCEL_CONDITIONAL,
  CANCEL_DECISION,
  CANCEL_INTENT,
  CANCEL_HYPOTHESIS,
  CANCEL_NEGATED,
  CANCEL_NOT_CONTRACT,
  CANCEL_OPTION_ONLY,
  CANCEL_QUESTION,
  CANCELLED_BUT_CHARGED,
  BUSINESS,
  CATEGORY_PATTERNS,
  COURTESY,
  DEADLINE,
  HIGH_URGENCY,
  LEGAL,
  LOW_URGENCY_HINTS,
  MEDIUM_URGENCY,
  MONEY_WRONG,
  PRICE_CHANGED,
  NEGATIVE,
  NOT_NEGATIVE,
  OUTAGE,
  POSITIVE,
  PROBLEM_WORDS,
  REPEATED,
  RESOLVED,
  SARCASM_PRAISE,
  SCAM,
  SPAM,
  SECURITY,
  firstPosition,
  matchesAny,
  score,
} from './lexicon.js';
import { collectCustomerEvidence, REQUEST, type Evidence } from './evidence.js';
import { extractSummary } from './summary.js';
import { normalizeForMatching } from './text.js';

const ACK_ONLY_WORDS =
  /^(ok|okay|d'accord|merci|thanks|thank you|parfait|super|top|nickel|bien recu|recu|c'est (bon|note|regle|parfait)|tres bien|great|perfect|noted|cool|non merci|no thanks|bonne journee|have a nice day|[\s!.,👍🙏😊]+)*$/u;
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

// ---------- urgency ----------

/** Wrong numbers, spam and job requests need nothing from support. */
const NOTHING_TO_DO =
  /\b(wrong number|trompe de numero|erreur de numero|mauvais numero|recrut\w*|job(?! interview)|cv|alternance|apprenti\w*|candidature|hiring)\b/;
const LOW_URGENCY_HINTS_GLOBAL = new RegExp(LOW_URGENCY_HINTS.source, 'g');
/** "payer en deux fois" is an instalment plan, not a double charge. */
const INSTALMENTS =
  /\b(payer|paiement|regler|pay)\b[^.]{0,30}\b(en (deux|2|trois|3|plusieurs) fois|in (two|2|three|3) (instalments|installments|goes))\b/g;
/** "je n'ai pas reçu ma facture": a request for a copy, not a failure. */
const INVOICE_NOT_RECEIVED =
  /\b((pas|jamais) (recu|eu) (ma|mes|la|les|votre|vos|de) factures?|(didn't|did not|haven't|have not|never) (get|got|receive|received) (my|the|an?|any) (invoices?|bills?))\b/g;
/** "renvoyez-moi la facture corrigée": a copy of an invoice already put right. */
const INVOICE_COPY =
  /\b(r?envoy\w*|send|resend|transmettre)( moi| me)? (la|une|the|a|an) (facture|invoice|bill) (corrigee|rectifiee|modifiee|corrected|updated|amended)\b/g;
/** "je viens de voir l'avoir sur mon compte": what was owed has arrived. */
const RECEIVED_WHAT_WAS_OWED =
  /(?<!\b(pas|jamais|not|never|toujours pas|still not|rien) )\b(vu|voir|recu|bien recu|received|got|see|seen) (l'avoir|le remboursement|le credit|le geste( commercial)?|the (refund|credit))\b/g;
/** "merci pour le remboursement": the thing thanked for is done. */
const THANKED_FOR = /\b(merci|thanks?|thank you)( beaucoup| so much| a lot)? (pour|for) (le|la|l'|the|your|votre) [a-z]+( [a-z]+)?/g;

/** Usage questions ("comment activer l'eSIM ?") rather than a failure report. */
const HOW_TO =
  /\b(comment|how (do|can|to|would)|(do|should) i (need to |have to )?(return|send back|keep)|(dois-je|je dois|faut-il) (rendre|renvoyer|retourner|garder)|est-il possible|est-ce possible|is it possible|is there a way|peut-on|can i|quel est|c'est quoi|what is|what's|where (can|do) i|ou (trouver|voir)|par defaut|parametr\w*|configur\w*|activer|desactiver|installer|set up)\b/;
/** Order, delivery or activation vocabulary, and a bad state of it. */
const ORDER_WORDS =
  /\b(command\w*|ordered|order|colis|parcel|livr\w*|deliver\w*|recu|received|arrive\w*|activ\w*|applique|transfere|portabilite|changement de forfait|upgrade)\b/;
const ORDER_BAD_STATE =
  /\b(ca fait (une|\d+|deux|trois) (semaines?|jours?|mois)|it's been (a|\d+|two|three) (weeks?|days?)|promis|promised|pas|not|never|jamais|toujours|still|manque|missing|il manque|cracked|casse|fissure|abime|wrong|mauvais|annule|cancelled|en preparation|retard|late|hasn't|n'a pas|aucune)\b/;
/** A billing assertion (something is wrong, correct it) rather than a question about the bill. */
const BILLING_ASSERTION =
  /\b(trop (elevee?|chere?)|too (high|expensive)|higher than (usual|normal|before|last)|plus (chere?|elevee?) que|on m'a (facture|preleve|compte)|jamais (envoye|passe|appele|fait|utilise)|never (sent|made|used|left|travell?ed|went|subscribed|ordered|asked for)|jamais (quitte|voyage|souscrit|commande)|promised|promis|right price|bon (prix|tarif)|still says|overdue|reminder|i paid|j'ai (deja )?paye|already paid|charged|billed|debite|preleve|paye deux|(fait|faire) payer|vous m'avez (facture|preleve|debite|compte|fait payer|charge|envoye (une|la) (mauvaise|fausse))|you('ve| have)|erreur|error|mistake|a tort|wrongly|corrig\w*|adjust|annul\w*|refund\w*|rembours\w*|take it off|credit(ed)? back|retir\w*|enlev\w*|supprim\w*|remove|take (it|that|this) off|rectifi\w*|frais de (retard|rejet)|alors que|(faire|fassiez|faites) un (petit )?geste|goodwill|waive|reissue|re-issue|reemettre|reediter|refaire (la|les|mes) factures?|vat number|numero de tva)\b/;
/** Personal detail updates are basse even when the stored value is "wrong". */
const PERSONAL_DETAILS =
  /\b(date de naissance|birth ?date|date of birth|adresse|address|nom du titulaire|titulaire|name on the account|email address|numero de contact|contact (number|details)|(update|change|changer|modifier|mettre a jour) (my|the|mon|ma|le|la) (phone number|mobile number|email|e-mail|numero de (telephone|portable)|adresse (e-?mail|mail)))\b/;
const PLANNED_WORKS =
  /\b((travaux|maintenance|intervention|works?)\b[^.!?]{0,60}\b(prevue?s?|annoncee?s?|programmee?s?|planned|scheduled)|vous annoncez|you('ve| have) announced|(planned|scheduled) (works|maintenance|outage))\b/;
const OUTAGE_NOUNS = /\b(coupures?|interruptions?|outages?|cuts?|travaux|works)\b/g;
const NOTHING = /(?!)/g;
/** A deadline in the coming days (guide §4 moyenne): "le prélèvement passe la semaine prochaine", "by Friday". */
const NEAR_DEADLINE =
  /\b(avant|d'ici|pour|by|before|au plus tard|des|from|passe|tombe|est prevue?|expire|due|is due|goes out|comes out|doit (etre|partir|passer))\b[^.!?]{0,25}\b(la semaine prochaine|next week|(le )?(lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche|monday|tuesday|wednesday|thursday|friday|saturday|sunday)( prochain)?|dans (\d|deux|trois|quatre|cinq|quelques) jours|in (\d|two|three|four|five|a few) days|la fin de (la|cette) semaine|the end of (the|this) week)\b/;
const SCAM_AVOIDED =
  /\b((j'ai|je n'ai) (rien|pas|jamais) (rempli|donne|clique|repondu|communique|transmis)|(didn't|did not|haven't|have not|never) (click|fill|give|reply|answer|enter|share)\w*)\b/;
/** "j'ai demandé le 20 octobre la modification… les factures sont toujours au nom de…". */
const UNPROCESSED =
  /\b(j'ai (deja )?demande|i (already )?asked|i requested|demande (faite|envoyee) le)\b[^]{0,200}\b(toujours|still|pas (encore )?(ete )?(fait|pris en compte|modifie|change|traite)|not (yet )?(been )?(done|changed|updated|processed))\b/;
const STORE_INFO = /\b(horaires?|opening hours|ouvert\w*|ferme\w*|boutique|magasin|store|shop)\b/;
/** "pas de réseau dans la cuisine": a partial loss, not a total one. */
const PARTIAL =
  /\b(every (few|\d+) (minutes|hours)|toutes les \d+ (min|minutes|heures)|intermitt\w*|dans (la|le|les|ma|mon) (cuisine|chambre|chambres|salon|cave|jardin|piece|garage)|a l'etage|upstairs|in the (kitchen|bedroom|garden|living room)|sur (une|un|le deuxieme|la deuxieme) (tele|tv|decodeur)|one of (the|my)|par moments|sometimes|parfois|de temps en temps|des fois|ailleurs ca va|(calls|sms|texts|data|internet|appels) (work|works|marchent|marche|fonctionnent|fonctionne) (fine|ok|bien|normalement)|but i can (still )?(receive|make|send|call)|mais je peux (toujours )?(recevoir|appeler|envoyer|passer))\b/;

function decideUrgency(text: string, category: Category, problem: boolean, sentiment: Sentiment): Urgency {
  if (!problem) return 'basse';
  if (NOTHING_TO_DO.test(text) || SPAM.test(text)) return 'basse';
  const current = removePastFixedProblems(text)
    .replace(LOW_URGENCY_HINTS_GLOBAL, ' ')
    .replace(INSTALMENTS, ' ')
    .replace(THANKED_FOR, ' ')
    .replace(RECEIVED_WHAT_WAS_OWED, ' ')
    .replace(NOT_NEGATIVE, ' ')
    .replace(INVOICE_NOT_RECEIVED, ' facture ')
    .replace(INVOICE_COPY, ' facture ')
    // Announced works: the cut they ask about has not happened (guide §4: questions and information are basse).
    .replace(PLANNED_WORKS.test(text) ? OUTAGE_NOUNS : NOTHING, ' ');
  const hasMediumProblem = matchesAny(MEDIUM_URGENCY, current);
  const outage = OUTAGE.re.test(current);
  const serviceProblem = outage || hasMediumProblem;

  if (outage && !PARTIAL.test(current)) return 'haute';
  if (LEGAL.re.test(text) || SECURITY.re.test(text) || REPEATED.re.test(text)) return 'haute';
  // A scam victim is haute; someone who only reports the attempt ("j'ai rien rempli") is not.
  if (category === 'autre' && SCAM.re.test(text)) return SCAM_AVOIDED.test(text) ? 'basse' : 'haute';
  if (serviceProblem && (BUSINESS.re.test(current) || DEADLINE.re.test(current))) return 'haute';
  if (category === 'autre' && DEADLINE.re.test(current) && /\b(urgence|urgent|immediately)\b/.test(current)) return 'haute';

  if (LOW_URGENCY_HINTS.test(text) && !hasMediumProblem) return 'basse';
  if (LOW_URGENCY_HINTS.test(text) && category === 'technique') return 'basse';

  if (CANCELLED_BUT_CHARGED.test(text)) return 'moyenne';
  if (category === 'resiliation') {
    const decision = CANCEL_DECISION.test(text.replace(CANCEL_HYPOTHESIS, ' '));
    if (decision) return 'moyenne';
    if (CANCEL_QUESTION.test(text)) return 'basse';
    return 'moyenne';
  }
  // A change asked for earlier and still not made is an unprocessed change (moyenne), not a detail update.
  if (UNPROCESSED.test(current)) return 'moyenne';
  if (category === 'autre' && PERSONAL_DETAILS.test(current) && sentiment !== 'negatif') return 'basse';
  if (hasMediumProblem || NEAR_DEADLINE.test(current)) return 'moyenne';
  const clean = current.replace(NOT_NEGATIVE, ' ');
  switch (category) {
    case 'technique':
      return HOW_TO.test(clean) && !outage ? 'basse' : 'moyenne';
    case 'commercial':
      return ORDER_WORDS.test(clean) && ORDER_BAD_STATE.test(clean) ? 'moyenne' : 'basse';
    case 'facturation':
      return BILLING_ASSERTION.test(clean) || MONEY_WRONG.test(clean) || PRICE_CHANGED.test(clean) ? 'moyenne' : 'basse';
    case 'autre':
      return sentiment === 'negatif' && !STORE_INFO.test(clean) ? 'moyenne' : 'basse';
    default:
      return 'basse';
  }
}

/** "coupure de 4 jours la semaine dernière (réparée depuis)": a past, fixed problem does not count. */
function removePastFixedProblems(text: string): string {
  const fixed = FIXED.test(text);
  return (
    text
      .split(/(?<=[.!?])\s+|\n+|\(|\)|, (?=i |je |j')/)
      // A long unpunctuated sentence (a voice transcript) that says "c'est réglé" may be about something else.
      .filter((s) => !(FIXED.test(s) && s.length <= 120) && !(fixed && PAST_OUTAGE.test(s)))
      .join('\n')
  );
}

const FIXED =
  /\b(reparee? depuis|it's fixed now|fixed now|\(fixed\)|(c'est|ca a ete) (repare|regle)|depuis reparee?|was down .* \(?fixed|(it's|it is|everything is) (back|working) (now|again)|tout est rentre dans l'ordre|(ca|tout) (re)?marche (a nouveau|de nouveau|depuis))\b/;
/** "internet was down last week", "on a eu une coupure samedi": a past outage, background once it is fixed. */
const PAST_OUTAGE =
  /\b((was|were|had been|went) (down|cut|out|off)|there was an? (outage|cut)|(a ete|etait|avait ete) (coupee?|en panne|hs)|(on a|j'ai|nous avons) eu une (coupure|panne))\b/;

// ---------- sentiment ----------

function decideSentiment(evidence: Evidence[], allOriginal: string): Sentiment {
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

function negativeScore(e: Evidence): number {
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
