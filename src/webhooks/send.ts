import crypto from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import { resolveTarget, TargetRefused } from './ssrf';

// One signed POST of a webhook message, as the Standard Webhooks convention has it.

export const SEND_TIMEOUT_MS = 10_000;

export function newSecret(): string {
  return `whsec_${crypto.randomBytes(24).toString('base64')}`;
}

export function newMessageId(): string {
  return `msg_${crypto.randomBytes(16).toString('base64url')}`;
}

/** v1,<base64 HMAC-SHA256 of "id.timestamp.body" keyed by the secret's base64-decoded bytes>. */
export function signature(secret: string, messageId: string, timestamp: number, body: string): string {
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  const mac = crypto.createHmac('sha256', key).update(`${messageId}.${timestamp}.${body}`).digest('base64');
  return `v1,${mac}`;
}

export interface SendOutcome {
  /** The HTTP status, or null when there was no answer (refused target, network error, timeout). */
  status: number | null;
  error: string | null;
}

export interface Message {
  url: string;
  secret: string;
  messageId: string;
  body: string;
  timestamp: number;
}

/** Sends one attempt; never throws. The connection goes to the address checked, not to a second lookup. */
export async function sendMessage(
  message: Message,
  allowPrivate: boolean,
  timeoutMs = SEND_TIMEOUT_MS,
): Promise<SendOutcome> {
  let url: URL;
  try {
    url = new URL(message.url);
  } catch {
    return { status: null, error: 'The URL is not valid.' };
  }
  let pinned;
  try {
    pinned = await resolveTarget(url.hostname, allowPrivate);
  } catch (err) {
    if (err instanceof TargetRefused) return { status: null, error: err.message };
    throw err;
  }
  const lookup: LookupFunction = (_host, options, callback) => {
    if (options.all) callback(null, [{ address: pinned.address, family: pinned.family }]);
    else callback(null, pinned.address, pinned.family);
  };
  const headers = {
    'content-type': 'application/json',
    'user-agent': 'Callscore-Webhooks/1',
    'webhook-id': message.messageId,
    'webhook-timestamp': String(message.timestamp),
    'webhook-signature': signature(message.secret, message.messageId, message.timestamp, message.body),
  };
  const client = url.protocol === 'https:' ? https : http;
  return new Promise<SendOutcome>((resolve) => {
    const request = client.request(
      url,
      { method: 'POST', headers, lookup, signal: AbortSignal.timeout(timeoutMs) },
      (response) => {
        // The answer's body is not kept: only whether it came and its status.
        response.resume();
        response.on('end', () => resolve({ status: response.statusCode ?? null, error: null }));
        response.on('error', () => resolve({ status: response.statusCode ?? null, error: null }));
      },
    );
    request.on('error', (err) => {
      const timedOut = err.name === 'AbortError' || err.name === 'TimeoutError';
      resolve({
        status: null,
        error: timedOut ? `No answer within ${timeoutMs / 1000} s.` : `Could not connect: ${err.message}`,
      });
    });
    request.end(message.body);
  });
}
