import fs from 'node:fs';
import http from 'node:http';
import { once } from 'node:events';

/** One keep-alive connection, like a browser tab or a BI script: sequential latency without connect cost. */
export const keepAlive = new http.Agent({ keepAlive: true, maxSockets: 1 });

export interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  /** From sending the request to the last byte of the body. */
  ms: number;
}

export interface RequestOptions {
  method?: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  agent?: http.Agent;
  /** Keep the body (default true); false only counts bytes. */
  keepBody?: boolean;
  timeoutMs?: number;
}

export function request(baseUrl: string, path: string, options: RequestOptions = {}): Promise<Reply> {
  const url = new URL(path, baseUrl);
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const headers: Record<string, string> = { ...options.headers };
    if (options.body !== undefined) headers['content-length'] = String(Buffer.byteLength(options.body));
    const req = http.request(
      {
        host: url.hostname,
        port: url.port,
        path: url.pathname + url.search,
        method: options.method ?? 'GET',
        headers,
        agent: options.agent ?? keepAlive,
        timeout: options.timeoutMs ?? 120_000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        let bytes = 0;
        res.on('data', (chunk: Buffer) => {
          bytes += chunk.length;
          if (options.keepBody !== false) chunks.push(chunk);
        });
        res.on('end', () => {
          const ms = performance.now() - started;
          const body = options.keepBody === false ? Buffer.alloc(0) : Buffer.concat(chunks, bytes);
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body, ms });
        });
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`timeout: ${options.method ?? 'GET'} ${path}`)));
    req.on('error', reject);
    req.end(options.body);
  });
}

/** A personal access token through POST /api/v1/tokens, as a script would get one. */
export async function createToken(baseUrl: string, username: string, password: string): Promise<string> {
  const res = await request(baseUrl, '/api/v1/tokens', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password, name: `bench ${new Date().toISOString()}` }),
  });
  if (res.status !== 201) throw new Error(`token for ${username}: ${res.status} ${res.body.toString('utf8')}`);
  return (JSON.parse(res.body.toString('utf8')) as { token: string }).token;
}

function cookiesFrom(headers: http.IncomingHttpHeaders): string[] {
  const set = headers['set-cookie'] ?? [];
  return set.map((c) => c.split(';')[0]);
}

/** Signs in through the real login form (CSRF token, session cookie) and returns the Cookie header. */
export async function signIn(baseUrl: string, username: string, password: string): Promise<string> {
  const agent = new http.Agent({ keepAlive: false });
  const form = await request(baseUrl, '/login', { agent });
  const csrf = /name="_csrf" value="([^"]+)"/.exec(form.body.toString('utf8'))?.[1];
  const preCookie = cookiesFrom(form.headers).join('; ');
  if (!csrf || !preCookie) throw new Error(`no CSRF token or session cookie on /login (status ${form.status})`);
  const body = new URLSearchParams({ _csrf: csrf, username, password, next: '/' }).toString();
  const res = await request(baseUrl, '/login', {
    method: 'POST',
    agent,
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: preCookie },
    body,
  });
  const cookie = cookiesFrom(res.headers).find((c) => c.startsWith('callscore.sid='));
  if (res.status !== 303 || !cookie) throw new Error(`sign-in as ${username} failed: ${res.status}`);
  return cookie;
}

export interface MultipartUploadResult {
  status: number;
  body: string;
  /** Until the last byte of the request body was handed to the socket. */
  bodySentMs: number;
  /** Until the last byte of the response. */
  totalMs: number;
  bytes: number;
}

/**
 * POSTs fields and one file as multipart/form-data, streaming the file from disk in 1 MiB chunks with
 * back-pressure (constant client memory), and times the body transfer and the whole exchange.
 */
export async function uploadMultipart(
  baseUrl: string,
  path: string,
  headers: Record<string, string>,
  fields: Record<string, string>,
  file: { field: string; path: string; filename: string; contentType: string },
): Promise<MultipartUploadResult> {
  const boundary = `----callscore-bench-${Date.now().toString(16)}`;
  const parts = Object.entries(fields).map(
    ([name, value]) => `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`,
  );
  const head = Buffer.from(
    `${parts.join('')}--${boundary}\r\nContent-Disposition: form-data; name="${file.field}"; filename="${file.filename}"\r\n` +
      `Content-Type: ${file.contentType}\r\n\r\n`,
  );
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  const size = fs.statSync(file.path).size;
  const url = new URL(path, baseUrl);
  const started = performance.now();
  let bodySentMs = 0;
  const req = http.request({
    host: url.hostname,
    port: url.port,
    path: url.pathname,
    method: 'POST',
    agent: new http.Agent({ keepAlive: false }),
    headers: {
      ...headers,
      'content-type': `multipart/form-data; boundary=${boundary}`,
      'content-length': String(head.length + size + tail.length),
    },
  });
  const response = new Promise<{ status: number; body: string; totalMs: number }>((resolve, reject) => {
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          body: Buffer.concat(chunks).toString('utf8'),
          totalMs: performance.now() - started,
        }),
      );
      res.on('error', reject);
    });
    req.on('error', reject);
  });
  const send = (async () => {
    req.write(head);
    const stream = fs.createReadStream(file.path, { highWaterMark: 1024 * 1024 });
    for await (const chunk of stream) {
      if (!req.write(chunk)) await Promise.race([once(req, 'drain'), response]);
      if (req.destroyed) break;
    }
    await new Promise<void>((resolve) => req.end(tail, () => resolve()));
    bodySentMs = performance.now() - started;
  })();
  const [result] = await Promise.all([response, send.catch(() => undefined)]);
  return { ...result, bodySentMs: bodySentMs || result.totalMs, bytes: size };
}
