import type { NextFunction, Request, Response } from 'express';
import { csrfSync } from 'csrf-sync';

// CSRF defence per OWASP's cheat sheet: a synchroniser token on every unsafe session request, checked together
// with where the request came from (Sec-Fetch-Site, else Origin or Referer). The token never travels in a URL:
// it would show in the address bar, browser history and server logs.

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
/** The token field must be complete within this many bytes of a multipart body. */
const FIRST_FIELD_LIMIT = 8 * 1024;
const MORE = Symbol('more');

/**
 * A bearer token is not sent automatically by a browser, so it needs no CSRF token; nor does an API call
 * with no session behind it (POST /api/v1/tokens from a script), as it carries no ambient credentials.
 */
function exempt(req: Request): boolean {
  return req.authVia === 'token' || (req.originalUrl.startsWith('/api/') && !req.user);
}

export const csrf = csrfSync({
  getTokenFromRequest: (req) => {
    const header = req.get('x-csrf-token');
    if (header) return header;
    if (req.is('multipart/form-data')) return req.csrfFieldToken;
    const body = req.body as Record<string, unknown> | undefined;
    return typeof body?._csrf === 'string' ? body._csrf : undefined;
  },
  skipCsrfProtection: exempt,
});

/** True when the browser says (or the Origin/Referer shows) that another site sent this request. */
export function fromAnotherSite(req: Request): boolean {
  const site = req.get('sec-fetch-site');
  // Computed by the browser, so it holds behind a proxy that rewrites Host.
  if (site) return site !== 'same-origin' && site !== 'none';
  const source = req.get('origin') ?? req.get('referer');
  if (source === undefined) return false;
  try {
    return new URL(source).host !== req.host;
  } catch {
    return true;
  }
}

function boundaryOf(req: Request): string | undefined {
  const match = /;\s*boundary=(?:"([^"]{1,70})"|([^\s;]{1,70}))/i.exec(req.get('content-type') ?? '');
  return match?.[1] ?? match?.[2];
}

/** The value of the first part when it is a `_csrf` field; null when it is anything else; MORE when unsure. */
function firstFieldToken(buffer: Buffer, boundary: string): string | null | typeof MORE {
  const delimiter = `--${boundary}\r\n`;
  if (buffer.length < delimiter.length) return MORE;
  if (!buffer.subarray(0, delimiter.length).equals(Buffer.from(delimiter))) return null;
  const headersEnd = buffer.indexOf('\r\n\r\n', delimiter.length);
  if (headersEnd < 0) return MORE;
  const headers = buffer.toString('latin1', delimiter.length, headersEnd);
  const disposition = /^content-disposition:\s*form-data\s*;(.*)$/im.exec(headers)?.[1] ?? '';
  if (!/(^|;)\s*name="_csrf"\s*(;|$)/.test(disposition) || /filename/i.test(disposition)) return null;
  const valueEnd = buffer.indexOf(`\r\n--${boundary}`, headersEnd + 4);
  if (valueEnd < 0) return MORE;
  return buffer.toString('utf8', headersEnd + 4, valueEnd);
}

/**
 * Reads a multipart body only as far as its first part and puts those bytes back for the upload parser.
 * The form's first field must be `_csrf`, so a forged upload is refused before any byte of a file is written.
 */
function readFirstField(req: Request): Promise<string | undefined> {
  const boundary = boundaryOf(req);
  if (!boundary) return Promise.resolve(undefined);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const settle = (token: string | undefined, putBack: boolean) => {
      req.pause();
      req.off('data', onData).off('end', onEnd).off('close', onEnd).off('error', onError);
      if (putBack) req.unshift(Buffer.concat(chunks));
      resolve(token);
    };
    function onData(chunk: Buffer) {
      chunks.push(chunk);
      const buffered = Buffer.concat(chunks);
      const token = firstFieldToken(buffered, boundary ?? '');
      if (token !== MORE) settle(token ?? undefined, true);
      else if (buffered.length > FIRST_FIELD_LIMIT) settle(undefined, true);
    }
    const onEnd = () => settle(undefined, false);
    const onError = (err: Error) => {
      req.off('data', onData).off('end', onEnd).off('close', onEnd);
      reject(err);
    };
    // 'close' without 'end': the client went away mid-field; answer (to no one) rather than wait forever.
    req.on('data', onData).on('end', onEnd).on('close', onEnd).on('error', onError);
  });
}

/** Refuses an unsafe session request sent from another site or without the session's token. */
export function csrfProtection(req: Request, res: Response, next: NextFunction): void {
  if (SAFE_METHODS.has(req.method) || exempt(req)) return next();
  if (fromAnotherSite(req)) return next(csrf.invalidCsrfTokenError);
  if (req.is('multipart/form-data') && !req.get('x-csrf-token')) {
    readFirstField(req).then((token) => {
      req.csrfFieldToken = token;
      csrf.csrfSynchronisedProtection(req, res, next);
    }, next);
    return;
  }
  csrf.csrfSynchronisedProtection(req, res, next);
}
