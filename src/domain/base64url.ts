// Strict base64url (RFC 4648 §5, no padding). Pure.
// Node's decoder skips characters outside the alphabet and ignores padding and non-zero trailing bits, so many strings
// decode to the same bytes: a token must have exactly one spelling.

const ALPHABET = /^[A-Za-z0-9_-]*$/;

/** The bytes of a canonical base64url string; null for any other character, padding, or non-zero trailing bits. */
export function decodeBase64url(text: string): Buffer | null {
  // A length of 1 mod 4 cannot come from any byte string.
  if (!ALPHABET.test(text) || text.length % 4 === 1) return null;
  const bytes = Buffer.from(text, 'base64url');
  return bytes.toString('base64url') === text ? bytes : null;
}
