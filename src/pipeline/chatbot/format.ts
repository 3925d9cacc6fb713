// Shaping a reply to what its channel declares (ReplyShape): length, SMS segments and alphabet, speakable, letter. Pure.
import type { ReplyShape } from '../../domain/capabilities.js';
import type { Language } from './language.js';

// GSM 03.38 basic set and extension table (extension characters take two septets).
const GSM_BASIC = new Set(
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà',
);
const GSM_EXTENSION = new Set('^{}\\[~]|€\f');

// Alternation, not one class: a class listing U+FE0F / U+200D next to a base reads as a combined character.
const EMOJI = /\p{Extended_Pictographic}|[\u{1F1E6}-\u{1F1FF}]|\u{FE0F}|\u{200D}/gu;
const URL = /\b(https?:\/\/|www\.)\S+/gi;

/** Septet count when the text fits GSM-7, null when it needs UCS-2. */
export function gsmSeptets(text: string): number | null {
  let septets = 0;
  for (const ch of text) {
    if (GSM_BASIC.has(ch)) septets += 1;
    else if (GSM_EXTENSION.has(ch)) septets += 2;
    else return null;
  }
  return septets;
}

/** Number of SMS segments the text needs (GSM-7: 160 / 153 per part; UCS-2: 70 / 67 per part, surrogate pairs count 2). */
export function smsSegments(text: string): number {
  const septets = gsmSeptets(text);
  if (septets !== null) return septets <= 160 ? 1 : Math.ceil(septets / 153);
  const units = text.length; // UTF-16 code units
  return units <= 70 ? 1 : Math.ceil(units / 67);
}

/** Replaces characters outside GSM-7 with close equivalents so French text stays at 153/160 chars per segment. */
export function toGsmFriendly(text: string): string {
  const map: Record<string, string> = {
    ê: 'e',
    ë: 'e',
    â: 'a',
    á: 'a',
    î: 'i',
    ï: 'i',
    í: 'i',
    ô: 'o',
    ó: 'o',
    û: 'u',
    ú: 'u',
    ç: 'c',
    œ: 'oe',
    Ê: 'E',
    È: 'E',
    À: 'A',
    Â: 'A',
    Î: 'I',
    Ô: 'O',
    Û: 'U',
    Œ: 'OE',
    '’': "'",
    '‘': "'",
    '«': '"',
    '»': '"',
    '“': '"',
    '”': '"',
    '–': '-',
    '—': '-',
    '…': '...',
    '\u00a0': ' ',
    '\u202f': ' ',
  };
  const replaced = [...text.replace(EMOJI, '')].map((ch) => map[ch] ?? ch).join('');
  return [...replaced]
    .filter((ch) => GSM_BASIC.has(ch) || GSM_EXTENSION.has(ch))
    .join('')
    .replace(/ {2,}/g, ' ')
    .trim();
}

/** Cuts at a sentence (or word) boundary so that the text is at most `max` characters. */
export function shorten(text: string, max: number): string {
  const clean = text.trim();
  if (clean.length <= max) return clean;
  const slice = clean.slice(0, max);
  const sentenceEnd = Math.max(slice.lastIndexOf('. '), slice.lastIndexOf('! '), slice.lastIndexOf('? '));
  if (sentenceEnd > max * 0.4) return slice.slice(0, sentenceEnd + 1).trim();
  const lastSpace = slice.slice(0, max - 3).lastIndexOf(' ');
  return `${slice.slice(0, lastSpace > 0 ? lastSpace : max - 3).replace(/[\s,;:]+$/, '')}...`;
}

/** Spoken text: no URLs, no emojis, no symbols a speech engine reads badly. */
export function toSpeakable(text: string): string {
  return text
    .replace(URL, '')
    .replace(EMOJI, '')
    .replace(/[*_#>`|~^]/g, ' ')
    .replace(/\s*\n+\s*/g, ' ')
    .replace(/ {2,}/g, ' ')
    .trim();
}

/** The reply as the channel takes it (see ReplyShape); `lang` picks the letter's greeting and sign-off. */
export function shapeReply(body: string, shape: ReplyShape, lang: Language): string {
  let text = body.replace(/\r/g, '').trim();
  if (shape.letter) {
    const greeting = lang === 'fr' ? 'Bonjour,' : 'Hello,';
    const signOff = lang === 'fr' ? "Cordialement,\nL'assistant virtuel Freeda" : 'Kind regards,\nThe Freeda virtual assistant';
    const withoutOwnGreeting = text
      .replace(/^(bonjour|bonsoir|hello|hi|dear [^,\n]*)[,!]?\s*/i, '')
      .replace(/\n*(cordialement|bien à vous|kind regards|best regards|regards)[,.]?[\s\S]*$/i, '')
      .trim();
    return `${greeting}\n\n${shorten(withoutOwnGreeting, shape.max_chars)}\n\n${signOff}`;
  }
  if (shape.speakable) text = toSpeakable(text);
  if (shape.single_line) text = text.replace(/\s*\n+\s*/g, ' ');
  if (shape.gsm7) text = toGsmFriendly(text);
  text = shorten(text, shape.max_chars);
  if (shape.max_segments) while (smsSegments(text) > shape.max_segments) text = shorten(text, text.length - 10);
  return text;
}
