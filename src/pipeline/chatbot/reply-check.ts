// Checks a generated reply before it reaches a customer: language, length for the channel (its ReplyShape), and
// nothing the team's knowledge does not say (links, amounts, phone numbers). Pure. An invalid reply is replaced by the offline answer.
import type { ReplyShape } from '../../domain/capabilities.js';
import { toSpeakable } from './format.js';
import { linksIn } from './knowledge.js';
import { languageScores, type Language } from './language.js';

export type ReplyCheck = { ok: true; text: string } | { ok: false; reason: string };

/** Money amounts ("39,99 €", "€40", "20 euros") and phone numbers, digits only, for comparison with the knowledge. */
const AMOUNT_RE = /(?:[€£$]\s?\d+(?:[.,]\d{1,2})?|\d+(?:[.,]\d{1,2})?\s?(?:€|£|\$|euros?|eur\b|pounds?|dollars?))/gi;
const PHONE_RE = /(?:\+\d[\d .-]{7,}\d|\b0\d(?:[ .-]?\d{2}){4}\b)/g;

const digits = (s: string) => s.replace(/\D/g, '');

export function checkGeneratedReply(raw: string, opts: { shape: ReplyShape; lang: Language; knowledge: string }): ReplyCheck {
  const text = (opts.shape.speakable ? toSpeakable(raw) : raw).trim();
  if (text.length < 2) return { ok: false, reason: 'empty_reply' };
  const max = opts.shape.max_chars;
  if (text.length > max) return { ok: false, reason: `too_long: ${text.length} > ${max} characters for the channel` };

  const scores = languageScores(text);
  const other: Language = opts.lang === 'fr' ? 'en' : 'fr';
  if (scores[other] > scores[opts.lang]) return { ok: false, reason: `wrong_language: reads as ${other}, customer writes ${opts.lang}` };

  const allowedLinks = new Set(linksIn(opts.knowledge));
  const foreignLink = linksIn(raw).find((link) => !allowedLinks.has(link));
  if (foreignLink) return { ok: false, reason: `link_not_allowed: ${foreignLink}` };

  const knownNumbers = new Set([...opts.knowledge.matchAll(AMOUNT_RE), ...opts.knowledge.matchAll(PHONE_RE)].map((m) => digits(m[0])));
  for (const m of [...raw.matchAll(AMOUNT_RE), ...raw.matchAll(PHONE_RE)]) {
    const d = digits(m[0]);
    if (!knownNumbers.has(d)) return { ok: false, reason: `unknown_figure: ${m[0].trim()}` };
  }
  return { ok: true, text };
}
