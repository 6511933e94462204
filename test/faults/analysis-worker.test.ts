// Issue 15: the long-lived analysis workers and the crashes around them, on the real server (a child process).
// - kill -9 between an analysis's commit and its peaks file's move: the next start queues the call again and
//   the waveform comes back by itself;
// - SIGTERM while a long recording is analysed: the server stops at once, its worker with it, and the job is
//   put back in the queue (not counted as an attempt);
// - kill -9 while a long recording is analysed: the worker notices its server is gone and exits (no orphan).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import {
  call,
  callForm,
  killAllStarted,
  prepareDataDir,
  sleep,
  startServer,
  wavRecording,
  type Fixture,
} from './harness';

jest.setTimeout(180_000);

let fixture: Fixture;
let longWav: Buffer;

beforeAll(async () => {
  fixture = await prepareDataDir();
  // Forty minutes of 8 kHz mono noise (38 MB): several seconds of analysis, time to catch its worker at work.
  const file = path.join(os.tmpdir(), `callscore-long-${process.pid}.wav`);
  execFileSync('sox', ['-n', '-r', '8000', '-c', '1', '-b', '16', file, 'synth', '2400', 'pinknoise', 'vol', '0.1']);
  longWav = fs.readFileSync(file);
  fs.rmSync(file);
});
afterAll(async () => {
  await killAllStarted();
  if (fixture) fs.rmSync(fixture.dataDir, { recursive: true, force: true });
});

/** Whether the process runs (a zombie waiting to be reaped has exited: it counts as gone). */
function alive(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'latin1');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

/** The analysis workers the server `pid` started (its children running dist/workers/analyse-audio.js). */
function analysisWorkers(pid: number): number[] {
  return fs.readdirSync('/proc').flatMap((name) => {
    if (!/^\d+$/.test(name)) return [];
    try {
      const stat = fs.readFileSync(`/proc/${name}/stat`, 'latin1');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const cmdline = fs.readFileSync(`/proc/${name}/cmdline`, 'latin1');
      return ppid === pid && cmdline.includes('analyse-audio') ? [Number(name)] : [];
    } catch {
      return [];
    }
  });
}

async function until<T>(what: string, probe: () => T | null | undefined | false, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

function analysisRow(callId: number) {
  const sqlite = new SQLite(path.join(fixture.dataDir, 'callscore.db'), { readonly: true, timeout: 5_000 });
  try {
    return sqlite
      .prepare('select status, attempts, peaks_file, last_error from call_analyses where call_id = ?')
      .get(callId) as { status: string; attempts: number; peaks_file: string | null; last_error: string | null };
  } finally {
    sqlite.close();
  }
}

async function upload(baseUrl: string, recording: Buffer): Promise<number> {
  const { form } = callForm(fixture.agent, recording);
  const res = await call(baseUrl, 'POST', '/api/v1/calls', { token: fixture.supervisorToken, form, timeoutMs: 60_000 });
  if (res.status !== 201) throw new Error(`upload answered ${res.status}: ${JSON.stringify(res.body)}`);
  return (res.body as { id: number }).id;
}

const peaksDir = () => path.join(fixture.dataDir, 'recordings', 'peaks');

test('kill -9 between the commit and the peaks move: the next start re-analyses and the waveform is back', async () => {
  const server = await startServer(fixture.dataDir, { CALLSCORE_FAULT_CRASH_AT: 'analysis-commit' });
  const callId = await upload(server.baseUrl, wavRecording(7, 32_000));
  // The server kills itself right after the analysis's commit, before the peaks file is moved into place.
  await until('the server to crash', () => !alive(server.pid));
  await server.kill9();
  const crashed = analysisRow(callId);
  expect(crashed.status).toBe('done');
  const peaksName = crashed.peaks_file ?? '';
  expect(peaksName).toMatch(/\.peaks$/);
  expect(fs.existsSync(path.join(peaksDir(), peaksName))).toBe(false);
  expect(fs.readdirSync(peaksDir()).some((name) => name.endsWith('.tmp'))).toBe(true);

  const restarted = await startServer(fixture.dataDir);
  // After start-up (in the background: the server listens first) the missing waveform is noticed and the call
  // queued again; the worker analyses it at once.
  await until('the missing waveform to be noticed', () =>
    restarted.logs().includes('waveform peaks missing for analysed calls: queued again'),
  );
  await until('the waveform to be back', () => fs.existsSync(path.join(peaksDir(), peaksName)));
  await until('the analysis to be done', () => analysisRow(callId).status === 'done');
  expect(fs.readdirSync(peaksDir()).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  await restarted.stop();
});

test('SIGTERM during a long analysis: the server stops at once, its worker with it, the job goes back in the queue', async () => {
  const server = await startServer(fixture.dataDir, { LOG_LEVEL: 'info' });
  const callId = await upload(server.baseUrl, longWav);
  const [worker] = await until('an analysis worker at work', () => {
    const pids = analysisWorkers(server.pid);
    return pids.length > 0 && analysisRow(callId).status === 'running' ? pids : null;
  });
  if (worker === undefined) throw new Error('no worker');
  const started = Date.now();
  await server.stop();
  const stopMs = Date.now() - started;
  expect(server.logs()).toContain('database closed; bye');
  expect(stopMs).toBeLessThan(8_000);
  expect(alive(worker)).toBe(false);
  // Put back for the next start, due at once and not counted as an attempt.
  expect(analysisRow(callId)).toMatchObject({ status: 'pending', attempts: 0, last_error: null });
});

test('kill -9 of the server during a long analysis: its worker exits by itself (no orphan process)', async () => {
  const server = await startServer(fixture.dataDir);
  const callId = await upload(server.baseUrl, longWav);
  const [worker] = await until('an analysis worker at work', () => {
    const pids = analysisWorkers(server.pid);
    return pids.length > 0 && analysisRow(callId).status === 'running' ? pids : null;
  });
  if (worker === undefined) throw new Error('no worker');
  await server.kill9();
  await until('the orphaned worker to exit', () => !alive(worker), 10_000);
  expect(alive(worker)).toBe(false);
});
