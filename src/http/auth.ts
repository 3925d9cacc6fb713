// The API's bearer-token guard (express); the comparison itself lives in src/auth/tokens.ts.
import type { RequestHandler } from 'express';
import { bearerToken, tokenMatches } from '../auth/tokens.js';
import { UnauthorizedError } from '../errors.js';

export function requireApiToken(tokens: readonly string[]): RequestHandler {
  return (req, _res, next) => {
    if (tokenMatches(bearerToken(req.headers.authorization), tokens)) next();
    else next(new UnauthorizedError());
  };
}
