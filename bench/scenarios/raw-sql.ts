/**
 * The physical reference for every page and report: the app's median over HTTP beside the median of the very
 * SQL the route runs (captured from the compiled app in this process, then replayed in order on a bare
 * better-sqlite3 connection), and the ratio. A ratio near 1 means the time is in the SQL (a storage question);
 * a high one means it is in Node, Express or the templates.
 */
import http from 'node:http';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { shortCount } from '../lib/args';
import { TARGET_SIZE, credentials, headersFor, logCase, measureCase, type HttpCase } from '../lib/cases';
import { startInProcess } from '../lib/capture';
import { DATABASE_FILE } from '../lib/dataset';
import { request } from '../lib/http';
import { fmtMs, round, summarize, type Summary } from '../lib/stats';
import { dashboardCases } from './dashboards';
import { csrReviewId, reportCases } from './reports';
import { defineScenario, type Check, type ScenarioContext } from './types';

/** Target: a page or report costs at most this many times its SQL, plus the fixed cost of any request. */
const RATIO_TARGET = 2;
const FIXED_MS = 2;

interface Statement {
  sql: string;
  params: unknown[];
}

export interface RawCase {
  id: string;
  label: string;
  kind: HttpCase['kind'];
  as: HttpCase['as'];
  path: string;
  app: Summary;
  raw: Summary;
  statements: number;
  writes: number;
  /** app median ÷ raw median. */
  ratio: number;
}

export interface RawResult {
  size: number;
  cases: RawCase[];
}

/** The statements of each case's second request, in the order the app ran them. */
export async function capture(
  ctx: Pick<ScenarioContext, 'app' | 'workDir' | 'manifest'>,
  cases: HttpCase[],
): Promise<Map<string, Statement[]>> {
  const inProcess = await startInProcess(ctx.app, ctx.workDir, ctx.manifest.scryptLogN);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const out = new Map<string, Statement[]>();
  try {
    const creds = await credentials(inProcess.baseUrl, ctx.manifest, [...new Set(cases.map((c) => c.as))]);
    for (const c of cases) {
      const send = () => request(inProcess.baseUrl, c.path, { headers: headersFor(c, creds), agent, keepBody: false });
      await send();
      inProcess.captured.length = 0;
      const res = await send();
      if (res.status !== 200) throw new Error(`capture ${c.id}: ${res.status}`);
      out.set(
        c.id,
        inProcess.captured.map((q) => ({ sql: q.sql, params: q.params })),
      );
    }
  } finally {
    agent.destroy();
    await inProcess.close();
  }
  return out;
}

/**
 * Replays a route's statements in order on a bare connection, each prepared once (as a statement cache would),
 * inside a transaction rolled back so writes (a session's expiry, say) can repeat: one warm-up, then up to
 * `samples` runs or `sampleMs`, at least 5.
 */
export function replay(db: SQLite.Database, statements: Statement[], samples: number, sampleMs: number): Summary {
  const prepared = statements.map((s) => ({ stmt: db.prepare(s.sql), params: s.params }));
  const once = () => {
    db.exec('begin');
    try {
      for (const { stmt, params } of prepared) {
        if (stmt.reader) stmt.all(...params);
        else stmt.run(...params);
      }
    } finally {
      db.exec('rollback');
    }
  };
  once();
  const times: number[] = [];
  const started = performance.now();
  while (times.length < samples && (times.length < 5 || performance.now() - started < sampleMs)) {
    const t = performance.now();
    once();
    times.push(performance.now() - t);
  }
  return summarize(times);
}

async function run(ctx: ScenarioContext): Promise<RawResult> {
  const cases = [...dashboardCases(ctx.manifest), ...reportCases(ctx.manifest, csrReviewId(ctx))];
  const opts = { samples: ctx.options.sequentialSamples, sampleMs: ctx.options.sequentialMs };
  const appTimes = new Map<string, Summary>();
  const server = await ctx.startServer();
  try {
    const creds = await credentials(server.baseUrl, ctx.manifest, [...new Set(cases.map((c) => c.as))]);
    for (const c of cases) {
      const m = await measureCase(server.baseUrl, c, headersFor(c, creds), opts);
      logCase(ctx.log, m);
      appTimes.set(c.id, m.latency);
    }
  } finally {
    await server.stop();
  }
  ctx.log('  capturing each route’s SQL (compiled app in-process) and replaying it on a bare connection…');
  const captured = await capture(ctx, cases);
  const db = new SQLite(path.join(ctx.workDir, DATABASE_FILE), { fileMustExist: true });
  const out: RawCase[] = [];
  try {
    for (const c of cases) {
      const statements = captured.get(c.id) ?? [];
      const raw = replay(db, statements, opts.samples, opts.sampleMs);
      const app = appTimes.get(c.id)!;
      const writes = statements.filter((s) => !/^\s*(select|with)\b/i.test(s.sql)).length;
      const ratio = round(app.median / Math.max(raw.median, 0.01), 2);
      out.push({
        id: c.id,
        label: c.label,
        kind: c.kind,
        as: c.as,
        path: c.path,
        app,
        raw,
        statements: statements.length,
        writes,
        ratio,
      });
      ctx.log(
        `  ${c.id.padEnd(30)} app ${fmtMs(app.median)} ms, SQL ${fmtMs(raw.median)} ms (${statements.length} statements): ${ratio}×`,
      );
    }
  } finally {
    db.close();
  }
  return { size: ctx.size, cases: out };
}

function passes(c: RawCase): boolean {
  return c.app.median <= RATIO_TARGET * c.raw.median + FIXED_MS;
}

function report(all: Array<{ size: number; result: RawResult }>) {
  const sizes = all.map((r) => r.size).sort((a, b) => a - b);
  const md = [
    '## Pages and reports beside their own SQL (`raw-sql`)',
    '',
    'Each page and report as the app serves it (median over HTTP, one keep-alive connection) beside the median of ' +
      'the statements its second request ran (captured from the compiled app, replayed in order on a bare ' +
      'better-sqlite3 connection, each prepared once, in a transaction rolled back). ' +
      `✅/❌: app median ≤ ${RATIO_TARGET}× the SQL + ${FIXED_MS} ms.`,
    '',
    '| calls | case | as | app median ms | SQL median ms | statements (writes) | app ÷ SQL |',
    '|---|---|---|---|---|---|---|',
  ];
  for (const s of sizes) {
    for (const c of all.find((r) => r.size === s)!.result.cases) {
      md.push(
        `| ${shortCount(s)} | ${c.id} (${c.label}) | ${c.as} | ${fmtMs(c.app.median)} | ${fmtMs(c.raw.median)} | ${c.statements} (${c.writes}) | ${c.ratio}× ${passes(c) ? '✅' : '❌'} |`,
      );
    }
  }
  const largest = all.find((r) => r.size === TARGET_SIZE) ?? all.find((r) => r.size === sizes.at(-1));
  const checks: Check[] = [];
  if (largest) {
    const judged = largest.result.cases.filter((c) => c.kind !== 'info');
    const bad = judged.filter((c) => !passes(c));
    const worst = [...judged].sort((a, b) => b.ratio - a.ratio)[0];
    checks.push({
      target: `Every page and report ≤ ${RATIO_TARGET}× its raw SQL + ${FIXED_MS} ms (median, ${shortCount(largest.size)} calls)`,
      measured: `${judged.length - bad.length} of ${judged.length} pass; highest ratio ${worst?.id} ${worst?.ratio}× (${fmtMs(worst?.app.median)} vs ${fmtMs(worst?.raw.median)} ms)`,
      pass: bad.length === 0,
    });
  }
  return { json: { sizes: Object.fromEntries(all.map((r) => [r.size, r.result])) }, markdown: md.join('\n'), checks };
}

export const rawSqlScenario = defineScenario<RawResult>({
  name: 'raw-sql',
  title: 'Pages and reports beside the median of their own SQL on a bare connection',
  sizes: 'all',
  run,
  report,
});
