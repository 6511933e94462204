import fsp from 'node:fs/promises';
import { InsufficientStorage, ServiceUnavailable, type AppError } from './errors';

// Faults of the machine rather than of the request (a full disk, a database locked by another process),
// recognised from the codes Node and SQLite give them, so every route answers them the same way.

function codeOf(err: unknown): string {
  return typeof err === 'object' && err !== null ? String((err as { code?: unknown }).code ?? '') : '';
}

/** No space left: ENOSPC or EDQUOT from the file system, SQLITE_FULL from the database. */
export function isDiskFull(err: unknown): boolean {
  const code = codeOf(err);
  return code === 'ENOSPC' || code === 'EDQUOT' || code.startsWith('SQLITE_FULL');
}

/** SQLITE_BUSY / SQLITE_LOCKED: another connection holds the lock. */
export function isDatabaseBusy(err: unknown): boolean {
  const code = codeOf(err);
  return code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED');
}

// PostgreSQL (DATABASE_URL): the server cannot be reached, refuses connections (starting, shutting down, too
// many clients) or dropped the connection mid-query. Socket codes from Node, SQLSTATE classes 08 and 57P.
const UNREACHABLE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE']);
const UNREACHABLE_MESSAGES = /^(Connection terminated|Client has encountered a connection error|Connection refused)/;

/** The database server is not reachable right now (down, restarting, failing over, network). */
export function isDatabaseUnreachable(err: unknown): boolean {
  const code = codeOf(err);
  if (UNREACHABLE_CODES.has(code) || code.startsWith('08') || /^57P0[123]$/.test(code) || code === '53300') return true;
  if (err instanceof AggregateError && err.errors.some(isDatabaseUnreachable)) return true;
  if (!(err instanceof Error)) return false;
  return UNREACHABLE_MESSAGES.test(err.message) || (err.cause !== undefined && isDatabaseUnreachable(err.cause));
}

/**
 * Every connection of the pool stayed taken for the whole wait (DATABASE_POOL_MAX, DATABASE_POOL_TIMEOUT_MS), or
 * so many requests were waiting already that this one was refused at once (DATABASE_POOL_QUEUE_MAX).
 */
export function isPoolExhausted(err: unknown): boolean {
  return (
    err instanceof Error && /^(timeout exceeded when trying to connect|connection pool queue full)/i.test(err.message)
  );
}

/** Answered (503, Retry-After) while the database is unreachable: the process stays up and recovers by itself. */
export class DatabaseUnavailable extends ServiceUnavailable {
  override readonly code = 'database_unavailable';
  constructor() {
    super('The database cannot be reached right now; nothing was saved. Try again in a moment.', 5);
  }
}

/** The app error to answer for a machine fault, or null when `err` is not one. */
export function faultError(err: unknown): AppError | null {
  if (isDiskFull(err)) return new InsufficientStorage();
  if (isDatabaseBusy(err) || isPoolExhausted(err))
    return new ServiceUnavailable('The server is busy saving other changes; nothing was saved. Try again.', 1);
  if (isDatabaseUnreachable(err)) return new DatabaseUnavailable();
  return null;
}

/** Below this much free space the data folder counts as full: SQLite and uploads need room to work in. */
export const DISK_FULL_BELOW_BYTES = 1024 * 1024;

/** Whether the file system holding `dir` has run out of space (for the health check). */
export async function diskFull(dir: string): Promise<boolean> {
  const stats = await fsp.statfs(dir);
  return stats.bavail * stats.bsize < DISK_FULL_BELOW_BYTES;
}

/**
 * Fault tests (docs/RELIABILITY.md) kill the server at a named point with CALLSCORE_FAULT_CRASH_AT=<point>, to
 * show what the start-up and background reconcilers bring back. Nothing sets it otherwise.
 */
export function crashPoint(point: 'recording-staged' | 'recording-committed'): void {
  if (process.env.CALLSCORE_FAULT_CRASH_AT === point) process.kill(process.pid, 'SIGKILL');
}
