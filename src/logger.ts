// pino, JSON lines, secrets redacted. Message bodies are logged only at debug level by the callers.
import { pino, type DestinationStream, type Logger } from 'pino';

export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-twilio-signature"]',
  'headers.authorization',
  '*.authToken',
  '*.auth_token',
  '*.apiKey',
  '*.api_key',
  '*.password',
  '*.secret',
  '*.token',
  'token',
  // Message bodies inside raw provider payloads (unsupported webhooks) are not logged.
  'raw.Body',
  'raw.text',
  'raw.html',
  'raw.email',
];

/** Query-string secrets (SendGrid `?token=`, WS `?token=`) never reach the log. */
export function redactUrl(url: string): string {
  return url.replace(/([?&](?:token|secret|api_key|key)=)[^&#]*/gi, '$1[Redacted]');
}

export function createLogger(options: { level: string; destination?: DestinationStream }): Logger {
  return pino(
    {
      level: options.level,
      base: { service: 'freeda' },
      redact: { paths: REDACT_PATHS, censor: '[Redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    options.destination,
  );
}
