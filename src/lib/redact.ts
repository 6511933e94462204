// What request logs must never hold: session cookies, bearer tokens, CSRF tokens (a token in an old bookmark's
// query string, say). Used by the error handler; src/lib/request-log.ts redacts more for the request line.

/** The URL with the value of any `_csrf` query parameter replaced. */
export function redactUrl(url: string): string {
  return url.replace(/([?&]_csrf=)[^&#]*/gi, '$1[Redacted]');
}
