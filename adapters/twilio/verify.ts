// X-Twilio-Signature verification. Pure: no I/O, no logging (callers log `urlsTried` on failure).
// Shared with the voice routes (adapters/twilio/voice/).
import twilio from 'twilio';
import type { WebhookRequest, WebhookResponse } from '../../src/domain/channel.js';
import { parseFormParams, type TwilioParams } from './parse.js';

export interface VerifyTwilioSignatureInput {
  authToken: string;
  /** The URL Twilio called, exactly as Twilio sees it (PUBLIC_BASE_URL + path + query). */
  publicUrl: string;
  /** Form parameters of the POST body (empty for GET or JSON bodies signed with bodySHA256). */
  params: TwilioParams;
  signature: string | undefined | null;
}

const DEFAULT_PORTS: Record<string, string> = { 'https:': '443', 'http:': '80' };

/** The URL variants accepted for a signature: as given, without and with the scheme's default port. */
export function signatureCandidateUrls(publicUrl: string): string[] {
  let parsed: URL;
  try {
    parsed = new URL(publicUrl);
  } catch {
    return [publicUrl];
  }
  const defaultPort = DEFAULT_PORTS[parsed.protocol];
  if (!defaultPort) return [publicUrl];
  // Work on the string so the path and query keep Twilio's exact encoding.
  const match = /^([a-z][a-z0-9+.-]*:\/\/)([^/?#]*)(.*)$/i.exec(publicUrl);
  if (!match) return [publicUrl];
  const [, scheme, authority, rest] = match;
  // An explicit non-default port is part of what Twilio signed: no variant.
  if (/:\d+$/.test(authority) && !authority.endsWith(`:${defaultPort}`)) return [publicUrl];
  const hostOnly = authority.replace(new RegExp(`:${defaultPort}$`), '');
  const candidates = [publicUrl, `${scheme}${hostOnly}${rest}`, `${scheme}${hostOnly}:${defaultPort}${rest}`];
  return [...new Set(candidates)];
}

/**
 * True when `signature` is Twilio's HMAC-SHA1 of the URL (any candidate of `signatureCandidateUrls`)
 * plus the sorted params. Uses twilio's own `validateRequest` (constant-time compare, port variants).
 */
export function verifyTwilioSignature(input: VerifyTwilioSignatureInput): boolean {
  const { authToken, publicUrl, params, signature } = input;
  if (!authToken || !signature) return false;
  try {
    return twilio.validateRequest(authToken, signature, publicUrl, params);
  } catch {
    // validateRequest throws on a URL that `new URL()` rejects: that is a failed verification.
    return false;
  }
}

/** Signature Twilio would send for this URL and params (tests and `freeda simulate`). */
export function signTwilioRequest(authToken: string, url: string, params: TwilioParams): string {
  return twilio.getExpectedTwilioSignature(authToken, url, params);
}

export type TwilioWebhookCheck =
  | { ok: true; params: TwilioParams }
  | { ok: false; reason: 'no_auth_token' | 'missing_signature' | 'bad_signature'; urlsTried: string[]; response: WebhookResponse };

export function forbiddenResponse(message: string): WebhookResponse {
  return {
    status: 403,
    contentType: 'application/json',
    body: JSON.stringify({ error: { code: 'invalid_twilio_signature', message } }),
  };
}

/**
 * Verify a Twilio webhook request before anything is parsed or stored.
 * Form bodies: signature over URL + sorted params. JSON bodies (URL carries `bodySHA256`): signature over
 * the URL and a SHA-256 of the raw body (`validateRequestWithBody`).
 */
export function checkTwilioWebhook(req: WebhookRequest, authToken: string | undefined): TwilioWebhookCheck {
  const urlsTried = signatureCandidateUrls(req.publicUrl);
  if (!authToken) {
    return {
      ok: false,
      reason: 'no_auth_token',
      urlsTried,
      response: forbiddenResponse('TWILIO_AUTH_TOKEN is not set on this server: Twilio webhooks cannot be verified and are refused.'),
    };
  }
  const signature = req.headers['x-twilio-signature'];
  if (!signature) {
    return { ok: false, reason: 'missing_signature', urlsTried, response: forbiddenResponse('The X-Twilio-Signature header is missing.') };
  }
  const bad = (): TwilioWebhookCheck => ({
    ok: false,
    reason: 'bad_signature',
    urlsTried,
    response: forbiddenResponse('The X-Twilio-Signature header does not match this request.'),
  });
  if (/[?&]bodySHA256=/.test(req.publicUrl)) {
    let valid: boolean;
    try {
      valid = twilio.validateRequestWithBody(authToken, signature, req.publicUrl, req.rawBody.toString('utf8'));
    } catch {
      valid = false;
    }
    return valid ? { ok: true, params: {} } : bad();
  }
  const params = req.method === 'GET' ? {} : parseFormParams(req.rawBody);
  return verifyTwilioSignature({ authToken, publicUrl: req.publicUrl, params, signature }) ? { ok: true, params } : bad();
}
