// Attachment metadata made safe to store and to send back in HTTP headers. Pure.
// Adapters pass on what the provider or the sender wrote (a MIME part's Content-Type, a JSON `type`, a file name): it
// may hold CR/LF, non-Latin-1 text or lone surrogates, which a header cannot carry (Node refuses to set it: a 500).
import contentType from 'content-type';
import type { Attachment } from './types.js';

export const FALLBACK_CONTENT_TYPE = 'application/octet-stream';

/** A media type as RFC 7231 spells it (`type/subtype; param=value`, printable ASCII), else application/octet-stream. */
export function safeContentType(raw: string | null | undefined): string {
  if (!raw || !/^[\x20-\x7e]+$/.test(raw)) return FALLBACK_CONTENT_TYPE;
  try {
    return contentType.format(contentType.parse(raw.trim()));
  } catch {
    return FALLBACK_CONTENT_TYPE;
  }
}

// Control characters (C0, DEL, C1) and the format characters that reorder or hide text (bidi overrides: `cod.exe` shown
// as `exe.doc`), zero-width and line/paragraph separators.
// eslint-disable-next-line no-control-regex -- control characters are exactly what is stripped
const UNSAFE_IN_NAME = /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\u2066-\u2069\ufeff]/g;

/** Lone surrogates (which encodeURIComponent throws on) become U+FFFD: a UTF-8 round trip does exactly that. */
const wellFormed = (text: string) => Buffer.from(text, 'utf8').toString('utf8');

/** The last path segment, without unsafe characters or leading dots, well-formed UTF-16, at most 200 characters; null when nothing is left. */
export function safeFilename(raw: string | null | undefined): string | null {
  if (!raw) return null;
  const base = wellFormed(raw).split(/[\\/]/).pop() ?? '';
  const cleaned = wellFormed(
    base
      .replace(UNSAFE_IN_NAME, '')
      .replace(/^[.\s]+/, '')
      .trim()
      .slice(0, 200),
  );
  return cleaned === '' ? null : cleaned;
}

/** The attachment with a header-safe content type and file name (the core applies it to everything it stores). */
export function sanitizeAttachment<T extends Attachment>(attachment: T): T {
  return {
    ...attachment,
    content_type: safeContentType(attachment.content_type),
    ...(attachment.filename === undefined ? {} : { filename: safeFilename(attachment.filename) }),
  };
}
