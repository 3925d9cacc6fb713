// The one place typed errors become HTTP responses: {"error":{"code","message"}}, never a stack trace.
import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { LoggerLike } from '../domain/channel.js';
import { AppError, TooManyRequestsError, UnavailableError } from '../errors.js';

export function errorBody(code: string, message: string, details?: Record<string, unknown>) {
  return { error: { code, message, ...(details ? { details } : {}) } };
}

/** body-parser / raw-body errors carry `type` and `status`. */
function fromParserError(error: { type?: string; status?: number; limit?: number }): AppError | null {
  switch (error.type) {
    case 'entity.parse.failed':
      return new AppError(400, 'invalid_json', 'The request body is not valid JSON.');
    case 'entity.too.large':
      return new AppError(413, 'payload_too_large', `The request body is larger than ${error.limit ?? 'the limit'} bytes.`);
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return new AppError(415, 'unsupported_encoding', 'The request body encoding or charset is not supported.');
    case 'request.aborted':
      return new AppError(400, 'request_aborted', 'The client aborted the request.');
    case 'request.size.invalid':
      return new AppError(400, 'invalid_content_length', 'The request body does not match its Content-Length.');
    default:
      return null;
  }
}

export function toAppError(error: unknown): AppError | null {
  if (error instanceof AppError) return error;
  if (error && typeof error === 'object') {
    const parsed = fromParserError(error);
    if (parsed) return parsed;
    const status = (error as { status?: number }).status;
    if (typeof status === 'number' && status >= 400 && status < 500) {
      return new AppError(status, 'bad_request', 'The request could not be understood.');
    }
  }
  return null;
}

export function errorHandler(logger: LoggerLike): ErrorRequestHandler {
  return (error, req, res, _next) => {
    const known = toAppError(error);
    if (res.headersSent) {
      logger.error({ err: (error as Error)?.message, path: req.path }, 'error after the response started');
      res.destroy();
      return;
    }
    if (known) {
      // A 503 is a refusal the client retries (disk full, store failing, draining): the store logs the cause once.
      if (known instanceof UnavailableError || known instanceof TooManyRequestsError)
        res.setHeader('Retry-After', String(Math.max(1, Math.ceil(known.retryAfterSeconds))));
      else if (known.status >= 500) logger.error({ code: known.code, path: req.path }, known.message);
      res.status(known.status).json(errorBody(known.code, known.message, known.details));
      return;
    }
    logger.error({ err: (error as Error)?.message, stack: (error as Error)?.stack, path: req.path }, 'unhandled error');
    res.status(500).json(errorBody('internal_error', 'Something went wrong on our side; the error was logged.'));
  };
}

export const notFoundHandler: RequestHandler = (req, res) => {
  res.status(404).json(errorBody('route_not_found', `No route for ${req.method} ${req.path}.`));
};
