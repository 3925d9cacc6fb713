// Typed errors. The HTTP layer maps them to status + {error:{code,message}} in one place (src/http/errors.ts).

export type ErrorCode = string;

export class AppError extends Error {
  constructor(
    readonly status: number,
    readonly code: ErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class ValidationError extends AppError {
  constructor(code: ErrorCode, message: string, details?: Record<string, unknown>) {
    super(400, code, message, details);
  }
}
export class UnauthorizedError extends AppError {
  constructor(message = 'A valid API token is required (Authorization: Bearer <token>).') {
    super(401, 'unauthorized', message);
  }
}
/** 403: authenticated, but this role may not do that. */
export class ForbiddenError extends AppError {
  constructor(message = 'Your role does not allow this action.') {
    super(403, 'forbidden', message);
  }
}
/** 429: the client should wait; the HTTP layer sends `Retry-After: retryAfterSeconds`. */
export class TooManyRequestsError extends AppError {
  constructor(
    code: ErrorCode,
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super(429, code, message);
  }
}
export class NotFoundError extends AppError {
  constructor(code: ErrorCode, message: string) {
    super(404, code, message);
  }
}
export class ConflictError extends AppError {
  constructor(code: ErrorCode, message: string) {
    super(409, code, message);
  }
}
/** 503: the client should retry; the HTTP layer sends `Retry-After: retryAfterSeconds`. */
export class UnavailableError extends AppError {
  constructor(
    code: ErrorCode,
    message: string,
    readonly retryAfterSeconds = 1,
  ) {
    super(503, code, message);
  }
}

/** Raised by a store when an optimistic write lost a race too many times, or a conditional write failed. */
export class StoreConflictError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StoreConflictError';
  }
}
