/**
 * One submit, profiled and set beside its own SQL (issue 21):
 *
 *   node_modules/.bin/tsx bench/submit-profile.ts --data DATASET_DIR [--submits 300] [--out DIR]
 *
 * DATASET_DIR is a generated dataset (bench/generate.ts --out, or one in $BENCH_CACHE_DIR/datasets). Two scratch
 * copies are made. On copy A the built server (dist/) runs with `--cpu-prof`; the bench supervisor submits
 * `--submits` fresh calls one at a time on one keep-alive connection (POST /api/v1/evaluations, submit: true),
 * timed. The same submits are captured statement by statement from the compiled app in this process on copy B
 * (lib/capture.ts), and replayed on a fresh copy C, each submit's statements in their own transaction on a bare
 * better-sqlite3 connection with the app's pragmas (WAL, synchronous = FULL): the raw transaction time. The
 * profile's self time is summed per function and per file/package, so what dominates a submit is named.
 */
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { numberArg, parseArgs } from './lib/args';
import { resolveApp } from './lib/app';
import { startInProcess } from './lib/capture';
import { DATABASE_FILE, cacheRoot, copyDataset, readManifest } from './lib/dataset';
import { createToken, request } from './lib/http';
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

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

function body(rubric: SampleRubric, call: FreshCall, i: number): string {
  return JSON.stringify({ call_id: call.id, rubric_id: rubric.id, answers: answersFor(rubric, i), comment: 'Bench.', submit: true, time_spent_s: 240 }); // prettier-ignore
}

/** Self time per function and per file (a package under node_modules counts as one), in ms. */
function selfTimes(profile: CpuProfile): { byFunction: Array<[string, number]>; byFile: Array<[string, number]> } {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const fn = new Map<string, number>();
  const file = new Map<string, number>();
  profile.samples.forEach((id, i) => {
    const node = byId.get(id);
    if (!node) return;
    const ms = (profile.timeDeltas[i] ?? 0) / 1000;
    const { functionName, url, lineNumber } = node.callFrame;
    const where = url.replace(/^file:\/\//, '');
    const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(where)?.[1];
    const fileKey = pkg
      ? `npm:${pkg}`
      : where.includes('/dist/')
        ? where.slice(where.indexOf('/dist/') + 1)
        : where || `(${functionName})`;
    const fnKey = `${functionName || '(anonymous)'} ${fileKey}:${lineNumber + 1}`;
    fn.set(fnKey, (fn.get(fnKey) ?? 0) + ms);
    file.set(fileKey, (file.get(fileKey) ?? 0) + ms);
  });
  const sorted = (m: Map<string, number>) =>
    [...m.entries()].sort((a, b) => b[1] - a[1]).map(([k, v]) => [k, round(v)] as [string, number]);
  return { byFunction: sorted(fn), byFile: sorted(file) };
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const data = args.get('data');
  if (!data) throw new Error('--data DATASET_DIR is required');
  const manifest = readManifest(data);
  if (!manifest) throw new Error(`${data} has no bench manifest`);
  const submits = numberArg(args, 'submits', 300);
  const out = path.resolve(args.get('out') ?? path.join(cacheRoot(), 'submit-profile'));
  const app = resolveApp(undefined, cacheRoot());
  fs.rmSync(out, { recursive: true, force: true });
  const [copyA, copyB, copyC] = ['a', 'b', 'c'].map((n) => path.join(out, n));
  for (const dir of [copyA, copyB, copyC]) await copyDataset(data, dir);
  const ro = openReadOnly(copyA);
  const rubric = publishedRubric(ro);
  const calls = freshCalls(ro, submits * 2 + 20, manifest.accounts.supervisor.teamIds);
  ro.close();
  if (calls.length < submits * 2 + 20) throw new Error(`only ${calls.length} unscored calls in the supervisor's teams`);
  const loadBefore = os.loadavg();

  // 1. The app over HTTP, profiled.
  const profDir = path.join(out, 'profile');
  const server = await startServer({
    app,
    dataDir: copyA,
    scryptLogN: manifest.scryptLogN,
    nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${profDir}`],
  });
  const appTimes: number[] = [];
  try {
    const token = await createToken(server.baseUrl, manifest.accounts.supervisor.username, manifest.password);
    const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    for (let i = 0; i < submits + 20; i += 1) {
      const res = await request(server.baseUrl, '/api/v1/evaluations', {
        method: 'POST',
        headers,
        body: body(rubric, calls[i]!, i),
        keepBody: false,
      });
      if (res.status !== 201) throw new Error(`submit answered ${res.status}`);
      if (i >= 20) appTimes.push(res.ms);
    }
  } finally {
    await server.stop();
  }

  // 2. The same kind of submits captured in-process on copy B, replayed on copy C in raw transactions.
  const inProcess = await startInProcess(app, copyB, manifest.scryptLogN);
  const captured: Array<Array<{ sql: string; params: unknown[] }>> = [];
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  try {
    const token = await createToken(inProcess.baseUrl, manifest.accounts.supervisor.username, manifest.password);
    const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    for (let i = 0; i < submits; i += 1) {
      inProcess.captured.length = 0;
      const res = await request(inProcess.baseUrl, '/api/v1/evaluations', {
        method: 'POST',
        headers,
        body: body(rubric, calls[submits + 20 + i]!, i),
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
  const raw = new SQLite(path.join(copyC, DATABASE_FILE), { fileMustExist: true });
  raw.pragma('journal_mode = WAL');
  raw.pragma('foreign_keys = ON');
  raw.pragma('synchronous = FULL');
  const statements = new Map<string, SQLite.Statement>();
  const rawTimes: number[] = [];
  for (const submit of captured) {
    const t = performance.now();
    raw.exec('begin immediate');
    for (const q of submit) {
      if (/^\s*(begin|commit|rollback|savepoint|release)\b/i.test(q.sql)) continue;
      let stmt = statements.get(q.sql);
      if (!stmt) statements.set(q.sql, (stmt = raw.prepare(q.sql)));
      if (stmt.reader) stmt.all(...(q.params as unknown[]));
      else stmt.run(...(q.params as unknown[]));
    }
    raw.exec('commit');
    rawTimes.push(performance.now() - t);
  }
  raw.close();

  const profileFile = fs.readdirSync(profDir).find((f) => f.endsWith('.cpuprofile'));
  const times = profileFile
    ? selfTimes(JSON.parse(fs.readFileSync(path.join(profDir, profileFile), 'utf8')) as CpuProfile)
    : null;
  const appSummary = summarize(appTimes);
  const rawSummary = summarize(rawTimes);
  const result = {
    date: new Date().toISOString(),
    node: process.version,
    dataset: { calls: manifest.options.calls, dir: data },
    submits,
    loadAvgBefore: loadBefore.map((v) => round(v)),
    loadAvgAfter: os.loadavg().map((v) => round(v)),
    statementsPerSubmit: captured[0]?.length ?? 0,
    app: appSummary,
    raw: rawSummary,
    ratio: round(appSummary.median / rawSummary.median),
    profile: profileFile ? path.join(profDir, profileFile) : null,
    topFiles: times?.byFile.slice(0, 25),
    topFunctions: times?.byFunction.slice(0, 40),
  };
  fs.writeFileSync(path.join(out, 'submit-profile.json'), `${JSON.stringify(result, null, 2)}\n`);
  console.log(JSON.stringify({ ...result, topFunctions: result.topFunctions?.slice(0, 25) }, null, 2));
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? (err.stack ?? err.message) : err);
  process.exit(1);
});
