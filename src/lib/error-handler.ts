import type { NextFunction, Request, Response } from 'express';
import type { Logger } from 'pino';
import { redactUrl } from './redact';
import { AppError, ServiceUnavailable, TooManyRequests, Validation } from './errors';
import { faultError, isDiskFull } from './faults';
import { isApiRequest } from './http';

interface HttpishError {
  status?: number;
  statusCode?: number;
  type?: string;
  code?: string;
  expose?: boolean;
  message?: string;
}

interface ErrorView {
  status: number;
  code: string;
  message: string;
  details?: Array<{ path: string; message: string }>;
}

// Errors raised by body parsers, csrf-sync, multer and the like, mapped to a message a person understands.
function describeForeign(err: HttpishError): ErrorView | null {
  if (err.type === 'entity.too.large') return { status: 413, code: 'too_large', message: 'The request is too large.' };
  if (err.type === 'entity.parse.failed')
    return { status: 400, code: 'malformed', message: 'The request body is not valid JSON.' };
  if (err.code === 'EBADCSRFTOKEN') {
    return {
      status: 403,
      code: 'csrf_invalid',
      message: 'The form expired or was sent from elsewhere. Reload the page and try again.',
    };
  }
  const status = err.status ?? err.statusCode;
  if (status === 415)
    return {
      status,
      code: 'unsupported_media_type',
      message: err.expose && err.message ? err.message : 'Unsupported media type.',
    };
  if (status && status >= 400 && status < 500) {
    return {
      status,
      code: 'bad_request',
      message: err.expose && err.message ? err.message : 'The request could not be understood.',
    };
  }
  return null;
}

function describe(err: unknown): ErrorView | null {
  if (err instanceof Validation)
    return { status: err.status, code: err.code, message: err.message, details: err.details };
  if (err instanceof AppError) return { status: err.status, code: err.code, message: err.message };
  if (err && typeof err === 'object') return describeForeign(err as HttpishError);
  return null;
}

export function notFoundHandler(_req: Request, _res: Response, next: NextFunction): void {
  next(Object.assign(new Error('Not found.'), { status: 404, expose: true }));
}

/** The one error handler: JSON for the API, a page for people, never a stack trace outside development. */
export function errorHandler(logger: Logger, showStack: boolean) {
  return (thrown: unknown, req: Request, res: Response, _next: NextFunction): void => {
    // A machine fault is logged once, with its real cause, and answered as what it is (507, 503).
    const fault = faultError(thrown);
    if (fault)
      logger.error(
        { err: thrown, url: redactUrl(req.originalUrl) },
        isDiskFull(thrown)
          ? 'out of disk space'
          : `database ${fault.code === 'database_unavailable' ? 'unreachable' : 'busy'}`,
      );
    if (thrown instanceof ServiceUnavailable && thrown.code === 'storage_unavailable')
      logger.warn({ err: thrown.cause, url: redactUrl(req.originalUrl) }, 'object storage unreachable');
    const err = fault ?? thrown;
    const known = describe(err);
    const view: ErrorView = known ?? {
      status: 500,
      code: 'internal',
      message: 'Something went wrong on our side. It has been logged.',
    };
    if (!known) logger.error({ err, url: redactUrl(req.originalUrl) }, 'unhandled error');
    if (view.status === 404 && view.code === 'bad_request') view.code = 'not_found';
    if (err instanceof TooManyRequests || err instanceof ServiceUnavailable)
      res.setHeader('Retry-After', String(err.retryAfterSeconds));
    if (res.headersSent) {
      res.destroy();
      return;
    }
    res.status(view.status);
    if (isApiRequest(req) || !req.accepts('html')) {
      res.json({
        error: { code: view.code, message: view.message, ...(view.details ? { details: view.details } : {}) },
      });
      return;
    }
    const stack = showStack && !known && err instanceof Error ? err.stack : undefined;
    // Errors raised before the page locals were set (CSRF, bad query, body parsing) still get a full page.
    res.locals.user ??= null;
    res.locals.nav ??= [];
    res.locals.flash ??= [];
    res.locals.currentPath ??= req.path;
    res.locals.csrfToken ??= () => '';
    res.locals.csrfField ??= () => '';
    const title = view.status === 404 ? 'Not found' : 'Error';
    res.render('errors/error', { title, error: view, stack }, (renderErr, html) => {
      if (renderErr) {
        logger.error({ err: renderErr }, 'error page failed to render');
        res.type('text/plain').send(view.message);
        return;
      }
      res.send(html);
    });
  };
}
