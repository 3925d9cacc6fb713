// X-Twilio-Signature verification with the SDK's own pure validators. Pure: no I/O, no logging (the core logs a refusal
// with the URLs tried). Shared with the voice routes (adapters/twilio/voice/).
import twilio from 'twilio';
import type { WebhookRequest, WebhookVerification } from '../../src/domain/channel.js';
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
  { ok: true; params: TwilioParams } | { ok: false; reason: 'no_auth_token' | 'missing_signature' | 'bad_signature'; urlsTried: string[] };

const isJsonBodySigned = (req: Pick<WebhookRequest, 'publicUrl'>) => /[?&]bodySHA256=/.test(req.publicUrl);

/** The form parameters of a Twilio request: none for GET or for a JSON body signed with bodySHA256. */
export function twilioParams(req: Pick<WebhookRequest, 'method' | 'publicUrl' | 'rawBody'>): TwilioParams {
  return req.method === 'GET' || isJsonBodySigned(req) ? {} : parseFormParams(req.rawBody);
}

/**
 * Verify a Twilio webhook request before anything is parsed or stored.
 * Form bodies: signature over URL + sorted params. JSON bodies (URL carries `bodySHA256`): signature over
 * the URL and a SHA-256 of the raw body (`validateRequestWithBody`).
 */
export function checkTwilioWebhook(req: WebhookRequest, authToken: string | undefined): TwilioWebhookCheck {
  const urlsTried = signatureCandidateUrls(req.publicUrl);
  if (!authToken) return { ok: false, reason: 'no_auth_token', urlsTried };
  const signature = req.headers['x-twilio-signature'];
  if (!signature) return { ok: false, reason: 'missing_signature', urlsTried };
  if (isJsonBodySigned(req)) {
    let valid: boolean;
    try {
      valid = twilio.validateRequestWithBody(authToken, signature, req.publicUrl, req.rawBody.toString('utf8'));
    } catch {
      valid = false;
    }
    return valid ? { ok: true, params: {} } : { ok: false, reason: 'bad_signature', urlsTried };
  }
  const params = twilioParams(req);
  return verifyTwilioSignature({ authToken, publicUrl: req.publicUrl, params, signature })
    ? { ok: true, params }
    : { ok: false, reason: 'bad_signature', urlsTried };
}

const REFUSALS: Record<Extract<TwilioWebhookCheck, { ok: false }>['reason'], { message: string; hint: (urls: string[]) => string }> = {
  no_auth_token: {
    message: 'TWILIO_AUTH_TOKEN is not set on this server: Twilio webhooks cannot be verified and are refused.',
    hint: () => 'TWILIO_AUTH_TOKEN is not set, so Twilio webhooks cannot be verified and are refused',
  },
  missing_signature: { message: 'The X-Twilio-Signature header is missing.', hint: () => 'no X-Twilio-Signature header' },
  bad_signature: {
    message: 'The X-Twilio-Signature header does not match this request.',
    hint: (urls) =>
      `signature does not match ${urls.join(' or ')}: PUBLIC_BASE_URL must be the URL exactly as Twilio calls it (scheme, host, port)`,
  },
};

/** Every Twilio route's `verify` (messaging, status, voice): the core answers a refusal with 403 `invalid_twilio_signature`. */
export function verifyTwilioWebhook(req: WebhookRequest, authToken: string | undefined): WebhookVerification {
  const check = checkTwilioWebhook(req, authToken);
  if (check.ok) return { ok: true };
  const refusal = REFUSALS[check.reason];
  return {
    ok: false,
    code: 'invalid_twilio_signature',
    reason: check.reason,
    message: refusal.message,
    hint: refusal.hint(check.urlsTried),
    urls_tried: check.urlsTried,
  };
}
