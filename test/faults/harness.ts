// The fault suite's harness: a data folder prepared with the app's own services, the real server started from
// source as a child process on it (so it can be killed with SIGKILL), small generated WAV recordings, a seeded
// random source, and the checks every fault ends with (integrity, acknowledged writes, no orphans).
import { spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { makeTestApp, sqliteOf } from '../helpers/app';
import { freePort } from '../helpers/ports';
import { buildOrg } from '../helpers/builders';
import { publishedRubric, tokenFor, workedExampleRubric, workedExampleAnswers } from '../helpers/scoring';

export const ROOT = path.resolve(__dirname, '../..');
const START_TIMEOUT_MS = 45_000;

/** Everything a fault test needs to drive the API of a server on this data folder. */
export interface Fixture {
  dataDir: string;
  supervisorToken: string;
  agent: string;
  rubricId: number;
  /** A body for POST /api/v1/evaluations (submit: true) without the call id. */
  answers: Array<{ item_id: number; value: string | number }>;
}

/**
 * A migrated data folder with an org (supervisor A over CSR A), a published rubric and a supervisor's token,
 * all made through the app's services; the database is closed (checkpointed) before a server opens it.
 */
export async function prepareDataDir(): Promise<Fixture> {
  const ctx = makeTestApp();
  try {
    const org = await buildOrg(ctx.deps);
    const rubric = await publishedRubric(ctx.deps, workedExampleRubric());
    return {
      dataDir: ctx.dataDir,
      supervisorToken: await tokenFor(ctx.deps, org.supervisorA),
      agent: org.csrA.username,
      rubricId: rubric.id,
      answers: workedExampleAnswers(rubric),
    };
  } finally {
    sqliteOf(ctx.database).pragma('wal_checkpoint(TRUNCATE)');
    await ctx.close();
  }
}

/** Moves a prepared data folder's database into another folder (e.g. a tmpfs mount). */
export function copyDatabase(from: string, to: string): void {
  fs.copyFileSync(path.join(from, 'callscore.db'), path.join(to, 'callscore.db'));
}

export { freePort } from '../helpers/ports';

export interface ServerProcess {
  readonly baseUrl: string;
  readonly pid: number;
  logs(): string;
  /** SIGKILL: no shutdown hook runs, as in a power cut of the process. */
  kill9(): Promise<void>;
  /** SIGTERM and wait (SIGKILL after 10 s). */
  stop(): Promise<void>;
}

function waitForExit(child: ChildProcess, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve(true);
    const timer = setTimeout(() => resolve(false), timeoutMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

const running = new Set<ChildProcess>();

/** For afterAll: every server this file started and has not stopped yet gets SIGKILL. */
export async function killAllStarted(): Promise<void> {
  for (const child of running) {
    child.kill('SIGKILL');
    await waitForExit(child, 5_000);
  }
  running.clear();
}

/** Starts `node --import tsx src/server.ts` on the data folder and waits until GET /healthz answers ok. */
export async function startServer(
  dataDir: string,
  env: Record<string, string> = {},
  startTimeoutMs = START_TIMEOUT_MS,
): Promise<ServerProcess> {
  const port = await freePort();
  const childEnv: NodeJS.ProcessEnv = { ...process.env };
  for (const key of ['DATABASE_FILE', 'RECORDINGS_DIR', 'TRUST_PROXY']) delete childEnv[key];
  Object.assign(childEnv, {
    NODE_ENV: 'production',
    HOST: '127.0.0.1',
    PORT: String(port),
    DATA_DIR: dataDir,
    LOG_LEVEL: 'warn',
    SCRYPT_LOG_N: '12',
    ...env,
  });
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
    cwd: ROOT,
    env: childEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const baseUrl = `http://127.0.0.1:${port}`;
  const server: ServerProcess = {
    baseUrl,
    pid: child.pid ?? -1,
    logs: () => output,
    async kill9() {
      child.kill('SIGKILL');
      if (!(await waitForExit(child, 10_000))) throw new Error(`server ${child.pid} survived SIGKILL`);
      running.delete(child);
    },
    async stop() {
      child.kill('SIGTERM');
      if (!(await waitForExit(child, 10_000))) child.kill('SIGKILL');
      await waitForExit(child, 5_000);
      running.delete(child);
    },
  };
  const deadline = Date.now() + startTimeoutMs;
  let problem = 'no answer yet';
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      running.delete(child);
      throw new Error(`the server exited during start-up (code ${child.exitCode}):\n${output}`);
    }
    try {
      const res = await fetch(`${baseUrl}/healthz`, { signal: AbortSignal.timeout(2_000) });
      // Ours only if it is still running: a server that lost the port to another one exits on EADDRINUSE.
      if (res.ok && (await sleep(100), child.exitCode === null && child.signalCode === null)) return server;
      problem = `GET /healthz answered ${res.status}`;
    } catch (err) {
      problem = (err as Error).message;
    }
    await sleep(50);
  }
  await server.kill9();
  throw new Error(`the server did not become healthy within ${startTimeoutMs} ms (${problem}):\n${output}`);
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** mulberry32: a small seeded generator, so a failing cycle can be replayed with FAULT_SEED. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A 16-bit mono PCM WAV of `bytes` of noise-free tone (a few KB by default), different per `salt`. */
export function wavRecording(salt: number, dataBytes = 8000): Buffer {
  const buf = Buffer.alloc(44 + dataBytes);
  buf.write('RIFF', 0, 'latin1');
  buf.writeUInt32LE(36 + dataBytes, 4);
  buf.write('WAVE', 8, 'latin1');
  buf.write('fmt ', 12, 'latin1');
  buf.writeUInt32LE(16, 16);
  buf.writeUInt16LE(1, 20);
  buf.writeUInt16LE(1, 22);
  buf.writeUInt32LE(8000, 24);
  buf.writeUInt32LE(16000, 28);
  buf.writeUInt16LE(2, 32);
  buf.writeUInt16LE(16, 34);
  buf.write('data', 36, 'latin1');
  buf.writeUInt32LE(dataBytes, 40);
  const hz = 300 + (salt % 500);
  for (let i = 0; i < dataBytes / 2; i += 1) {
    buf.writeInt16LE(Math.round(6000 * Math.sin((2 * Math.PI * hz * i) / 8000)), 44 + i * 2);
  }
  return buf;
}

export function sha256(bytes: Buffer): string {
  return crypto.createHash('sha256').update(bytes).digest('hex');
}

export interface ApiAnswer {
  status: number;
  headers: Headers;
  body: unknown;
  ms: number;
}

/** One API request with a bound on its time; a refused or cut connection rejects. */
export async function call(
  baseUrl: string,
  method: string,
  route: string,
  options: { token?: string; json?: unknown; form?: FormData; timeoutMs?: number } = {},
): Promise<ApiAnswer> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (options.token) headers.Authorization = `Bearer ${options.token}`;
  let body: string | FormData | undefined;
  if (options.json !== undefined) {
    headers['Content-Type'] = 'application/json';
    body = JSON.stringify(options.json);
  } else if (options.form) {
    body = options.form;
  }
  const started = Date.now();
  const res = await fetch(baseUrl + route, {
    method,
    headers,
    body,
    signal: AbortSignal.timeout(options.timeoutMs ?? 15_000),
  });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // a page or an empty body: kept as text
  }
  return { status: res.status, headers: res.headers, body: parsed, ms: Date.now() - started };
}

let externalSerial = 0;

/** The multipart form of POST /api/v1/calls with a recording. */
export function callForm(
  agent: string,
  recording: Buffer,
  externalId?: string,
): { form: FormData; externalId: string } {
  externalSerial += 1;
  const id = externalId ?? `fault-${process.pid}-${Date.now()}-${externalSerial}`;
  const form = new FormData();
  const fields: Record<string, string> = {
    external_id: id,
    agent,
    started_at: '2026-11-20T10:00:00Z',
    direction: 'inbound',
    category: 'returns',
    queue_wait_s: '12',
    hold_s: '0',
    duration_s: '30',
  };
  for (const [name, value] of Object.entries(fields)) form.append(name, value);
  form.append('recording', new Blob([recording], { type: 'audio/wav' }), 'call.wav');
  return { form, externalId: id };
}

export function evaluationBody(fixture: Fixture, callId: number) {
  return { call_id: callId, rubric_id: fixture.rubricId, answers: fixture.answers, submit: true };
}

/** The database and recordings folder as they are on disk, read with a connection of our own. */
export function diskState(dataDir: string) {
  const sqlite = new SQLite(path.join(dataDir, 'callscore.db'), { readonly: true, timeout: 5_000 });
  try {
    const integrity = sqlite.pragma('integrity_check', { simple: false }) as Array<{ integrity_check: string }>;
    const rows = sqlite
      .prepare(`select id, external_id, recording_file, recording_status from calls where recording_file is not null`)
      .all() as Array<{ id: number; external_id: string; recording_file: string; recording_status: string }>;
    const evaluations = sqlite.prepare(`select id, status from evaluations`).all() as Array<{
      id: number;
      status: string;
    }>;
    const recordingsDir = path.join(dataDir, 'recordings');
    const files = fs.readdirSync(recordingsDir, { withFileTypes: true }).filter((e) => e.isFile());
    // Every process's staging folder (.staging/<instance>), file names relative to .staging.
    const stagingRoot = path.join(recordingsDir, '.staging');
    const staged = fs.existsSync(stagingRoot)
      ? (fs.readdirSync(stagingRoot, { recursive: true, withFileTypes: true }) as fs.Dirent[])
          .filter((e) => e.isFile())
          .map((e) => path.relative(stagingRoot, path.join(e.parentPath, e.name)))
      : [];
    return {
      integrity: integrity.map((r) => r.integrity_check),
      rows,
      evaluations,
      files: files.map((f) => f.name),
      staged,
      recordingsDir,
    };
  } finally {
    sqlite.close();
  }
}
