import path from 'node:path';
import { z } from 'zod';
import { InboxConfigError, loadInboxConfig, type InboxConfig } from './inbox';
import { loadSpeechConfig, SpeechError, type SpeechConfig } from './speech';
import { loadOidcConfig, type OidcConfig } from './sso';

const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('production'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().min(1).default('127.0.0.1'),
  DATA_DIR: z.string().min(1).default('./data'),
  DATABASE_FILE: z.string().min(1).optional(),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\/\S+$/i, 'must be a postgres:// or postgresql:// connection string')
    .optional()
    .or(z.literal('').transform(() => undefined)),
  DATABASE_POOL_MAX: z.coerce.number().int().min(1).max(200).default(10),
  // How long a request waits for a free PostgreSQL connection before it is answered 503 (pool exhausted).
  DATABASE_POOL_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(10_000),
  // How many requests may wait for a PostgreSQL connection at once; the next is answered 503 at once.
  DATABASE_POOL_QUEUE_MAX: z.coerce.number().int().min(0).max(10_000).default(100),
  RECORDINGS_DIR: z.string().min(1).optional(),
  MAX_UPLOAD_MB: z.coerce.number().int().min(1).max(10_240).default(500),
  TRUST_PROXY: z
    .string()
    .default('false')
    .transform((value, ctx) => parseTrustProxy(value, ctx)),
  SESSION_IDLE_MINUTES: z.coerce.number().int().min(1).max(1440).default(30),
  SESSION_ABSOLUTE_HOURS: z.coerce.number().int().min(1).max(168).default(8),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  CURRENCY: z
    .string()
    .regex(/^[A-Z]{3}$/, 'must be a three-letter ISO 4217 code such as USD')
    .default('USD'),
  // scrypt cost as a power of two; 17 is the OWASP recommendation. Lower only for tests.
  SCRYPT_LOG_N: z.coerce.number().int().min(10).max(20).default(17),
  // Long-lived audio analysis workers (docs/ANALYSIS.md): how many, and the memory one may use for a call.
  ANALYSIS_WORKERS: z.coerce.number().int().min(1).max(16).default(1),
  ANALYSIS_WORKER_MAX_MB: z.coerce.number().int().min(96).max(4096).default(256),
  // Encrypts second-factor secrets at rest: 32 bytes as 64 hex digits or base64. Without it a key file is made
  // under DATA_DIR (set it when several processes share one database).
  TOTP_ENCRYPTION_KEY: z
    .string()
    .optional()
    .transform((value, ctx) => parseKey(value, ctx)),
  // Webhook targets on loopback, private, link-local or metadata addresses are refused unless this is true.
  WEBHOOK_ALLOW_PRIVATE: z.enum(['true', 'false', '']).default('false'),
  // Object storage for recordings and waveforms (API.md, Running it, wave 2); local disk unless RECORDINGS_URL is set.
  RECORDINGS_URL: z
    .string()
    .regex(/^s3:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](\/[\w!.*'()/-]*)?$/, 'must be s3://bucket or s3://bucket/prefix')
    .optional()
    .or(z.literal('').transform(() => undefined)),
  S3_ENDPOINT: z.string().url('must be a URL such as https://s3.eu-west-1.amazonaws.com').optional().or(z.literal('')),
  S3_REGION: z.string().default('us-east-1'),
  S3_ACCESS_KEY_ID: z.string().optional(),
  S3_SECRET_ACCESS_KEY: z.string().optional(),
  S3_FORCE_PATH_STYLE: z.enum(['true', 'false', '']).default('false'),
  // Uploads above one part go up in parts of this size (MB, S3's minimum is 5).
  S3_PART_SIZE_MB: z.coerce.number().int().min(5).max(512).default(16),
  // Staging objects no row names are removed once this old (minutes): an upload takes no longer than that.
  S3_STAGING_MAX_AGE_MIN: z.coerce.number().int().min(0).max(10_080).default(60),
  // x-amz-checksum-sha256 on every object written; `off` for S3-compatible servers that refuse the header.
  S3_CHECKSUM: z.enum(['sha256', 'off']).default('sha256'),
  // Single sign-on with OpenID Connect (src/sso): on when all four are set.
  OIDC_ISSUER: z.string().optional(),
  OIDC_CLIENT_ID: z.string().optional(),
  OIDC_CLIENT_SECRET: z.string().optional(),
  OIDC_REDIRECT_URI: z.string().optional(),
  OIDC_DISPLAY_NAME: z.string().max(60).optional(),
  // The address people open the app at (https://qa.example.com): passkeys are bound to its host name.
  PUBLIC_URL: z
    .string()
    .optional()
    .transform((value, ctx) => parsePublicUrl(value, ctx)),
  // The passkeys' relying party id when it should be a parent domain of PUBLIC_URL's host (example.com).
  WEBAUTHN_RP_ID: z
    .string()
    .regex(/^[a-z0-9.-]+$/i, 'must be a host name such as example.com')
    .optional()
    .or(z.literal('').transform(() => undefined)),
});

function parseKey(value: string | undefined, ctx: z.RefinementCtx): Buffer | null {
  if (value === undefined || value === '') return null;
  const key = /^[0-9a-f]{64}$/i.test(value) ? Buffer.from(value, 'hex') : Buffer.from(value, 'base64');
  if (key.length === 32) return key;
  ctx.addIssue({ code: 'custom', message: 'must be 32 bytes, as 64 hex digits or base64' });
  return z.NEVER;
}

function parsePublicUrl(value: string | undefined, ctx: z.RefinementCtx): URL | null {
  if (value === undefined || value === '') return null;
  const url = URL.canParse(value) ? new URL(value) : null;
  if (url && (url.protocol === 'https:' || (url.protocol === 'http:' && url.hostname === 'localhost'))) return url;
  ctx.addIssue({ code: 'custom', message: 'must be an https:// address (or http://localhost:<port>)' });
  return z.NEVER;
}

function parseTrustProxy(value: string, ctx: z.RefinementCtx): boolean | number | string {
  if (value === 'true') return true;
  if (value === 'false' || value === '') return false;
  if (/^\d+$/.test(value)) return Number(value);
  if (/^[\w.:/, -]+$/.test(value)) return value;
  ctx.addIssue({ code: 'custom', message: 'must be true, false, a hop count or a list of addresses' });
  return z.NEVER;
}

/** Where recordings live when RECORDINGS_URL=s3://bucket/prefix is set (its secret key is never enumerable). */
export interface ObjectStorageConfig {
  readonly bucket: string;
  /** The key prefix, '' or ending in '/'. */
  readonly prefix: string;
  readonly endpoint: string | null;
  readonly region: string;
  readonly forcePathStyle: boolean;
  /** S3_ACCESS_KEY_ID/S3_SECRET_ACCESS_KEY, or null for the AWS SDK's own chain (AWS_* variables, profiles, roles). */
  readonly credentials: { accessKeyId: string; secretAccessKey: string } | null;
  readonly partSizeBytes: number;
  readonly stagingMaxAgeMs: number;
  readonly checksum: boolean;
}

export interface Config {
  readonly env: 'development' | 'production' | 'test';
  readonly port: number;
  readonly host: string;
  readonly dataDir: string;
  readonly databaseFile: string;
  /** DATABASE_URL: PostgreSQL instead of the SQLite file (never logged: it may carry a password). */
  readonly databaseUrl: string | null;
  /** DATABASE_POOL_MAX: PostgreSQL connections per app process. */
  readonly databasePoolMax: number;
  /** DATABASE_POOL_TIMEOUT_MS: the longest wait for a free connection, then 503. */
  readonly databasePoolTimeoutMs: number;
  /** DATABASE_POOL_QUEUE_MAX: requests that may wait for a connection; beyond, 503 with Retry-After at once. */
  readonly databasePoolQueueMax: number;
  readonly recordingsDir: string;
  readonly maxUploadBytes: number;
  readonly trustProxy: boolean | number | string;
  readonly sessionIdleMs: number;
  readonly sessionAbsoluteMs: number;
  readonly logLevel: string;
  readonly currency: string;
  readonly scryptLogN: number;
  /** Audio analysis workers kept alive (ANALYSIS_WORKERS) and each one's memory limit per call in MB. */
  readonly analysisWorkers: number;
  readonly analysisWorkerMaxMb: number;
  /** The key that encrypts second-factor secrets (TOTP_ENCRYPTION_KEY), or null for the key file in dataDir. */
  readonly totpEncryptionKey: Buffer | null;
  /** Speech-to-text (STT_ENGINE, STT_COMMAND, STT_TIMEOUT_S, STT_MAX_OUTPUT_MB): off unless configured. */
  readonly speech: SpeechConfig;
  /** WEBHOOK_ALLOW_PRIVATE=true: webhooks may target loopback and private addresses (tests, closed networks). */
  readonly webhookAllowPrivate: boolean;
  /** RECORDINGS_URL=s3://…: recordings and waveforms in object storage, else null (under recordingsDir). */
  readonly objectStorage: ObjectStorageConfig | null;
  /** OpenID Connect single sign-on (OIDC_ISSUER, OIDC_CLIENT_ID, OIDC_CLIENT_SECRET, OIDC_REDIRECT_URI), or null. */
  readonly oidc: OidcConfig | null;
  /** Passkeys' relying party: PUBLIC_URL's origin and WEBAUTHN_RP_ID (else its host); null when PUBLIC_URL is unset. */
  readonly webauthn: { readonly origin: string; readonly rpId: string } | null;
  /** The recordings inbox (RECORDINGS_INBOX and its RECORDINGS_INBOX_* settings), or null when off. */
  readonly inbox: InboxConfig | null;
}

export class ConfigError extends Error {}

/** Reads and validates the environment once; a bad value stops start-up with its name. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    throw new ConfigError(`Invalid configuration:\n  ${problems.join('\n  ')}`);
  }
  const e = parsed.data;
  const speech = speechConfig(env);
  const oidc = oidcConfig(env);
  const dataDir = path.resolve(e.DATA_DIR);
  return Object.freeze({
    env: e.NODE_ENV,
    port: e.PORT,
    host: e.HOST,
    dataDir,
    databaseFile: path.resolve(dataDir, e.DATABASE_FILE ?? 'callscore.db'),
    databaseUrl: e.DATABASE_URL ?? null,
    databasePoolMax: e.DATABASE_POOL_MAX,
    databasePoolTimeoutMs: e.DATABASE_POOL_TIMEOUT_MS,
    databasePoolQueueMax: e.DATABASE_POOL_QUEUE_MAX,
    recordingsDir: path.resolve(dataDir, e.RECORDINGS_DIR ?? 'recordings'),
    maxUploadBytes: e.MAX_UPLOAD_MB * 1024 * 1024,
    trustProxy: e.TRUST_PROXY,
    sessionIdleMs: e.SESSION_IDLE_MINUTES * 60_000,
    sessionAbsoluteMs: e.SESSION_ABSOLUTE_HOURS * 3_600_000,
    logLevel: e.LOG_LEVEL,
    currency: e.CURRENCY,
    scryptLogN: e.SCRYPT_LOG_N,
    analysisWorkers: e.ANALYSIS_WORKERS,
    analysisWorkerMaxMb: e.ANALYSIS_WORKER_MAX_MB,
    totpEncryptionKey: e.TOTP_ENCRYPTION_KEY,
    speech,
    webhookAllowPrivate: e.WEBHOOK_ALLOW_PRIVATE === 'true',
    objectStorage: objectStorageConfig(e),
    oidc,
    webauthn: relyingParty(e.PUBLIC_URL, e.WEBAUTHN_RP_ID),
    inbox: inboxConfig(env),
  });
}

function inboxConfig(env: NodeJS.ProcessEnv): InboxConfig | null {
  return loadedSection(
    () => loadInboxConfig(env),
    (err) => err instanceof InboxConfigError,
  );
}

/** The single sign-on settings; a bad one stops start-up like any other bad value (its message names it). */
function oidcConfig(env: NodeJS.ProcessEnv): OidcConfig | null {
  return loadedSection(
    () => loadOidcConfig(env),
    (err) => err instanceof Error,
  );
}

/** A section read by its own loader: what it refuses (`refused`) stops start-up with the loader's message. */
function loadedSection<T>(load: () => T, refused: (err: unknown) => err is Error): T {
  try {
    return load();
  } catch (err) {
    if (refused(err)) throw new ConfigError(`Invalid configuration:\n  ${err.message}`);
    throw err;
  }
}

function objectStorageConfig(e: z.infer<typeof envSchema>): ObjectStorageConfig | null {
  if (!e.RECORDINGS_URL) return null;
  const [bucket = '', ...rest] = e.RECORDINGS_URL.slice('s3://'.length).split('/');
  const prefix = rest.filter(Boolean).join('/');
  if (Boolean(e.S3_ACCESS_KEY_ID) !== Boolean(e.S3_SECRET_ACCESS_KEY))
    throw new ConfigError('Invalid configuration:\n  S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY go together');
  const credentials =
    e.S3_ACCESS_KEY_ID && e.S3_SECRET_ACCESS_KEY
      ? { accessKeyId: e.S3_ACCESS_KEY_ID, secretAccessKey: e.S3_SECRET_ACCESS_KEY }
      : null;
  const settings = {
    bucket,
    prefix: prefix ? `${prefix}/` : '',
    endpoint: e.S3_ENDPOINT || null,
    region: e.S3_REGION,
    forcePathStyle: e.S3_FORCE_PATH_STYLE === 'true',
    partSizeBytes: e.S3_PART_SIZE_MB * 1024 * 1024,
    stagingMaxAgeMs: e.S3_STAGING_MAX_AGE_MIN * 60_000,
    checksum: e.S3_CHECKSUM === 'sha256',
  };
  // Not enumerable: a logged or serialised config never carries the secret key.
  const withKeys = Object.defineProperty(settings, 'credentials', { value: credentials, enumerable: false });
  return Object.freeze(withKeys as typeof settings & Pick<ObjectStorageConfig, 'credentials'>);
}

/** The passkeys' origin and relying party id; the id must be the host or a parent domain of it (WebAuthn). */
function relyingParty(publicUrl: URL | null, rpId: string | undefined): Config['webauthn'] {
  if (!publicUrl) {
    if (rpId) throw new ConfigError('Invalid configuration:\n  WEBAUTHN_RP_ID: needs PUBLIC_URL as well');
    return null;
  }
  const host = publicUrl.hostname;
  const id = (rpId ?? host).toLowerCase();
  if (host !== id && !host.endsWith(`.${id}`)) {
    throw new ConfigError(`Invalid configuration:\n  WEBAUTHN_RP_ID: must be ${host} or a parent domain of it`);
  }
  return Object.freeze({ origin: publicUrl.origin, rpId: id });
}

/** The speech-to-text settings; a bad one stops start-up like any other bad value (its message names it). */
function speechConfig(env: NodeJS.ProcessEnv): SpeechConfig {
  try {
    return loadSpeechConfig(env);
  } catch (err) {
    if (err instanceof SpeechError) throw new ConfigError(`Invalid configuration:\n  ${err.message}`);
    throw err;
  }
}
