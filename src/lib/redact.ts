// What request logs must never hold: session cookies, bearer tokens, CSRF tokens (a token in an old bookmark's
// query string, say). Used by the request logger and the error handler.

/** Header paths (in pino's redact syntax) of a logged request and response. */
export const REDACTED_LOG_PATHS = [
  'req.headers.cookie',
  'req.headers.authorization',
  'req.headers["x-csrf-token"]',
  'req.query._csrf',
  'res.headers["set-cookie"]',
];

/** The URL with the value of any `_csrf` query parameter replaced. */
export function redactUrl(url: string): string {
  return url.replace(/([?&]_csrf=)[^&#]*/gi, '$1[Redacted]');
}
