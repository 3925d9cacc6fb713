// What `freeda simulate sms|whatsapp` and `freeda simulate voice` share: Twilio-shaped ids and numbers, the URLs a
// request may have to be signed for, and a POST signed the way Twilio signs it.
import { randomBytes } from 'node:crypto';
import { signTwilioRequest } from './verify.js';

export const DEFAULT_CUSTOMER = '+33612345678';
export const DEFAULT_OUR_NUMBER = '+15005550006';
export const FAKE_ACCOUNT_SID = 'AC' + '0'.repeat(32);

/** A Twilio-looking id: prefix + 32 hex characters. */
export function sid(prefix: string): string {
  return prefix + randomBytes(16).toString('hex');
}

export function requireAuthToken(authToken: string | undefined): string {
  if (!authToken) {
    throw new Error(
      'TWILIO_AUTH_TOKEN is not set: the server refuses unsigned Twilio webhooks (403). Set the same TWILIO_AUTH_TOKEN for the server and for this command.',
    );
  }
  return authToken;
}

/**
 * The bases the server may check signatures against: PUBLIC_BASE_URL when set, else what the server assumes without it
 * (http://localhost:PORT), else the URL we post to. A 403 stores nothing, so trying them in turn is safe.
 */
export function signatureBases(serverUrl: string, publicBaseUrl: string | undefined): string[] {
  const port = new URL(serverUrl).port;
  return [
    ...new Set(
      [publicBaseUrl, port ? `http://localhost:${port}` : undefined, serverUrl]
        .filter((u): u is string => !!u)
        .map((u) => u.replace(/\/+$/, '')),
    ),
  ];
}

/** Why the server said 403 to every base: the two settings that must match. */
export function refusedHint(bases: string[], path: string): string {
  return ` (signed for ${bases.map((b) => b + path).join(', ')}: the server must have the same TWILIO_AUTH_TOKEN, and the same PUBLIC_BASE_URL as this environment)`;
}

export interface TwilioPostResult {
  status: number;
  body: string;
  /** X-Freeda-Ticket-Id of the answer, when the request was stored on a ticket. */
  ticketId: string | null;
}

/** POST form params to `target` as Twilio would, signed for `signedUrl` (the public URL Twilio would have called). */
export async function postSignedLikeTwilio(
  target: string,
  signedUrl: string,
  params: Record<string, string>,
  authToken: string,
): Promise<TwilioPostResult> {
  let res: Response;
  try {
    res = await fetch(target, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'x-twilio-signature': signTwilioRequest(authToken, signedUrl, params),
        'i-twilio-idempotency-token': sid(''),
      },
      body: new URLSearchParams(params).toString(),
    });
  } catch (err) {
    throw new Error(`cannot reach the server at ${target}: ${(err as Error).message}`, { cause: err });
  }
  return { status: res.status, body: await res.text(), ticketId: res.headers.get('x-freeda-ticket-id') };
}

/** The first base the server accepts the request for (or the last refusal): see `signatureBases`. */
export async function postToFirstAcceptedBase(
  serverUrl: string,
  bases: string[],
  path: string,
  params: Record<string, string>,
  authToken: string,
): Promise<TwilioPostResult & { base: string }> {
  let last: (TwilioPostResult & { base: string }) | null = null;
  for (const base of bases) {
    last = { ...(await postSignedLikeTwilio(serverUrl + path, base + path, params, authToken)), base };
    if (last.status !== 403) break;
  }
  return last!;
}
