// One concise line per request at info (the request id comes from pino-http's child logger): method, path (query secrets redacted), status, time, user id, request id.
// Headers (cookie, authorization and CSRF values redacted) only when the logger runs at debug.
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RequestHandler } from 'express';
import type { Logger } from 'pino';
import { pinoHttp } from 'pino-http';

const SECRET_HEADERS = new Set(['cookie', 'authorization', 'x-csrf-token', 'proxy-authorization', 'set-cookie']);
const SECRET_QUERY = /([?&](?:_csrf|token|access_token|password|secret|key|code|signature)=)[^&#]*/gi;
const REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/;

/** The URL with the value of every secret-looking query parameter replaced. */
export function loggedPath(url: string): string {
  return url.replace(SECRET_QUERY, '$1[Redacted]');
}

/** Headers with secrets replaced, for debug logs. */
export function loggedHeaders(headers: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(headers)) out[name] = SECRET_HEADERS.has(name) ? '[Redacted]' : value;
  return out;
}

/** A proxy's X-Request-Id when it looks like one, else a fresh one; echoed back to the client. */
function requestId(req: IncomingMessage, res: ServerResponse): string {
  const given = req.headers['x-request-id'];
  const id = typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
  res.setHeader('X-Request-Id', id);
  return id;
}

interface LoggedRequest extends IncomingMessage {
  originalUrl?: string;
  user?: { id?: number };
}

function requestLine(logger: Logger, req: LoggedRequest, res: ServerResponse, ms: number): Record<string, unknown> {
  const line: Record<string, unknown> = {
    method: req.method,
    path: loggedPath(req.originalUrl ?? req.url ?? ''),
    status: res.statusCode,
    ms,
    userId: req.user?.id ?? null,
  };
  if (logger.isLevelEnabled('debug')) {
    line.reqHeaders = loggedHeaders(req.headers);
    line.resHeaders = loggedHeaders(res.getHeaders());
  }
  return line;
}

export function requestLogger(logger: Logger): RequestHandler {
  return pinoHttp({
    logger,
    genReqId: requestId,
    quietReqLogger: true,
    quietResLogger: true,
    autoLogging: { ignore: (req) => (req.url ?? '').startsWith('/static/') },
    customLogLevel: (_req, res, err) => (err || res.statusCode >= 500 ? 'error' : 'info'),
    // The line is built here from scratch, so no serializer ever sees the raw request or response.
    customSuccessObject: (req, res, value: { responseTime?: number }) =>
      requestLine(logger, req as LoggedRequest, res, value.responseTime ?? 0),
    customErrorObject: (req, res, _err, value: { responseTime?: number }) =>
      requestLine(logger, req as LoggedRequest, res, value.responseTime ?? 0),
    customSuccessMessage: (req, res) => `${req.method ?? ''} ${res.statusCode}`,
    customErrorMessage: (req, res) => `${req.method ?? ''} ${res.statusCode}`,
  }) as unknown as RequestHandler;
}
