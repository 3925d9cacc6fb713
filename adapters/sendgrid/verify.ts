// Inbound Parse has no signature of its own: the URL carries `?token=<INBOUND_EMAIL_SECRET>`, or the
// request uses HTTP Basic with the secret as password (any user name). Pure, constant-time.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { WebhookRequest, WebhookVerification } from '../../src/domain/channel.js';

export type InboundAuthResult =
  { ok: true; method: 'token' | 'basic' } | { ok: false; reason: 'secret_not_configured' | 'missing_credentials' | 'wrong_secret' };

/** Compare through fixed-length digests so neither the length nor the content leaks through timing. */
export function secretsEqual(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given, 'utf8').digest();
  const b = createHash('sha256').update(expected, 'utf8').digest();
  return timingSafeEqual(a, b);
}

/** The password of an `Authorization: Basic` header, or null when the header is absent or not Basic. */
export function basicAuthPassword(authorization: string | undefined): string | null {
  if (!authorization) return null;
  const match = /^\s*basic\s+([A-Za-z0-9+/=._~-]+)\s*$/i.exec(authorization);
  if (!match) return null;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon === -1 ? null : decoded.slice(colon + 1);
}

export function verifyInboundSecret(
  input: { query: Record<string, string>; headers: Record<string, string | undefined> },
  secret: string | undefined,
): InboundAuthResult {
  if (!secret) return { ok: false, reason: 'secret_not_configured' };
  const token = input.query.token;
  const password = basicAuthPassword(input.headers.authorization);
  if (token === undefined && password === null) return { ok: false, reason: 'missing_credentials' };
  // Check both when both are present: one wrong credential is enough to refuse.
  if (token !== undefined && !secretsEqual(token, secret)) return { ok: false, reason: 'wrong_secret' };
  if (password !== null && !secretsEqual(password, secret)) return { ok: false, reason: 'wrong_secret' };
  return { ok: true, method: token !== undefined ? 'token' : 'basic' };
}

const REFUSAL_HINTS: Record<Extract<InboundAuthResult, { ok: false }>['reason'], string> = {
  secret_not_configured:
    'INBOUND_EMAIL_SECRET is not set, so inbound email cannot be authenticated and every Inbound Parse post is refused',
  missing_credentials: 'no ?token= in the URL and no HTTP Basic credentials',
  wrong_secret: 'the token or Basic password does not match INBOUND_EMAIL_SECRET',
};

/** The route's `verify`: the secret in the URL or Basic auth. The core answers a refusal with 403 `forbidden`. */
export function verifyInbound(req: WebhookRequest, secret: string | undefined): WebhookVerification {
  const auth = verifyInboundSecret(req, secret);
  if (auth.ok) return { ok: true };
  return {
    ok: false,
    code: 'forbidden',
    reason: auth.reason,
    message: 'Inbound email must carry ?token=<INBOUND_EMAIL_SECRET> or HTTP Basic credentials with that secret as password.',
    hint: REFUSAL_HINTS[auth.reason],
  };
}
