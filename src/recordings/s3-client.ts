import type * as S3Sdk from '@aws-sdk/client-s3';
import type { S3Client } from '@aws-sdk/client-s3';
import type * as LibStorage from '@aws-sdk/lib-storage';
import type { ObjectStorageConfig } from '../config';
import { ServiceUnavailable } from '../lib/errors';

/** Seconds a client is asked to wait before trying again while the storage is away. */
export const STORAGE_RETRY_AFTER_S = 30;

/** The recordings' object storage cannot be reached (down, refusing, timing out or answering 5xx). */
export class StorageUnavailable extends ServiceUnavailable {
  override readonly code = 'storage_unavailable';
  constructor(
    message = 'The recording storage cannot be reached; nothing was saved. Try again in a minute.',
    cause?: unknown,
  ) {
    super(message, STORAGE_RETRY_AFTER_S);
    // The socket or server error, for the log line (src/lib/error-handler.ts); never shown to the client.
    this.cause = cause;
  }
}

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EPIPE',
  'ECONNABORTED',
]);

const NETWORK_MESSAGE =
  /\b(ECONNREFUSED|ECONNRESET|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH|ENOTFOUND|EAI_AGAIN)\b|socket hang up/;

/** Whether an S3 call failed because the storage is away, rather than because of the request. */
export function isUnreachable(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const e = err as {
    code?: unknown;
    name?: unknown;
    message?: unknown;
    $metadata?: { httpStatusCode?: number };
    cause?: unknown;
  };
  if (typeof e.code === 'string' && NETWORK_CODES.has(e.code)) return true;
  if (e.name === 'TimeoutError' || e.name === 'RequestTimeout' || e.name === 'AbortError') return true;
  // The SDK's retry layer may wrap a socket error in a plain Error that keeps only its text.
  if (typeof e.message === 'string' && NETWORK_MESSAGE.test(e.message)) return true;
  const status = e.$metadata?.httpStatusCode;
  if (typeof status === 'number' && status >= 500) return true;
  if (Array.isArray((err as { errors?: unknown }).errors)) return (err as AggregateError).errors.some(isUnreachable);
  return e.cause !== undefined && e.cause !== err && isUnreachable(e.cause);
}

/** Whether an S3 call failed because the object is not there. */
export function isNotFound(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const e = err as { name?: unknown; $metadata?: { httpStatusCode?: number } };
  return e.name === 'NoSuchKey' || e.name === 'NotFound' || e.$metadata?.httpStatusCode === 404;
}

/** An unreachable storage becomes a 503 with Retry-After; anything else stays what it is. */
export function storageError(err: unknown, message?: string): unknown {
  return isUnreachable(err) ? new StorageUnavailable(message, err) : err;
}

/**
 * The S3 client: the endpoint and path style for S3-compatible servers, the keys from S3_ACCESS_KEY_ID /
 * S3_SECRET_ACCESS_KEY or else the AWS SDK's own chain. Checksums are sent only where we ask for them (SHA-256
 * on every object written, S3_CHECKSUM), so servers that do not know the SDK's default CRC trailers still work.
 */
export async function s3Client(settings: ObjectStorageConfig): Promise<S3Client> {
  const { s3 } = await loadAwsSdk();
  return new s3.S3Client({
    region: settings.region,
    ...(settings.endpoint ? { endpoint: settings.endpoint } : {}),
    forcePathStyle: settings.forcePathStyle,
    ...(settings.credentials ? { credentials: settings.credentials } : {}),
    maxAttempts: 2,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    requestHandler: { connectionTimeout: 3_000, requestTimeout: 30_000 },
  });
}

/** The AWS SDK's modules, loaded on first use: only an installation with RECORDINGS_URL=s3://… pays for them. */
export interface AwsSdk {
  s3: typeof S3Sdk;
  storage: typeof LibStorage;
}

let loading: Promise<AwsSdk> | undefined;

/**
 * Loads `@aws-sdk/client-s3` and `@aws-sdk/lib-storage` on first call (later calls get the same modules). A lazy
 * `require` rather than `import()`: the app is CommonJS, and `import()` inside jest needs
 * --experimental-vm-modules, which the multi-process suite (npm run test:procs) runs without.
 */
export function loadAwsSdk(): Promise<AwsSdk> {
  loading ??= Promise.resolve().then(() => ({
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    s3: require('@aws-sdk/client-s3') as typeof S3Sdk,
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    storage: require('@aws-sdk/lib-storage') as typeof LibStorage,
  }));
  return loading;
}
