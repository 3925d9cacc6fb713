// Pager webhook body → typed value. Pure.
import { z } from 'zod';
import type { PagerInbound } from './types.js';

const inboundSchema = z.object({
  id: z.string().min(1).max(128),
  from: z.string().regex(/^\+[1-9]\d{6,14}$/, 'must be an E.164 number'),
  text: z.string().max(2000),
  sent_at: z.iso.datetime().nullish(),
});

export function parsePagerInbound(rawBody: Buffer): { ok: true; value: PagerInbound } | { ok: false; reason: string } {
  let json: unknown;
  try {
    json = JSON.parse(rawBody.toString('utf8'));
  } catch {
    return { ok: false, reason: 'the body is not JSON' };
  }
  const parsed = inboundSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { ok: false, reason: `${issue.path.join('.') || 'body'}: ${issue.message}` };
  }
  return { ok: true, value: { ...parsed.data, sent_at: parsed.data.sent_at ?? null } };
}
