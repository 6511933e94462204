/**
 * One submit, profiled and set beside its own SQL (issue 21):
 *
 *   node_modules/.bin/tsx bench/submit-profile.ts --data DATASET_DIR [--submits 300] [--commit REV] [--out DIR]
 *
 * DATASET_DIR is a generated dataset (bench/generate.ts --out, or one in $BENCH_CACHE_DIR/datasets). Three scratch
 * copies are made. First the submits are captured statement by statement from the compiled app in this process on
 * copy B (lib/capture.ts). Then the built server (dist/, or `--commit REV` built in the cache folder) runs on copy A
 * with `--cpu-prof`, and the bench supervisor submits fresh calls one at a time on one keep-alive connection
 * (POST /api/v1/evaluations, submit: true), each followed at once by the replay of one captured submit on copy C in
 * its own transaction on a bare better-sqlite3 connection with the app's pragmas (WAL, synchronous = FULL): the raw
 * transaction. Interleaved, so whatever else the machine is doing weighs on both alike. The profile's self time
 * within the measured submits is summed per function and per file/package, per submit, so what dominates is named.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { numberArg, parseArgs } from './lib/args';
import { buildApp, resolveApp } from './lib/app';
import { startInProcess } from './lib/capture';
import { CpuWatch, processJiffies } from './lib/cpu';
import { DATABASE_FILE, PROJECT_ROOT, cacheRoot, copyDataset, readManifest } from './lib/dataset';
import { createToken, request } from './lib/http';
import { monotonicMicros, selfTimes, type CpuProfile } from './lib/profile';
import { environment } from './lib/report';
import {
  answersFor,
  freshCalls,
  openReadOnly,
  publishedRubric,
  type FreshCall,
  type SampleRubric,
} from './lib/samples';
import { startServer } from './lib/server';
import { round, summarize } from './lib/stats';

const WARM_UP = 20;

type Statements = Array<{ sql: string; params: unknown[] }>;

function body(rubric: SampleRubric, call: FreshCall, i: number): string {
  return JSON.stringify({ call_id: call.id, rubric_id: rubric.id, answers: answersFor(rubric, i), comment: 'Bench.', submit: true, time_spent_s: 240 }); // prettier-ignore
}

/** The statements of `count` submits, run through the compiled app in this process with a logging Kysely. */
async function capture(
  app: ReturnType<typeof resolveApp>,
  dir: string,
  scryptLogN: number,
  account: { username: string; password: string },
  bodies: string[],
): Promise<Statements[]> {
  const inProcess = await startInProcess(app, dir, scryptLogN);
  const captured: Statements[] = [];
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  try {
    const token = await createToken(inProcess.baseUrl, account.username, account.password);
    const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    for (const payload of bodies) {
      inProcess.captured.length = 0;
      const res = await request(inProcess.baseUrl, '/api/v1/evaluations', {
        method: 'POST',
        headers,
        body: payload,
        agent,
        keepBody: false,
      });
      if (res.status !== 201) throw new Error(`in-process submit answered ${res.status}`);
      captured.push(inProcess.captured.map((q) => ({ sql: q.sql, params: q.params })));
    }
  } finally {
    agent.destroy();
    await inProcess.close();
  }
  return captured;
}

/** A bare connection replaying captured submits, each in its own transaction, statements prepared once. */
function rawReplayer(dir: string) {
  const raw = new SQLite(path.join(dir, DATABASE_FILE), { fileMustExist: true });
  raw.pragma('journal_mode = WAL');
  raw.pragma('foreign_keys = ON');
  raw.pragma('synchronous = FULL');
  const statements = new Map<string, SQLite.Statement>();
  return {
    /** The whole transaction's time, and of that the commit's (the WAL's fsync). */
    replay(submit: Statements): { ms: number; commitMs: number } {
      const t = performance.now();
      raw.exec('begin immediate');
      for (const q of submit) {
        if (/^\s*(begin|commit|rollback|savepoint|release)\b/i.test(q.sql)) continue;
        let stmt = statements.get(q.sql);
        if (!stmt) statements.set(q.sql, (stmt = raw.prepare(q.sql)));
        if (stmt.reader) stmt.all(...q.params);
        else stmt.run(...q.params);
      }
      const c = performance.now();
      raw.exec('commit');
      const end = performance.now();
      return { ms: end - t, commitMs: end - c };
    },
    close: () => raw.close(),
  };
}

interface Measured {
  appTimes: number[];
  rawTimes: number[];
  commitTimes: number[];
  floorTimes: number[];
  /** The measured submits (after the warm-ups), on the monotonic clock the profile's timestamps use. */
  window: { fromUs: number; toUs: number };
}

/**
 * Starts the built server on `dir` and submits `payloads` one at a time on one keep-alive connection; with `raw`,
 * each submit is followed at once by the replay of its captured twin, and then `GET /api/v1/me` is asked as many
 * times: the floor, the same client, connection and token asking for the smallest authenticated answer the API
 * has (HTTP both ways, the middleware and the token's lookup, no work of its own).
 */
async function measure(
  app: ReturnType<typeof resolveApp>,
  dir: string,
  scryptLogN: number,
  account: { username: string; password: string },
  payloads: string[],
  options: { watch: CpuWatch; nodeArgs?: string[]; raw?: ReturnType<typeof rawReplayer>; captured?: Statements[] },
): Promise<Measured> {
  const server = await startServer({ app, dataDir: dir, scryptLogN, nodeArgs: options.nodeArgs ?? [] });
  const m: Measured = { appTimes: [], rawTimes: [], commitTimes: [], floorTimes: [], window: { fromUs: 0, toUs: 0 } };
  try {
    const token = await createToken(server.baseUrl, account.username, account.password);
    const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    for (let i = 0; i < payloads.length; i += 1) {
      if (i === WARM_UP) m.window.fromUs = monotonicMicros();
      const res = await request(server.baseUrl, '/api/v1/evaluations', { method: 'POST', headers, body: payloads[i], keepBody: false }); // prettier-ignore
      if (res.status !== 201) throw new Error(`submit answered ${res.status}`);
      const replayed = options.raw?.replay(options.captured![i]!);
      if (i < WARM_UP) continue;
      m.appTimes.push(res.ms);
      if (replayed) {
        m.rawTimes.push(replayed.ms);
        m.commitTimes.push(replayed.commitMs);
      }
    }
    m.window.toUs = monotonicMicros();
    if (options.raw) {
      for (let i = 0; i < payloads.length; i += 1) {
        const res = await request(server.baseUrl, '/api/v1/me', { headers, keepBody: false });
        if (res.status !== 200) throw new Error(`GET /api/v1/me answered ${res.status}`);
        if (i >= WARM_UP) m.floorTimes.push(res.ms);
      }
    }
  } finally {
    options.watch.addServer(processJiffies(server.pid));
    await server.stop();
  }
  return m;
}

function git(args: string[]): string {
  return spawnSync('git', args, { cwd: PROJECT_ROOT, encoding: 'utf8' }).stdout.trim();
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const data = args.get('data');
  if (!data) throw new Error('--data DATASET_DIR is required');
  const manifest = readManifest(data);
  if (!manifest) throw new Error(`${data} has no bench manifest`);
  const submits = numberArg(args, 'submits', 300);
  const out = path.resolve(args.get('out') ?? path.join(cacheRoot(), 'submit-profile'));
  const resultsDir = path.resolve(args.get('results') ?? path.join(PROJECT_ROOT, 'bench', 'results'));
  const app = resolveApp(args.get('commit'), cacheRoot());
  if (app.commit && !fs.existsSync(path.join(app.dir, 'dist', 'src', 'server.js'))) buildApp(app);
  const env = environment(app);
  fs.rmSync(out, { recursive: true, force: true });
  const [copyA, copyB, copyC, copyD] = ['a', 'b', 'c', 'd'].map((n) => path.join(out, n));
  for (const dir of [copyA, copyB, copyC, copyD]) await copyDataset(data, dir);
  const total = WARM_UP + submits;
  const ro = openReadOnly(copyA);
  const rubric = publishedRubric(ro);
  const calls = freshCalls(ro, total * 2, manifest.accounts.supervisor.teamIds);
  ro.close();
  if (calls.length < total * 2) throw new Error(`only ${calls.length} unscored calls in the supervisor's teams`);
  const account = { username: manifest.accounts.supervisor.username, password: manifest.password };

  // 1. The submits' statements, captured in-process on copy B (other calls than the app's on copy A).
  const captured = await capture(
    app,
    copyB,
    manifest.scryptLogN,
    account,
    calls.slice(total).map((c, i) => body(rubric, c, i)),
  );

  // 2. The app over HTTP on copy A, unprofiled: each submit followed at once by one raw transaction on copy C;
  //    then the floor. 3. The same submits on copy D, with the profiler on (its figures only name the parts).
  const loadBefore = os.loadavg();
  const watch = new CpuWatch();
  const profDir = path.join(out, 'profile');
  const payloads = calls.slice(0, total).map((c, i) => body(rubric, c, i));
  const raw = rawReplayer(copyC);
  let measured: Measured;
  try {
    measured = await measure(app, copyA, manifest.scryptLogN, account, payloads, { raw, captured, watch });
  } finally {
    raw.close();
  }
  const profiled = await measure(app, copyD, manifest.scryptLogN, account, payloads, {
    watch,
    nodeArgs: [
      '--cpu-prof',
      `--cpu-prof-dir=${profDir}`,
      `--cpu-prof-interval=${numberArg(args, 'prof-interval-us', 1000)}`,
    ],
  });
  const cpu = watch.stop();
  const { appTimes, rawTimes, commitTimes, floorTimes } = measured;
  const window = profiled.window;

  const profileFile = fs.readdirSync(profDir).find((f) => f.endsWith('.cpuprofile'));
  const profile = profileFile
    ? (JSON.parse(fs.readFileSync(path.join(profDir, profileFile), 'utf8')) as CpuProfile)
    : null;
  const times = profile ? selfTimes(profile, { ...window, per: submits }) : null;
  const appSummary = summarize(appTimes);
  const rawSummary = summarize(rawTimes);
  const floorSummary = summarize(floorTimes);
  const result = {
    date: new Date().toISOString(),
    node: process.version,
    app: env.app,
    commit: env.commit,
    uncommittedChanges: env.uncommittedChanges,
    branch: app.commit ? null : git(['rev-parse', '--abbrev-ref', 'HEAD']),
    dataset: { calls: manifest.options.calls, dir: data },
    submits,
    interleaved: true,
    loadAvgBefore: loadBefore.map((v) => round(v)),
    loadAvgAfter: os.loadavg().map((v) => round(v)),
    cpu,
    statementsPerSubmit: captured[WARM_UP]?.length ?? 0,
    statements: captured[WARM_UP]?.map((q) => q.sql.replace(/\s+/g, ' ').slice(0, 160)),
    appMs: appSummary,
    /** The same submits on a fresh copy with the profiler on: what the profile's figures were taken under. */
    profiledAppMs: summarize(profiled.appTimes),
    rawMs: rawSummary,
    ratio: round(appSummary.median / rawSummary.median),
    /** Of the raw transaction, the commit alone: with synchronous = FULL, the WAL's fsync. */
    rawCommitMs: summarize(commitTimes),
    /**
     * `GET /api/v1/me` on the same connection with the same token, after the submits: HTTP both ways, the
     * middleware and the token's lookup, with no work of its own. What a submit costs over it is the submit's.
     */
    floorMs: floorSummary,
    overFloorToRaw: round((appSummary.median - floorSummary.median) / rawSummary.median),
    submitsPerSecondSequential: round(1000 / appSummary.mean, 1),
    profile: profileFile ? path.join(profDir, profileFile) : null,
    /** Server CPU per measured submit (ms), self time; idle is the time it waited (client, raw replay). */
    profileWindow: times ? { msPerSubmit: round(times.windowMs, 3), samples: times.samples, ...window } : null,
    topFilesMsPerSubmit: times?.byFile.slice(0, 25),
    topFunctionsMsPerSubmit: times?.byFunction.slice(0, 40),
  };
  const text = `${JSON.stringify(result, null, 2)}\n`;
  fs.writeFileSync(path.join(out, 'submit-profile.json'), text);
  fs.mkdirSync(resultsDir, { recursive: true });
  fs.writeFileSync(path.join(resultsDir, 'submit-profile.json'), text);
  console.log(JSON.stringify({ ...result, topFunctionsMsPerSubmit: result.topFunctionsMsPerSubmit?.slice(0, 25) }, null, 2)); // prettier-ignore
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? (err.stack ?? err.message) : err);
  process.exit(1);
});
