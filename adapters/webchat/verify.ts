// Visitor tokens: `<visitor id>.<HMAC-SHA256(secret, visitor id)>`, base64url. Pure: the caller supplies randomness.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { decodeBase64url } from '../../src/domain/base64url.js';

const VISITOR_ID = /^v_[A-Za-z0-9_-]{16,64}$/;

export function visitorIdFromRandom(random: Buffer): string {
  return `v_${random.toString('base64url')}`;
}

function mac(secret: string, visitorId: string): Buffer {
  return createHmac('sha256', secret).update(`freeda-webchat-visitor:${visitorId}`).digest();
}

export function signVisitorToken(secret: string, visitorId: string): string {
  return `${visitorId}.${mac(secret, visitorId).toString('base64url')}`;
}

export type TokenCheck = { ok: true; visitorId: string } | { ok: false; reason: 'malformed' | 'bad_signature' };

export function verifyVisitorToken(secret: string, token: string): TokenCheck {
  const dot = token.lastIndexOf('.');
  if (dot <= 0) return { ok: false, reason: 'malformed' };
  const visitorId = token.slice(0, dot);
  // Strict: one spelling per token (no extra characters, padding or non-canonical trailing bits).
  const presented = decodeBase64url(token.slice(dot + 1));
  if (!VISITOR_ID.test(visitorId) || !presented || presented.length !== 32) return { ok: false, reason: 'malformed' };
  return timingSafeEqual(presented, mac(secret, visitorId)) ? { ok: true, visitorId } : { ok: false, reason: 'bad_signature' };
}
