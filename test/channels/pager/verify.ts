// `X-Pager-Signature: sha256=<hex HMAC-SHA256(secret, raw body)>`. Pure, constant-time.
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { WebhookRequest, WebhookVerification } from '../../../src/domain/channel.js';
import { SIGNATURE_HEADER } from './types.js';

export function signPagerBody(secret: string, body: Buffer | string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

export function verifyPagerWebhook(req: WebhookRequest, secret: string | undefined): WebhookVerification {
  const refuse = (reason: string, message: string, hint: string): WebhookVerification => ({
    ok: false,
    code: 'invalid_signature',
    reason,
    message,
    hint,
  });
  if (!secret) return refuse('no_secret', 'Pager webhooks cannot be verified on this server.', 'PAGER_SIGNING_SECRET is not set');
  const presented = Buffer.from(req.headers[SIGNATURE_HEADER] ?? '');
  const expected = Buffer.from(signPagerBody(secret, req.rawBody));
  if (presented.length !== expected.length || !timingSafeEqual(presented, expected)) {
    return refuse('bad_signature', 'The X-Pager-Signature header does not match this request.', 'signature does not match the body');
  }
  return { ok: true };
}
