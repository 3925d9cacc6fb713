// Opaque secrets handed to clients (refresh tokens, personal API tokens): `<prefix><id>.<secret>`. Only the SHA-256 of
// the secret is stored (it is 32 random bytes: no slow hash needed), compared in constant time.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { ulid } from 'ulid';

export const sha256 = (value: string) => createHash('sha256').update(value).digest('base64url');

export function newSecret(prefix: string): { id: string; token: string; hash: string } {
  const id = ulid().toLowerCase();
  const secret = randomBytes(32).toString('base64url');
  return { id, token: `${prefix}${id}.${secret}`, hash: sha256(secret) };
}

/** The id and secret of a token with this prefix, or null when it does not have the shape. */
export function splitSecret(prefix: string, token: string): { id: string; secret: string } | null {
  if (!token.startsWith(prefix)) return null;
  const match = /^([0-9a-z]{26})\.([\w-]{43})$/.exec(token.slice(prefix.length));
  return match ? { id: match[1], secret: match[2] } : null;
}

export function secretMatches(secret: string, storedHash: string): boolean {
  const a = Buffer.from(sha256(secret));
  const b = Buffer.from(storedHash);
  return a.length === b.length && timingSafeEqual(a, b);
}
