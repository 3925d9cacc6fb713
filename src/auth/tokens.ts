// Bearer token checks shared by the HTTP API and the WebSocket hub. Pure: no express, no I/O.
import { createHash, timingSafeEqual } from 'node:crypto';

const digest = (value: string) => createHash('sha256').update(value).digest();

/** Constant-time check of a presented token against the configured list (digests: no length leak either). */
export function tokenMatches(presented: string | null | undefined, tokens: readonly string[]): boolean {
  if (!presented) return false;
  const candidate = digest(presented);
  let ok = false;
  for (const token of tokens) ok = timingSafeEqual(candidate, digest(token)) || ok;
  return ok;
}

/** The token of an `Authorization: Bearer <token>` header, null when absent or another scheme. */
export function bearerToken(header: string | undefined): string | null {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  return match ? match[1] : null;
}
