// Pure text helpers for the offline analyzer: quoted-history stripping, accent folding, SMS spelling, sentences.

const QUOTE_HEADER_PATTERNS: RegExp[] = [
  /^\s*le .{3,80}(a|à) écrit\s*:?\s*$/im,
  /^\s*on .{3,120}wrote\s*:?\s*$/im,
  /^\s*-{2,}\s*(message d'origine|original message|forwarded message|message transféré)\s*-{2,}/im,
  /^\s*(de|from)\s*:.*\n\s*(envoyé|sent|date|à|to)\s*:/im,
  /^\s*(envoyé de mon|sent from my) .*$/im,
  /^--\s*$/m,
  // Legal footers ("Ce message et ses pièces jointes sont confidentiels…") are not the customer's words.
  /^\s*(ce (message|courriel|mail)( et (ses|toutes les) pi[eè]ces jointes)? (est|sont) (strictement )?confidentiel|this (e-?mail|message)( and any attachments)? (is|are|may be) (strictly )?(confidential|privileged))/im,
];

/** Removes quoted email history, "> " lines and mobile signatures. Robust when the input is already clean. */
export function stripQuotedHistory(text: string): string {
  let cut = text.length;
  for (const pattern of QUOTE_HEADER_PATTERNS) {
    const match = pattern.exec(text);
    if (match && match.index < cut && match.index > 0) cut = match.index;
  }
  return text
    .slice(0, cut)
    .split('\n')
    .filter((line) => !/^\s*>/.test(line))
    .join('\n')
    .trim();
}

/** Lower-case, no diacritics, straight apostrophes, single spaces. Emojis are kept. */
export function fold(text: string): string {
  return text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[’‘`´]/g, "'")
    .replace(/œ/gi, 'oe')
    .replace(/æ/gi, 'ae')
    .toLowerCase()
    .replace(/[ \t\u00a0]+/g, ' ');
}

/** SMS abbreviations and apostrophe-less spellings → standard forms (applied to folded text, whole words). */
const SMS_SPELLING: Array<[RegExp, string]> = [
  [/\bbjr\b/g, 'bonjour'],
  [/\bbsr\b/g, 'bonsoir'],
  [/\bslt\b/g, 'salut'],
  [/\bstp\b/g, "s'il te plait"],
  [/\bsvp\b/g, "s'il vous plait"],
  [/\b(pls|plz)\b/g, 'please'],
  [/\bjai\b/g, "j'ai"],
  [/\bnai\b/g, "n'ai"],
  [/\bjen\b/g, "j'en"],
  [/\bj(appel\w*|attends?|avais|etais|aurais|arrive|essaie|habite|utilise|envoie)\b/g, "j'$1"],
  [/\b(did|was|have|could|are|should|would)nt\b/g, "$1n't"],
  [/\bjsuis\b|\bchui\b/g, 'je suis'],
  [/\bjpeux\b/g, 'je peux'],
  [/\bcest\b/g, "c'est"],
  [/\bnest\b/g, "n'est"],
  [/\bpbm?s?\b/g, 'probleme'],
  [/\btjr?s\b/g, 'toujours'],
  [/\b(pk|pq|pkoi)\b/g, 'pourquoi'],
  [/\bc\b(?!')/g, "c'est"],
  [/\bdsl\b/g, 'desole'],
  [/\bqqn\b/g, "quelqu'un"],
  [/\bqqch\b/g, 'quelque chose'],
  [/\btel\b/g, 'telephone'],
  [/\bbcp\b/g, 'beaucoup'],
  [/\bmtn\b/g, 'maintenant'],
  [/\bpr\b/g, 'pour'],
  [/\bvs\b/g, 'vous'],
  [/\bya\b/g, 'il y a'],
  [/\bu\b/g, 'you'],
  [/\bur\b/g, 'your'],
  [/\b(thx|thks|ty)\b/g, 'thanks'],
  [/\bcant\b/g, "can't"],
  [/\bdont\b/g, "don't"],
  [/\bwont\b/g, "won't"],
  [/\bdoesnt\b/g, "doesn't"],
  [/\bisnt\b/g, "isn't"],
  [/\bim\b/g, "i'm"],
  [/\bive\b/g, "i've"],
  [/\bq\b/g, 'question'],
  // Elisions typed without the apostrophe ("entretien dembauche", "vs mavez coupé", "lancien compte", "aujourd hui").
  [/\baujourd ?hui\b/g, "aujourd'hui"],
  // "plus d internet", "j ai", "qu il": an elision typed with a space.
  [/(?<!['\w])([djlmnst]|qu) (?=[aeiouyh][a-z])/g, "$1'"],
  [/\bd(embauche|accord|abord|ailleurs|habitude|urgence|origine|avance|attente|avoir|etre|autres?|ici)\b/g, "d'$1"],
  [
    /\bl(ancien|ancienne|appli|application|adresse|operateur|offre|option|abonnement|internet|ecran|equipe|agence|iban|erreur|avoir|instant|annee)\b/g,
    "l'$1",
  ],
  [/\bm(avez|avait|ont|appelle|envoyez|envoyer|expliquer|aider|indiquer|excuse)\b/g, "m'$1"],
  [/\bqu(il|ils|on)\b/g, "qu'$1"],
  [/\bsil (vous|te) plait\b/g, "s'il $1 plait"],
  [/\bsemaine pro\b/g, 'semaine prochaine'],
];

/** Voice-transcript fillers that carry no meaning. */
const DISFLUENCIES = /\b(euh+|heu+|bah|ben|hein|uh+|um+|erm|hmm+)\b[,.]?/g;

export function normalizeForMatching(text: string): string {
  let out = fold(text);
  for (const [pattern, replacement] of SMS_SPELLING) out = out.replace(pattern, replacement);
  return out.replace(DISFLUENCIES, ' ').replace(/ {2,}/g, ' ').trim();
}

/** Splits into sentences on . ! ? … and line breaks, keeping the original spelling. */
export function splitSentences(text: string): string[] {
  return text
    .split(/(?<=[.!?…])\s+|\n+/)
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}
