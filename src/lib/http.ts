import type { NextFunction, Request, Response } from 'express';
import { AppError, BadRequest, Validation } from './errors';

export function isApiRequest(req: Request): boolean {
  return req.path.startsWith('/api/') || req.originalUrl.startsWith('/api/');
}

export function clientIp(req: Request): string {
  return req.ip ?? req.socket.remoteAddress ?? 'unknown';
}

export function flash(req: Request, kind: 'success' | 'error' | 'info', message: string): void {
  if (!req.session) return;
  req.session.flash = [...(req.session.flash ?? []), { kind, message }];
}

/** The end of a post that worked (post/redirect/get): a success message for the next page, and a 303 to it. */
export function successRedirect(req: Request, res: Response, message: string, to: string): void {
  flash(req, 'success', message);
  res.redirect(303, to);
}

/** Picks only the named fields from a form body, so a whole req.body never reaches a template. */
export function pickFields(body: unknown, names: readonly string[]): Record<string, unknown> {
  const source = (body && typeof body === 'object' ? body : {}) as Record<string, unknown>;
  const picked: Record<string, unknown> = {};
  for (const name of names) if (name in source) picked[name] = source[name];
  return picked;
}

/** A route handler written as a plain function of the app's dependencies and the request. */
export type DepsHandler<D> = (deps: D, req: Request, res: Response, next: NextFunction) => Promise<void> | void;

/**
 * Renders a feature's page, at `status` with `extra` locals when it is shown again: a refused form's values and
 * messages (422), or what one request alone may see (a new token, an enrolment's secret).
 */
export type PageRender<D> = (
  deps: D,
  req: Request,
  res: Response,
  status?: number,
  extra?: Record<string, unknown>,
) => Promise<void>;

/** Binds handlers to the app's dependencies, so a router reads as a table of `router.get(path, guard, handler)`. */
export function withDeps<D>(deps: D) {
  return (handler: DepsHandler<D>) => (req: Request, res: Response, next: NextFunction) =>
    handler(deps, req, res, next);
}

/** Runs a step that may be refused for its record's state (409): the refusal is flashed instead of failing. */
export async function refusalFlashed(req: Request, step: () => Promise<void>): Promise<void> {
  try {
    await step();
  } catch (err) {
    if (!(err instanceof AppError && err.status === 409)) throw err;
    flash(req, 'error', err.message);
  }
}

/**
 * A button's post (close, release, acknowledge): runs `step` and flashes `done`, or flashes its refusal (409)
 * instead; either way the browser goes back to `to` (303).
 */
export async function actionFlashed(
  req: Request,
  res: Response,
  to: string,
  done: string,
  step: () => Promise<unknown>,
): Promise<void> {
  await refusalFlashed(req, async () => {
    await step();
    flash(req, 'success', done);
  });
  res.redirect(303, to);
}

/**
 * A page script's JSON question refused as the API refuses input (422, `validation_failed`), with the first
 * problem as the message (`fallback` when there is none), for a script that shows one line.
 */
export function refusedAsJson(res: Response, err: Validation, fallback: string): void {
  const details = err.details;
  res.status(422).json({ error: { code: 'validation_failed', message: details[0]?.message ?? fallback, details } });
}

/** Whether a parsed query or body holds the NUL character in any string, key or value, at any depth. */
function holdsNul(value: unknown, depth = 0): boolean {
  if (typeof value === 'string') return value.includes('\u0000');
  if (depth > 32 || value === null || typeof value !== 'object') return false;
  if (Array.isArray(value)) return value.some((v) => holdsNul(v, depth + 1));
  return Object.entries(value).some(([k, v]) => k.includes('\u0000') || holdsNul(v, depth + 1));
}

/**
 * Text with the NUL character (U+0000) is refused with 400 before any route reads it: PostgreSQL cannot store
 * it in text (it would fail the query: a 500), SQLite would store a string that ends early in C tools, and no
 * form or API field of the app has a use for it. Both engines then answer alike.
 */
export function refuseNulCharacters(req: Request, _res: Response, next: NextFunction): void {
  if (holdsNul(req.query) || holdsNul(req.body)) {
    next(new BadRequest('Text may not contain the NUL character (\\0).'));
    return;
  }
  next();
}
