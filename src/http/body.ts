// JSON body validation shared by the auth and admin routes: a zod schema, one 400 with the first problem.
import type { z } from 'zod';
import { ValidationError } from '../errors.js';

export function jsonBody<T>(schema: z.ZodType<T>, body: unknown, code: string): T {
  if (body === undefined || body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new ValidationError('invalid_body', 'The request body must be a JSON object (Content-Type: application/json).');
  }
  const parsed = schema.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ValidationError(code, `${issue.path.join('.') || 'body'}: ${issue.message}`, { parameter: issue.path.join('.') });
  }
  return parsed.data;
}
