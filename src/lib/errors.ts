// One error family thrown by services; the error handler turns each into a page or a JSON error.

export interface FieldProblem {
  path: string;
  message: string;
}

export abstract class AppError extends Error {
  abstract readonly status: number;
  abstract readonly code: string;
}

/**
 * An error of one kind: a fixed status and code, and the message it carries when the thrower gives none. The plain
 * kinds below are declared with it, one line each; kinds with more to say (a code of their own, details, a wait)
 * are written out.
 */
export function errorKind(status: number, code: string, fallback?: string) {
  return class extends AppError {
    readonly status = status;
    readonly code = code;
    constructor(message = fallback) {
      super(message);
    }
  };
}

export class BadRequest extends errorKind(400, 'bad_request') {}
export class Unauthorized extends errorKind(401, 'unauthorized', 'Sign in to continue.') {}
export class Forbidden extends errorKind(403, 'forbidden', 'Your role may not do this.') {}
export class NotFound extends errorKind(404, 'not_found', 'Not found.') {}
/** The disk is full: nothing of the request was saved, and the client may try again once space is freed. */
export class InsufficientStorage extends errorKind(
  507,
  'disk_full',
  'The server is out of disk space; nothing was saved.',
) {}

export class Conflict extends AppError {
  readonly status = 409;
  readonly code: string;
  constructor(message: string, code = 'conflict') {
    super(message);
    this.code = code;
  }
}

export class Validation extends AppError {
  readonly status = 422;
  readonly code = 'validation_failed';
  constructor(
    readonly details: FieldProblem[],
    message = 'Some fields need attention.',
  ) {
    super(message);
  }

  /** Problems keyed by field name, for showing a message beside each form field. */
  byField(): Record<string, string> {
    const fields: Record<string, string> = {};
    for (const problem of this.details) fields[problem.path] ??= problem.message;
    return fields;
  }
}

export class TooManyRequests extends AppError {
  readonly status = 429;
  readonly code = 'rate_limited';
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super(message);
  }
}

/** The server can't take this now (a lock held elsewhere, a dependency down); the client may retry later. */
export class ServiceUnavailable extends AppError {
  readonly status = 503;
  readonly code: string = 'unavailable';
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super(message);
  }
}
