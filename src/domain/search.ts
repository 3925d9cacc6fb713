// Search tokens (issue #16): one tokenizer for what is indexed and what is asked, so both stores find the same
// tickets. Accent- and case-insensitive (French and English): NFKD without combining marks, lower case, œ/æ/ß
// spelt out. Exact tokens, every query token must be present somewhere on the ticket (AND). Pure.
import { parsePhoneNumberFromString } from 'libphonenumber-js';
import { isInternal } from './metrics.js';
import type { Message, Ticket } from './types.js';

/** Longer tokens are cut (DynamoDB keys, junk such as base64 blobs). */
const MAX_TOKEN = 48;
/** Query tokens beyond this are refused (each is one index read on DynamoDB). */
export const MAX_QUERY_TOKENS = 8;

export function foldText(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/œ/g, 'oe')
    .replace(/æ/g, 'ae')
    .replace(/ß/g, 'ss');
}

const WORD = /[\p{L}\p{N}]+/gu;
const EMAIL = /[^\s<>()"',;:]+@[^\s<>()"',;:]+\.[^\s<>()"',;:]+/g;
const PHONE_LIKE = /(?:\+|\b)\d[\d .()-]{6,}\d\b/g;

/** Digits forms a phone number is found by: international (33612345678) and national (0612345678). */
export function phoneTokens(raw: string): string[] {
  const digits = raw.replace(/[^\d+]/g, '');
  const parsed = parsePhoneNumberFromString(digits.startsWith('+') ? digits : digits, digits.startsWith('+') ? undefined : 'FR');
  const out = new Set<string>([digits.replace(/\D/g, '')]);
  if (parsed?.isPossible()) {
    out.add(parsed.number.replace(/\D/g, ''));
    out.add(parsed.formatNational().replace(/\D/g, ''));
  }
  return [...out].filter((t) => t.length >= 6);
}

export const MAX_INDEXED_CHARS = 20_000;
export const MAX_TOKENS_PER_MESSAGE = 1_000;

/** Tokens of a free text: words, whole e-mail addresses and phone numbers written with spaces or dots. */
export function textTokens(text: string): string[] {
  const folded = foldText(text);
  const out = new Set<string>();
  for (const word of folded.match(WORD) ?? []) if (word.length >= 2) out.add(word.slice(0, MAX_TOKEN));
  for (const email of folded.match(EMAIL) ?? []) out.add(email.slice(0, MAX_TOKEN));
  for (const phone of folded.match(PHONE_LIKE) ?? []) for (const t of phoneTokens(phone)) out.add(t);
  return [...out];
}

/** What a ticket is found by besides its messages: id, contact address and name, subject. */
export function ticketTokens(ticket: Pick<Ticket, 'ticket_id' | 'contact' | 'subject'>): string[] {
  const address = ticket.contact.address.replace(/^whatsapp:/, '');
  const parts = [ticket.ticket_id, address, ticket.contact.display_name ?? '', ticket.subject ?? ''];
  const out = new Set(textTokens(parts.join(' \n ')));
  out.add(foldText(address).slice(0, MAX_TOKEN));
  if (/^\+\d{6,15}$/.test(address)) for (const t of phoneTokens(address)) out.add(t);
  return [...out];
}

/** A message's searchable text: its body and the name the customer gave. Agents' notes are searched too (agents only). */
export function messageTokens(message: Pick<Message, 'text' | 'meta' | 'author_name' | 'visibility'>): string[] {
  const name = typeof message.meta?.display_name === 'string' ? message.meta.display_name : '';
  const author = isInternal(message) ? (message.author_name ?? '') : '';
  // A message is found by its first MAX_INDEXED_CHARS characters and at most MAX_TOKENS_PER_MESSAGE distinct tokens:
  // what a customer writes fits, and a multi-megabyte pasted log cannot turn into thousands of index items per message.
  return textTokens(`${message.text.slice(0, MAX_INDEXED_CHARS)}\n${name}\n${author}`).slice(0, MAX_TOKENS_PER_MESSAGE);
}

/** The tokens a query asks for (deduplicated); a phone number typed with spaces is one token. */
export function queryTokens(query: string): string[] {
  const trimmed = query.trim();
  if (/^\+?[\d .()-]{6,}$/.test(trimmed) && /\d{2}/.test(trimmed)) {
    const digits = trimmed.replace(/[^\d+]/g, '');
    // What the index holds for this number: international digits when typed with +, else as typed.
    return [digits.startsWith('+') ? digits.slice(1) : digits];
  }
  return textTokens(trimmed);
}
