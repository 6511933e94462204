// One error family thrown by services; the error handler turns each into a page or a JSON error.

export interface FieldProblem {
  path: string;
  message: string;
}

export abstract class AppError extends Error {
  abstract readonly status: number;
  abstract readonly code: string;
}

export class BadRequest extends AppError {
  readonly status = 400;
  readonly code = 'bad_request';
}

export class Unauthorized extends AppError {
  readonly status = 401;
  readonly code = 'unauthorized';
  constructor(message = 'Sign in to continue.') {
    super(message);
  }
}

export class Forbidden extends AppError {
  readonly status = 403;
  readonly code = 'forbidden';
  constructor(message = 'Your role may not do this.') {
    super(message);
  }
}

export class NotFound extends AppError {
  readonly status = 404;
  readonly code = 'not_found';
  constructor(message = 'Not found.') {
    super(message);
  }
}

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

/** The disk is full: nothing of the request was saved, and the client may try again once space is freed. */
export class InsufficientStorage extends AppError {
  readonly status = 507;
  readonly code = 'disk_full';
  constructor(message = 'The server is out of disk space; nothing was saved.') {
    super(message);
  }
}
