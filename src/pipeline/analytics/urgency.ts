// Urgency rules of the offline analyzer (guide §4): total loss, business impact, deadlines, legal threats, fraud and
// repeated contacts are haute; a real problem or concrete request is moyenne; questions and information are basse.
import type { Category, Sentiment, Urgency } from '../../domain/types.js';
import {
  BUSINESS,
  CANCELLED_BUT_CHARGED,
  CANCEL_DECISION,
  CANCEL_HYPOTHESIS,
  CANCEL_QUESTION,
  DEADLINE,
  LEGAL,
  LOW_URGENCY_HINTS,
  MEDIUM_URGENCY,
  NOT_NEGATIVE,
  OUTAGE,
  REPEATED,
  SECURITY,
  matchesAny,
} from './lexicon.js';
import { MONEY_WRONG, PRICE_CHANGED, SCAM, SPAM } from './lexicon-category.js';

/** Wrong numbers, spam and job requests need nothing from support. */
const NOTHING_TO_DO =
  /\b(wrong number|trompe de numero|erreur de numero|mauvais numero|recrut\w*|jobs? (application|offer|opening|vacanc\w*|ad)s?|(looking for|apply(ing)? for|any) (a )?jobs?|cv|alternance|apprenti\w*|candidature|hiring)\b/;
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
  /\b(comment|how (do|can|to|would)|est-ce que (je|on) peu[xt]|est-ce qu'on peut|puis-je|(je )?n'arrive pas a trouver|can't find|cannot find|ou (trouver|telecharger|voir)|where (can|do) i (find|download|see)|(do|should) i (need to |have to )?(return|send back|keep)|(dois-je|je dois|faut-il) (rendre|renvoyer|retourner|garder)|est-il possible|est-ce possible|is it possible|is there a way|peut-on|can i|quel est|c'est quoi|what is|what's|where (can|do) i|ou (trouver|voir)|par defaut|parametr\w*|configur\w*|activer|desactiver|installer|set up)\b/;
/** Order, delivery or activation vocabulary, and a bad state of it. */
const ORDER_WORDS =
  /\b(command\w*|ordered|order|colis|parcel|livr\w*|deliver\w*|recu|received|arrive\w*|activ\w*|applique|transfere|portabilite|changement de forfait|upgrade)\b/;
const ORDER_BAD_STATE =
  /\b(ca fait (une|\d+|deux|trois) (semaines?|jours?|mois)|it's been (a|\d+|two|three) (weeks?|days?)|promis|promised|pas|not|never|jamais|toujours|still|manque|missing|il manque|cracked|casse|fissure|abime|wrong|mauvais|annule|cancelled|en preparation|retard|late|hasn't|n'a pas|aucune)\b/;
/** A billing assertion (something is wrong, correct it) rather than a question about the bill. */
const BILLING_ASSERTION =
  /\b(trop (elevee?|chere?)|too (high|expensive)|higher than (usual|normal|before|last)|plus (chere?|elevee?) que|on m'a (facture|preleve|compte)|jamais (envoye|passe|appele|fait|utilise)|never (sent|made|used|left|travell?ed|went|subscribed|ordered|asked for)|jamais (quitte|voyage|souscrit|commande)|promised|promis|right price|bon (prix|tarif)|still says|overdue|reminder|i paid|j'ai (deja )?paye|already paid|charged|billed|debite|preleve|paye deux|(fait|faire) payer|vous me facturez|me facturez toujours|you('re| are) (still )?charging me|still (being )?(charged|billed)|vous m'avez (facture|preleve|debite|compte|fait payer|charge|envoye (une|la) (mauvaise|fausse))|you('ve| have)|erreur|error|mistake|a tort|wrongly|corrig\w*|adjust|annul\w*|refund\w*|rembours\w*|take it off|credit(ed)? back|retir\w*|enlev\w*|supprim\w*|remove|take (it|that|this) off|rectifi\w*|frais de (retard|rejet)|alors que|(faire|fassiez|faites) un (petit )?geste|goodwill|waive|reissue|re-issue|reemettre|reediter|refaire (la|les|mes) factures?|vat number|numero de tva)\b/;
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
/** Asking what a charge is, not saying it is wrong (guide §4 rule 2: explaining a bill is basse). */
const EXPLAIN_BILL =
  /\b(expliqu\w*|explain\w*|explanation|d'ou vient|where (does|did) (this|that|the) (\w+ )?come from|a quoi correspond\w*|what (is|are) (this|that|these|the) (charge|amount|line|fee|difference)s?|c'est quoi (ce|cette|ces) (ligne|montant|frais|difference))\b/;
const BILL_CORRECTION =
  /\b(rembours\w*|refund\w*|corrig\w*|rectifi\w*|annul\w*|retir\w*|enlev\w*|remove|take (it|that|this) off|credit(ed)? back|erreur|error|mistake|a tort|wrongly|jamais|never|deux fois|twice|double|vous m'avez|you('ve| have) (charged|billed)|inacceptable|unacceptable|pas normal|not normal)\b/;
/** Marketing messages: asking them to stop is an opt-out, not a problem to fix. */
const MARKETING =
  /\b(pubs?|publicit\w*|promo\w*|newsletters?|marketing|prospection|demarchage|unsubscribe|desabonn\w*|desinscri\w*|adverts?|advertising|sms commerciaux)\b/;
/** Someone who asks whether a message was a scam, without saying they paid, clicked or gave anything. */
const SCAM_QUESTION =
  /\b(c'est (vous|une arnaque|un vrai)|c (vous|une arnaque)|is (this|it|that) (you|a scam|legit\w*|genuine|real)|est-ce (vous|une arnaque)|vraiment vous|really you)\b[^.!]{0,60}\?/;
const SCAM_VICTIM =
  /\b(j'ai (paye|clique|donne|rempli|saisi|tape|entre|communique|transmis|valide)|i (paid|clicked|gave|entered|filled|typed|shared|confirmed)|(on m'a|they) (preleve|debite|took|charged)|prelev\w*|debit\w*)\b/;
/** "c'est la 4e fois cette semaine": the customer already asked (the opt-out was not applied). */
const INSISTENCE = /\b(\d+e|deuxieme|troisieme|quatrieme|second|third|fourth|\d+(nd|rd|th)) (fois|time)\b/;
const STORE_INFO = /\b(horaires?|opening hours|ouvert\w*|ferme\w*|boutique|magasin|store|shop)\b/;
/** "pas de réseau dans la cuisine": a partial loss, not a total one. */
const PARTIAL =
  /\b(every (few|\d+) (minutes|hours)|toutes les \d+ (min|minutes|heures)|intermitt\w*|dans (la|le|les|ma|mon) (cuisine|chambre|chambres|salon|cave|jardin|piece|garage)|a l'etage|upstairs|in the (kitchen|bedroom|garden|living room)|sur (une|un|le deuxieme|la deuxieme) (tele|tv|decodeur)|one of (the|my)|par moments|sometimes|parfois|de temps en temps|des fois|ailleurs ca va|(calls|sms|texts|data|internet|appels) (work|works|marchent|marche|fonctionnent|fonctionne) (fine|ok|bien|normalement)|but i can (still )?(receive|make|send|call)|mais je peux (toujours )?(recevoir|appeler|envoyer|passer))\b/;

export function decideUrgency(text: string, category: Category, problem: boolean, sentiment: Sentiment): Urgency {
  if (!problem) return 'basse';
  if (NOTHING_TO_DO.test(text) || SPAM.test(text)) return 'basse';
  const current = currentProblems(text);
  const hasMediumProblem = matchesAny(MEDIUM_URGENCY, current);
  const outage = OUTAGE.re.test(current);
  const serviceProblem = outage || hasMediumProblem;

  if (outage && !PARTIAL.test(current)) return 'haute';
  if (LEGAL.re.test(text) || SECURITY.re.test(text) || REPEATED.re.test(text)) return 'haute';
  // A scam victim is haute; someone who only reports the attempt ("j'ai rien rempli") is not.
  if (category === 'autre' && SCAM.re.test(text)) {
    return SCAM_AVOIDED.test(text) || (SCAM_QUESTION.test(text) && !SCAM_VICTIM.test(text)) ? 'basse' : 'haute';
  }
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
  if (category === 'facturation' && EXPLAIN_BILL.test(current) && !BILL_CORRECTION.test(current)) return 'basse';
  if (hasMediumProblem || NEAR_DEADLINE.test(current)) return 'moyenne';
  const clean = current.replace(NOT_NEGATIVE, ' ');
  switch (category) {
    case 'technique':
      return (HOW_TO.test(clean) || PLANNED_WORKS.test(clean)) && !outage ? 'basse' : 'moyenne';
    case 'commercial':
      return ORDER_WORDS.test(clean) && ORDER_BAD_STATE.test(clean) ? 'moyenne' : 'basse';
    case 'facturation':
      return BILLING_ASSERTION.test(clean) || MONEY_WRONG.test(clean) || PRICE_CHANGED.test(clean) ? 'moyenne' : 'basse';
    case 'autre':
      return sentiment === 'negatif' && !STORE_INFO.test(clean) && !(MARKETING.test(clean) && !INSISTENCE.test(clean))
        ? 'moyenne'
        : 'basse';
    default:
      return 'basse';
  }
}

/** The text with what does not count for urgency removed: past fixed problems, "pas urgent", thanks, negated complaints. */
function currentProblems(text: string): string {
  return (
    removePastFixedProblems(text)
      .replace(LOW_URGENCY_HINTS_GLOBAL, ' ')
      .replace(INSTALMENTS, ' ')
      .replace(THANKED_FOR, ' ')
      .replace(RECEIVED_WHAT_WAS_OWED, ' ')
      .replace(NOT_NEGATIVE, ' ')
      .replace(INVOICE_NOT_RECEIVED, ' facture ')
      .replace(INVOICE_COPY, ' facture ')
      // Announced works: the cut they ask about has not happened (guide §4: questions and information are basse).
      .replace(PLANNED_WORKS.test(text) ? OUTAGE_NOUNS : NOTHING, ' ')
  );
}

/** "depuis 3 jours", "since yesterday", "for two weeks": how long the problem has lasted. */
const DURATION =
  /\b(depuis (\d+|deux|trois|quatre|cinq|plusieurs|une?|des) (jours?|semaines?|mois|heures?|days?|weeks?)|depuis (hier|avant-hier|ce matin|cette nuit|lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche|le \d+)|since (yesterday|this morning|last (night|\w+)|monday|tuesday|wednesday|thursday|friday|saturday|sunday|the \d+)|for (\d+|two|three|four|five|several|a few) (days|weeks|hours)|(\d+|two|three|deux|trois) (days|jours) (now|maintenant|sans|without))\b/;

/**
 * The urgency cues of the label guide present in the text (folded), read like decideUrgency reads them (past fixed
 * problems, "pas urgent" and negated complaints removed first): features for the model's urgency, so that it weighs
 * "total loss", "business", "deadline", "not urgent"… by what the labelled sets say rather than by fixed rules.
 */
export function urgencyCues(text: string): string[] {
  const current = currentProblems(text);
  const cues: string[] = [];
  const add = (name: string, yes: boolean) => yes && cues.push(name);
  const outage = OUTAGE.re.test(current);
  add('outage', outage && !PARTIAL.test(current));
  add('partial', PARTIAL.test(current));
  add('problem', matchesAny(MEDIUM_URGENCY, current));
  add('business', BUSINESS.re.test(current));
  add('deadline', DEADLINE.re.test(current));
  add('near-deadline', NEAR_DEADLINE.test(current));
  add('legal', LEGAL.re.test(text));
  add('security', SECURITY.re.test(text));
  add('repeated', REPEATED.re.test(text));
  add('not-urgent', LOW_URGENCY_HINTS.test(text));
  add('duration', DURATION.test(current));
  add('how-to', HOW_TO.test(current));
  add('explain', EXPLAIN_BILL.test(current) && !BILL_CORRECTION.test(current));
  add('billing-assertion', BILLING_ASSERTION.test(current));
  add('cancel-decision', CANCEL_DECISION.test(text.replace(CANCEL_HYPOTHESIS, ' ')));
  add('cancel-question', CANCEL_QUESTION.test(text));
  add('unprocessed', UNPROCESSED.test(current));
  add('nothing-to-do', NOTHING_TO_DO.test(text) || SPAM.test(text));
  return cues;
}

/** "coupure de 4 jours la semaine dernière (réparée depuis)": a past, fixed problem does not count. */
export function removePastFixedProblems(text: string): string {
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
