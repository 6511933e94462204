// The pool of long-lived analysis workers: one process serves call after call, yet each call keeps its limits.
// A worker that runs past the time limit or the memory limit is killed and replaced (the call fails with a
// message, the next one goes on), and closing the pool leaves no process behind.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { AnalysisStopped, analysisPool, type AnalysisPool } from '../../src/analysis';
import { ConfigError, loadConfig } from '../../src/config';
import { tempDir } from './audio-fixtures';
import { callWav, STANDARD_CALL } from './jobs-fixtures';

jest.setTimeout(120_000);

let dir: string;
let call: string;
let long: string;
const pools: AnalysisPool[] = [];

beforeAll(() => {
  dir = tempDir();
  call = path.join(dir, 'call.wav');
  fs.writeFileSync(call, callWav(STANDARD_CALL));
  // Twenty minutes of 8 kHz stereo noise: a few seconds of work, long enough to be cut by a short time limit.
  long = path.join(dir, 'long.wav');
  execFileSync('sox', ['-n', '-r', '8000', '-c', '2', '-b', '16', long, 'synth', '1200', 'pinknoise', 'vol', '0.1']);
});
afterAll(async () => {
  for (const pool of pools) await pool.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

function pool(options: Parameters<typeof analysisPool>[0] = {}): AnalysisPool {
  const made = analysisPool(options);
  pools.push(made);
  return made;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

const options = (name: string, timeLimitMs?: number) => ({
  agentChannel: 'left' as const,
  deadAirMinS: 2,
  peaksPath: path.join(dir, `${name}.peaks`),
  timeLimitMs,
});

test('one worker serves call after call, with the same figures as a worker of its own', async () => {
  const workers = pool({ size: 1 });
  expect(workers.pids()).toEqual([]);
  const first = await workers.analyse(call, options('a'));
  const [pid] = workers.pids();
  expect(pid).toBeDefined();
  const second = await workers.analyse(call, options('b'));
  const third = await workers.analyse(call, options('c'));
  expect(workers.pids()).toEqual([pid]);
  expect(first.ok && second.ok && third.ok).toBe(true);
  expect(second).toEqual(first);
  expect(third).toEqual(first);
  if (!first.ok) throw new Error(first.message);
  expect(first.analysis.overtalk?.total_s).toBeCloseTo(0.5, 1);
  expect(fs.existsSync(path.join(dir, 'c.peaks'))).toBe(true);
});

test('two workers analyse two calls at once; no more than the pool size run', async () => {
  const workers = pool({ size: 2 });
  const results = await Promise.all([1, 2, 3, 4].map((n) => workers.analyse(call, options(`p${n}`))));
  expect(results.every((r) => r.ok)).toBe(true);
  expect(workers.pids()).toHaveLength(2);
});

test('a call past the time limit fails with a message; its worker is killed and the next call gets a new one', async () => {
  const workers = pool({ size: 1 });
  await workers.analyse(call, options('warm'));
  const [before] = workers.pids();
  const cut = await workers.analyse(long, options('long', 300));
  expect(cut).toEqual({ ok: false, message: 'Analysing the recording took longer than 0.3 s; it was stopped.' });
  expect(before !== undefined && alive(before)).toBe(false);
  expect(fs.existsSync(path.join(dir, 'long.peaks'))).toBe(false);
  const next = await workers.analyse(call, options('after'));
  expect(next.ok).toBe(true);
  expect(workers.pids()).not.toContain(before);
});

test('a worker over the memory limit is killed and the call failed with a message; the queue goes on', async () => {
  // 20 MB is less than node itself needs, so the first poll finds the worker over it.
  const workers = pool({ size: 1, maxRssMb: 20 });
  const over = await workers.analyse(long, options('fat'));
  expect(over).toEqual({
    ok: false,
    message: 'Analysing the recording needed more than 20 MB of memory; it was stopped.',
  });
  expect(workers.pids()).toEqual([]);
  const again = await workers.analyse(long, options('fat2'));
  expect(again.ok).toBe(false);
});

test('a worker left fat after a call, or that served its share, is replaced before the next call', async () => {
  const workers = pool({ size: 1, maxCallsPerWorker: 2 });
  await workers.analyse(call, options('s1'));
  const [first] = workers.pids();
  await workers.analyse(call, options('s2'));
  expect(first !== undefined && alive(first)).toBe(false);
  await workers.analyse(call, options('s3'));
  expect(workers.pids()).not.toContain(first);
});

test('closing the pool cuts the call under way (AnalysisStopped) and leaves no worker process', async () => {
  const workers = pool({ size: 2 });
  await workers.analyse(call, options('w'));
  const running = workers.analyse(long, options('cut'));
  const waiting = workers.analyse(long, options('cut2'));
  await new Promise((r) => setTimeout(r, 200));
  const pids = workers.pids();
  expect(pids.length).toBeGreaterThan(0);
  const cut = [running, waiting].map((run) => expect(run).rejects.toBeInstanceOf(AnalysisStopped));
  await workers.close();
  await Promise.all(cut);
  expect(pids.filter(alive)).toEqual([]);
  expect(workers.pids()).toEqual([]);
  await expect(workers.analyse(call, options('closed'))).rejects.toBeInstanceOf(AnalysisStopped);
});

describe('the pool settings', () => {
  const base = { NODE_ENV: 'test', DATA_DIR: '/tmp/callscore-config-test' };

  test('one worker of at most 256 MB unless configured; the server builds its pool from them', () => {
    expect(loadConfig(base)).toMatchObject({ analysisWorkers: 1, analysisWorkerMaxMb: 256 });
    const config = loadConfig({ ...base, ANALYSIS_WORKERS: '3', ANALYSIS_WORKER_MAX_MB: '512' });
    expect(config).toMatchObject({ analysisWorkers: 3, analysisWorkerMaxMb: 512 });
  });

  test.each([
    [{ ANALYSIS_WORKERS: '0' }, /ANALYSIS_WORKERS/],
    [{ ANALYSIS_WORKERS: 'many' }, /ANALYSIS_WORKERS/],
    [{ ANALYSIS_WORKER_MAX_MB: '10' }, /ANALYSIS_WORKER_MAX_MB/],
  ])('%j stops start-up with a message naming the setting', (env, message) => {
    const load = () => loadConfig({ ...base, ...env });
    expect(load).toThrow(ConfigError);
    expect(load).toThrow(message);
  });
});
