// Visitor frames: size, JSON, then one zod schema per type. Pure; every failure is an error frame, never a throw.
import { z } from 'zod';
import type { ParsedVisitorFrame, VisitorFrame } from './types.js';

const ULID = /^[0-9A-HJKMNP-TV-Z]{26}$/;

const hello = z.object({
  type: z.literal('hello'),
  visitor_token: z
    .string()
    .max(256)
    .nullish()
    .transform((v) => v ?? undefined),
  /** The ticket the page last saw (a hint, checked against the token's visitor). */
  ticket_id: z
    .string()
    .regex(ULID, 'ticket_id must be a ticket id')
    .nullish()
    .transform((v) => v ?? undefined),
  name: z
    .string()
    .trim()
    .max(80, 'name must be at most 80 characters')
    .nullish()
    .transform((v) => (v ? v : undefined)),
});

const clientId = z
  .string()
  .min(1, 'client_id must not be empty')
  .max(64, 'client_id must be at most 64 characters')
  .regex(/^[A-Za-z0-9_.:-]+$/, 'client_id may contain only letters, digits, _ . : -');

const message = (maxTextChars: number) =>
  z.object({
    type: z.literal('message'),
    client_id: clientId,
    text: z
      .string()
      .refine((t) => t.trim().length > 0, 'text must not be empty')
      .refine((t) => t.length <= maxTextChars, `text must be at most ${maxTextChars} characters`),
  });

const simple = z.object({ type: z.literal('ping') });

const TYPES = ['hello', 'message', 'ping'] as const;

export function parseVisitorFrame(
  raw: string,
  limits: { maxFrameBytes: number; maxTextChars: number },
  isBinary = false,
): ParsedVisitorFrame {
  if (isBinary) return { ok: false, code: 'binary_not_supported', message: 'Send JSON text frames.' };
  if (Buffer.byteLength(raw, 'utf8') > limits.maxFrameBytes) {
    return { ok: false, code: 'frame_too_large', message: `Frames are limited to ${limits.maxFrameBytes} bytes.` };
  }
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return { ok: false, code: 'invalid_json', message: 'The frame is not valid JSON.' };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { ok: false, code: 'invalid_frame', message: 'A frame is a JSON object with a "type" field.' };
  }
  const type = (value as { type?: unknown }).type;
  if (typeof type !== 'string' || !(TYPES as readonly string[]).includes(type)) {
    return { ok: false, code: 'unsupported_type', message: `Unknown frame type; expected one of ${TYPES.join(', ')}.` };
  }
  const schema = type === 'hello' ? hello : type === 'message' ? message(limits.maxTextChars) : simple;
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue.path.join('.') || 'frame';
    const tooLong = field === 'text' && issue.message.includes('at most');
    return { ok: false, code: tooLong ? 'text_too_long' : 'invalid_frame', message: `${field}: ${issue.message}` };
  }
  return { ok: true, frame: parsed.data as VisitorFrame };
}
