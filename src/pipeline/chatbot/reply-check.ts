// Checks a generated reply before it reaches a customer: language, length for the channel, and nothing the team's
// knowledge does not say (links, amounts, phone numbers). Pure. An invalid reply is replaced by the offline answer.
import type { Channel } from '../../domain/types.js';
import { CHAT_MAX_CHARS, EMAIL_MAX_BODY_CHARS, SMS_MAX_CHARS, toSpeakable, VOICE_MAX_CHARS, WHATSAPP_MAX_CHARS } from './format.js';
import { linksIn } from './knowledge.js';
import { languageScores, type Language } from './language.js';

export const REPLY_MAX_CHARS: Record<Channel, number> = {
  sms: SMS_MAX_CHARS,
  whatsapp: WHATSAPP_MAX_CHARS,
  telephone: VOICE_MAX_CHARS,
  chat: CHAT_MAX_CHARS,
  email: EMAIL_MAX_BODY_CHARS,
};

export type ReplyCheck = { ok: true; text: string } | { ok: false; reason: string };

/** Money amounts ("39,99 €", "€40", "20 euros") and phone numbers, digits only, for comparison with the knowledge. */
const AMOUNT_RE = /(?:[€£$]\s?\d+(?:[.,]\d{1,2})?|\d+(?:[.,]\d{1,2})?\s?(?:€|£|\$|euros?|eur\b|pounds?|dollars?))/gi;
const PHONE_RE = /(?:\+\d[\d .-]{7,}\d|\b0\d(?:[ .-]?\d{2}){4}\b)/g;

const digits = (s: string) => s.replace(/\D/g, '');

export function checkGeneratedReply(raw: string, opts: { channel: Channel; lang: Language; knowledge: string }): ReplyCheck {
  const text = (opts.channel === 'telephone' ? toSpeakable(raw) : raw).trim();
  if (text.length < 2) return { ok: false, reason: 'empty_reply' };
  const max = REPLY_MAX_CHARS[opts.channel];
  if (text.length > max) return { ok: false, reason: `too_long: ${text.length} > ${max} characters for ${opts.channel}` };

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
