// Opaque pagination cursors (base64url JSON), validated on the way in.
import { decodeBase64url } from '../domain/base64url.js';
import { ValidationError } from '../errors.js';

export function encodeCursor(value: unknown): string {
  return Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');
}

export function decodeCursor<T>(cursor: string, isValid: (value: unknown) => value is T): T {
  try {
    const bytes = decodeBase64url(cursor);
    const value: unknown = bytes ? JSON.parse(bytes.toString('utf8')) : null;
    if (isValid(value)) return value;
  } catch {
    // fall through
  }
  throw new ValidationError('invalid_cursor', 'The cursor parameter is not one this server returned.');
}
