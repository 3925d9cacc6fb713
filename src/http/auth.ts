import { timingSafeEqual, createHash } from 'node:crypto';
import type { RequestHandler } from 'express';
import { UnauthorizedError } from '../errors.js';

const digest = (value: string) => createHash('sha256').update(value).digest();

/** Constant-time check of a presented token against the configured list. */
export function tokenMatches(presented: string | null | undefined, tokens: readonly string[]): boolean {
  if (!presented) return false;
  const candidate = digest(presented);
  let ok = false;
  for (const token of tokens) ok = timingSafeEqual(candidate, digest(token)) || ok;
  return ok;
}

export function bearerToken(header: string | undefined): string | null {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  return match ? match[1] : null;
}

export function requireApiToken(tokens: readonly string[]): RequestHandler {
  return (req, _res, next) => {
    if (tokenMatches(bearerToken(req.headers.authorization), tokens)) next();
    else next(new UnauthorizedError());
  };
}
