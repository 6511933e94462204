/**
 * SQLite and PostgreSQL side by side in one run (issue 17, Performance).
 *
 *   npm run build && npm run bench:engines -- --data DIR [--pg-url postgres://postgres@127.0.0.1:5432/postgres]
 *     [--samples 40] [--sample-ms 4000] [--submit-seconds 10] [--connections 8] [--results bench/results]
 *
 * DIR is a generated dataset (bench/generate.ts --out DIR). It is copied to a scratch folder, and that copy into
 * a new PostgreSQL database (`callscore_bench`, dropped first) with the app's own `db:copy`, timed. Then the
 * built server runs twice on the same scratch folder, once on the SQLite file and once with DATABASE_URL, and
 * every page, dashboard and report case is measured on both, alternating case by case so the machine's other
 * work weighs on both alike. The raw reference: each route's statements captured from the compiled app, replayed
 * on a bare better-sqlite3 connection (SQLite) and under EXPLAIN ANALYZE (PostgreSQL: planning + execution time
 * as the server measured it). Last, submits per second: SQLite with one process, PostgreSQL with one and two.
 * Writes <results>/engines-<size>.json.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { buildApp, resolveApp } from './lib/app';
import { flagArg, numberArg, parseArgs, shortCount } from './lib/args';
import { credentials, headersFor, measureCase, type HttpCase } from './lib/cases';
import { CpuWatch, processJiffies } from './lib/cpu';
import {
  DATABASE_FILE,
  PROJECT_ROOT,
  RECORDINGS_DIR,
  cacheRoot,
  copyDataset,
  readManifest,
  type Manifest,
} from './lib/dataset';
import { submitLoad, teamTokens, type SubmitRun } from './lib/engine-submits';
import { enginesMarkdown } from './lib/engines-report';
import { createToken, request } from './lib/http';
import { capturePostgres, explainAnalyze, pgClient } from './lib/pg-capture';
import { freshCalls, openReadOnly, publishedRubric, teamSupervisors } from './lib/samples';
import { startServer, type ServerHandle } from './lib/server';
import { fmtMs, round, type Summary } from './lib/stats';
import { capture, replay } from './scenarios/raw-sql';
import { dashboardCases } from './scenarios/dashboards';
import { csrReviewId, reportCases, yearReportCases } from './scenarios/reports';

const DB_NAME = 'callscore_bench';
/** Fresh calls per submit run: 600/s for 10 s with room to spare. */
const POOL = 12_000;
type Engine = 'sqlite' | 'postgres';
const ENGINES: Engine[] = ['sqlite', 'postgres'];

function log(message: string): void {
  console.log(`[engines] ${message}`);
}

/** The call list cases the targets name (pages < 50 ms), for the supervisor, the manager and the admin. */
function callListCases(manifest: Manifest): HttpCase[] {
  const team = manifest.samples.supervisorTeamId;
  return [
    { id: 'calls-api-supervisor', label: 'call list API, newest first', kind: 'page', as: 'supervisor', auth: 'token', path: '/api/v1/calls' },
    { id: 'calls-page-supervisor', label: 'call list page, newest first', kind: 'page', as: 'supervisor', auth: 'session', path: '/calls' },
    { id: 'calls-page-team', label: `call list page, team ${team}`, kind: 'page', as: 'admin', auth: 'session', path: `/calls?team_id=${team}` },
    { id: 'calls-page-manager', label: 'call list page, manager (department)', kind: 'page', as: 'manager', auth: 'session', path: '/calls' },
  ]; // prettier-ignore
}

/** A new, empty PostgreSQL database for the copy; returns its URL. */
function freshDatabase(adminUrl: string): string {
  const psql = (command: string) => {
    const r = spawnSync('psql', [adminUrl, '-v', 'ON_ERROR_STOP=1', '-qc', command], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`psql ${command}: ${r.stderr}`);
  };
  psql(`drop database if exists ${DB_NAME} with (force)`);
  psql(`create database ${DB_NAME}`);
  const url = new URL(adminUrl);
  url.pathname = `/${DB_NAME}`;
  return url.toString();
}

/** The app's own `db:copy` (built), timed; it migrates the target, copies, verifies and analyses. */
function copyToPostgres(appDir: string, file: string, url: string): number {
  const started = performance.now();
  const r = spawnSync(process.execPath, ['dist/src/cli/db-copy.js', '--from', `sqlite:${file}`, '--to', url], {
    cwd: appDir,
    encoding: 'utf8',
    timeout: 3_600_000,
  });
  if (r.status !== 0) throw new Error(`db:copy failed:\n${r.stdout}\n${r.stderr}`);
  const lines = r.stdout.trim().split('\n');
  log(`  ${lines.at(-2) ?? ''} ${lines.at(-1) ?? ''}`);
  return Math.round(performance.now() - started);
}

interface CaseRow {
  id: string;
  label: string;
  kind: HttpCase['kind'];
  as: HttpCase['as'];
  path: string;
  app: Record<Engine, Summary>;
  raw: Record<Engine, Summary>;
  statements: Record<Engine, number>;
  ratio: Record<Engine, number>;
}

/** A draft with nothing answered on `callId`, made by the bench supervisor; returns its scoring form's path. */
async function scoringDraft(
  server: ServerHandle,
  manifest: Manifest,
  callId: number,
  rubricId: number,
): Promise<string> {
  const token = `Bearer ${await createToken(server.baseUrl, manifest.accounts.supervisor.username, manifest.password)}`;
  const res = await request(server.baseUrl, '/api/v1/evaluations', {
    method: 'POST',
    headers: { authorization: token, 'content-type': 'application/json' },
    body: JSON.stringify({ call_id: callId, rubric_id: rubricId, answers: [], submit: false }),
  });
  if (res.status !== 201) throw new Error(`draft: ${res.status} ${res.body.toString('utf8').slice(0, 300)}`);
  return `/evaluations/${(JSON.parse(res.body.toString('utf8')) as { id: number }).id}/score`;
}

/**
 * Waits until both servers' start-up catch-up has brought every report roll-up up to date: the steady state of
 * a running installation. A generated dataset starts with every day of its year stale (the bulk load's triggers
 * mark them), and the catch-up recomputes them in the background after listening, on the same cores and, on
 * SQLite, the same event loop as the requests; measured beside it, the first cases paid for it. Returns the time
 * it took (a figure of its own: a full roll-up rebuild at this size).
 */
async function rollupsSettled(dbFile: string, client: import('pg').Client, limitMs = 3_600_000): Promise<number> {
  const started = performance.now();
  const bare = new SQLite(dbFile, { readonly: true, fileMustExist: true });
  const stale = 'select count(*) as n from rollup_dirty';
  try {
    for (let lastLog = started; ;) {
      const sqliteLeft = Number((bare.prepare(stale).get() as { n: number }).n);
      const pgLeft = Number((await client.query<{ n: string }>(stale)).rows[0]?.n ?? 0);
      const elapsed = performance.now() - started;
      if (sqliteLeft === 0 && pgLeft === 0) return Math.round(elapsed);
      if (elapsed > limitMs)
        throw new Error(`roll-ups still stale after ${limitMs} ms: ${sqliteLeft} / ${pgLeft} days`);
      if (performance.now() - lastLog > 30_000) {
        log(`  waiting for the start-up roll-up catch-up: ${sqliteLeft} stale days on SQLite, ${pgLeft} on PostgreSQL`);
        lastLog = performance.now();
      }
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  } finally {
    bare.close();
  }
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const data = path.resolve(args.get('data') ?? '');
  const manifest = readManifest(data);
  if (!manifest) throw new Error(`--data ${data}: no generated dataset there (bench/generate.ts --out DIR)`);
  const adminUrl = args.get('pg-url') ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const opts = { samples: numberArg(args, 'samples', 40), sampleMs: numberArg(args, 'sample-ms', 4000) };
  const submitSeconds = numberArg(args, 'submit-seconds', 10);
  const connections = numberArg(args, 'connections', 8);
  const resultsDir = path.resolve(args.get('results') ?? path.join(PROJECT_ROOT, 'bench', 'results'));
  const app = resolveApp(undefined, cacheRoot());
  // The server and db:copy run from dist/: built from the working tree first, as bench/run.ts does. What was
  // built is the commit and the tree as they are now, not when the run ends (edits meanwhile are not in it).
  log(`built in ${buildApp(app)} ms`);
  const built = {
    commit: spawnSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: PROJECT_ROOT, encoding: 'utf8' }).stdout.trim(),
    dirty:
      spawnSync('git', ['status', '--porcelain', '--untracked-files=no', '--', '.', ':!bench/results'], {
        cwd: PROJECT_ROOT,
        encoding: 'utf8',
      }).stdout.trim().length > 0,
  };
  const size = manifest.counts.calls;
  const load = [os.loadavg()[0]];
  const watch = new CpuWatch();

  fs.mkdirSync(cacheRoot(), { recursive: true });
  const workDir = fs.mkdtempSync(path.join(cacheRoot(), `engines-${process.pid}-`));
  await copyDataset(data, workDir);
  const dbFile = path.join(workDir, DATABASE_FILE);
  // The PostgreSQL server's own DATA_DIR (the recordings, without the SQLite file): no folder is shared.
  const pgDir = `${workDir}-pg`;
  fs.cpSync(path.join(workDir, RECORDINGS_DIR), path.join(pgDir, RECORDINGS_DIR), { recursive: true });
  const url = freshDatabase(adminUrl);
  log(`copying ${shortCount(size)} calls into PostgreSQL (${DB_NAME}) with db:copy…`);
  const copyMs = copyToPostgres(app.dir, dbFile, url);
  log(`  db:copy took ${(copyMs / 1000).toFixed(1)} s`);

  const ro = openReadOnly(workDir);
  const rubric = publishedRubric(ro);
  const [draftCall] = freshCalls(ro, 1, manifest.accounts.supervisor.teamIds);
  const pool = freshCalls(ro, 3 * POOL + 1).filter((c) => c.id !== draftCall.id);
  const supervisorOf = teamSupervisors(ro);
  ro.close();

  const cases = [
    ...callListCases(manifest),
    ...dashboardCases(manifest),
    ...reportCases(manifest, csrReviewId({ workDir, manifest })),
    ...yearReportCases(manifest),
  ];
  const servers: Record<Engine, ServerHandle> = {
    // Both catch up at once; rollupsSettled() below waits for the two.
    sqlite: await startServer({ app, dataDir: workDir, scryptLogN: manifest.scryptLogN, settle: false }),
    postgres: await startServer({ app, dataDir: pgDir, scryptLogN: manifest.scryptLogN, env: { DATABASE_URL: url } }),
  };
  const settleClient = await pgClient(app, url);
  const rollupCatchUpMs = await rollupsSettled(dbFile, settleClient).finally(() => settleClient.end());
  log(`  start-up roll-up catch-up done on both engines after ${(rollupCatchUpMs / 1000).toFixed(1)} s`);
  for (const e of ENGINES) {
    const draftPath = await scoringDraft(servers[e], manifest, draftCall.id, rubric.id);
    if (e === 'sqlite')
      cases.push({
        id: 'scoring-form',
        label: 'scoring form of a new draft',
        kind: 'page',
        as: 'supervisor',
        auth: 'session',
        path: draftPath,
      });
    else if (cases.at(-1)!.path !== draftPath)
      throw new Error(`the drafts differ: ${cases.at(-1)!.path} vs ${draftPath}`);
  }
  const creds = {
    sqlite: await credentials(servers.sqlite.baseUrl, manifest, ['admin', 'manager', 'supervisor', 'csr']),
    postgres: await credentials(servers.postgres.baseUrl, manifest, ['admin', 'manager', 'supervisor', 'csr']),
  };
  const appTimes = new Map<string, Record<Engine, Summary>>();
  for (const c of cases) {
    const row = {} as Record<Engine, Summary>;
    for (const e of ENGINES) {
      try {
        row[e] = (await measureCase(servers[e].baseUrl, c, headersFor(c, creds[e]), opts)).latency;
      } catch (err) {
        throw new Error(
          `${e}: ${(err as Error).message.slice(0, 200)}\n${e} server log:\n${servers[e].logLines.join('\n')}`,
          { cause: err },
        );
      }
    }
    appTimes.set(c.id, row);
    log(`  ${c.id.padEnd(28)} sqlite ${fmtMs(row.sqlite.median)} ms, postgres ${fmtMs(row.postgres.median)} ms`);
  }
  for (const e of ENGINES) {
    watch.addServer(processJiffies(servers[e].pid));
    await servers[e].stop();
  }
  load.push(os.loadavg()[0]);

  log('capturing each route’s SQL (compiled app in-process) on both engines…');
  const sqliteStatements = await capture({ app, workDir, manifest }, cases);
  const pgStatements = await capturePostgres(app, url, pgDir, manifest, cases);
  const bare = new SQLite(dbFile, { fileMustExist: true });
  const client = await pgClient(app, url);
  const rows: CaseRow[] = [];
  try {
    for (const c of cases) {
      const a = appTimes.get(c.id)!;
      const sqliteRaw = replay(bare, sqliteStatements.get(c.id) ?? [], opts.samples, opts.sampleMs);
      const pgRaw = await explainAnalyze(client, pgStatements.get(c.id) ?? [], opts.samples, opts.sampleMs);
      const ratio = (app: Summary, raw: Summary) => round(app.median / Math.max(raw.median, 0.01), 2);
      rows.push({
        id: c.id,
        label: c.label,
        kind: c.kind,
        as: c.as,
        path: c.path,
        app: a,
        raw: { sqlite: sqliteRaw, postgres: pgRaw },
        statements: { sqlite: sqliteStatements.get(c.id)?.length ?? 0, postgres: pgStatements.get(c.id)?.length ?? 0 },
        ratio: { sqlite: ratio(a.sqlite, sqliteRaw), postgres: ratio(a.postgres, pgRaw) },
      });
      log(
        `  ${c.id.padEnd(28)} raw sqlite ${fmtMs(sqliteRaw.median)} ms, postgres EXPLAIN ANALYZE ${fmtMs(pgRaw.median)} ms`,
      );
    }
  } finally {
    bare.close();
    await client.end();
  }

  const submits: SubmitRun[] = [];
  if (!flagArg(args, 'no-submits')) {
    const slice = (i: number) => pool.slice(i * POOL, (i + 1) * POOL);
    const runs: Array<{ label: string; env: Record<string, string>; processes: number }> = [
      { label: 'SQLite, 1 process', env: {}, processes: 1 },
      { label: 'PostgreSQL, 1 process', env: { DATABASE_URL: url }, processes: 1 },
      { label: 'PostgreSQL, 2 processes', env: { DATABASE_URL: url }, processes: 2 },
    ];
    for (const [i, run] of runs.entries()) {
      const started: ServerHandle[] = [];
      try {
        for (let p = 0; p < run.processes; p += 1) {
          started.push(
            await startServer({
              app,
              dataDir: run.env.DATABASE_URL ? pgDir : workDir,
              scryptLogN: manifest.scryptLogN,
              env: run.env,
            }),
          );
        }
        const targets = [];
        for (const s of started)
          targets.push({
            baseUrl: s.baseUrl,
            pid: s.pid,
            tokens: await teamTokens(s.baseUrl, manifest.password, supervisorOf),
          });
        const result = await submitLoad(run.label, targets, rubric, slice(i), connections, submitSeconds);
        submits.push(result);
        log(
          `  submits, ${run.label}: ${result.submitsPerSec}/s (${result.created} created, other answers ${JSON.stringify(result.non201)}, medians ${result.latencyMedianMs.join(', ')} ms)`,
        );
      } finally {
        for (const s of started) {
          watch.addServer(processJiffies(s.pid));
          await s.stop();
        }
      }
    }
  }
  load.push(os.loadavg()[0]);
  const cpu = watch.stop();
  const out = {
    when: new Date().toISOString(),
    commit: built.commit,
    dirty: built.dirty,
    node: process.version,
    cores: os.cpus().length,
    size,
    dataset: manifest.counts,
    loadAverage: load,
    otherCpuShare: cpu.otherShare,
    copyToPostgresMs: copyMs,
    rollupCatchUpMs,
    cases: rows,
    submits,
  };
  fs.mkdirSync(resultsDir, { recursive: true });
  const file = path.join(resultsDir, `engines-${shortCount(size).toLowerCase()}.json`);
  fs.writeFileSync(file, `${JSON.stringify(out, null, 2)}\n`);
  fs.writeFileSync(file.replace(/\.json$/, '.md'), enginesMarkdown(out));
  log(`wrote ${file} (load ${load.map((l) => l.toFixed(2)).join(' → ')}, others' CPU share ${cpu.otherShare})`);
  fs.rmSync(workDir, { recursive: true, force: true });
  fs.rmSync(pgDir, { recursive: true, force: true });
}

main().catch((err) => {
  console.error(err instanceof Error ? (err.stack ?? err.message) : err);
  process.exit(1);
});
