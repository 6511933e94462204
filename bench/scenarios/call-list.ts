import path from 'node:path';
import { shortCount } from '../lib/args';
import { DATABASE_FILE } from '../lib/dataset';
import { explainCallList, type ExplainedCase } from '../lib/explain';
import { createToken, request, signIn } from '../lib/http';
import { runLoad, type LoadResult } from '../lib/load';
import { readMemory } from '../lib/rss';
import { fmtMs, mb, round, summarize, type Summary } from '../lib/stats';
import { defineScenario, type Check, type ScenarioContext } from './types';

/** The issue's targets for the call list. */
export const LIST_MEDIAN_TARGET_MS = 50;
export const LIST_GROWTH_TARGET = 2;
const TARGET_SIZE = 1_000_000;
const BASE_SIZE = 100_000;

type Role = 'admin' | 'manager' | 'supervisor';

interface CaseDef {
  id: string;
  label: string;
  /** baseline: not a call list; shows the fixed cost of a request (auth, session, logging) for comparison. */
  kind: 'api' | 'page' | 'baseline';
  role: Role;
  auth: 'token' | 'session' | 'none';
  path: string;
}

interface CaseResult extends CaseDef {
  status: number;
  /** Items on the first page (API) or rows in the table (page). */
  items: number | null;
  /** "N calls match" on the page (the count query); null for the API, which does not count. */
  total: number | null;
  latency: Summary;
}

export interface CallListResult {
  size: number;
  datasetKey: string;
  databaseBytes: number;
  startupMs: number;
  /** RSS 0.5 s after start-up and sign-in (start-up reads every stored recording's row, so garbage is included). */
  rssIdleBytes: number;
  /** RSS after the sequential cases, before any load. */
  rssAfterSequentialBytes: number;
  cases: CaseResult[];
  loads: LoadResult[];
  explain: ExplainedCase[];
  serverLog: string[];
}

function daysBefore(day: string, days: number): string {
  return new Date(Date.parse(`${day}T00:00:00.000Z`) - days * 86_400_000).toISOString().slice(0, 10);
}

export function callListCases(ctx: Pick<ScenarioContext, 'manifest'>): CaseDef[] {
  const m = ctx.manifest;
  const range = `from=${daysBefore(m.period.to, 29)}&to=${m.period.to}`;
  const team = m.samples.supervisorTeamId;
  const filters: Array<[string, string, string]> = [
    ['newest', 'newest first (no filter)', ''],
    ['team-30d', `team ${team} + last 30 days`, `team_id=${team}&${range}`],
    [
      'agent',
      `agent ${m.samples.agentInSupervisorTeam}`,
      `agent=${encodeURIComponent(m.samples.agentInSupervisorTeam)}`,
    ],
    ['category', `category "${m.samples.category}"`, `category=${encodeURIComponent(m.samples.category)}`],
    ['not-evaluated', 'not yet evaluated', 'evaluated=false'],
    ['longest', 'sorted by duration, longest first', 'sort=duration_s&order=desc'],
  ];
  const pageFilters = filters.filter(([id]) => ['newest', 'team-30d', 'longest'].includes(id));
  const cases: CaseDef[] = [
    { id: 'baseline-healthz', label: 'GET /healthz (no auth, one tiny query)', kind: 'baseline', role: 'admin', auth: 'none', path: '/healthz' },
    { id: 'baseline-me', label: 'GET /api/v1/me (bearer token, no call query)', kind: 'baseline', role: 'admin', auth: 'token', path: '/api/v1/me' },
    { id: 'baseline-profile', label: 'GET /profile page (session, no call query)', kind: 'baseline', role: 'admin', auth: 'session', path: '/profile' },
  ]; // prettier-ignore
  for (const role of ['supervisor', 'admin'] as const) {
    for (const [id, label, qs] of filters) {
      const path = `/api/v1/calls${qs ? `?${qs}` : ''}`;
      cases.push({ id: `api-${id}-${role}`, label, kind: 'api', role, auth: 'token', path });
    }
  }
  for (const role of ['supervisor', 'admin'] as const) {
    for (const [id, label, qs] of pageFilters) {
      cases.push({
        id: `page-${id}-${role}`,
        label,
        kind: 'page',
        role,
        auth: 'session',
        path: `/calls${qs ? `?${qs}` : ''}`,
      });
    }
  }
  // A manager's scope is a whole department (10 teams with the defaults): the widest team list.
  cases.push(
    { id: 'api-newest-manager', label: 'newest first (no filter)', kind: 'api', role: 'manager', auth: 'token', path: '/api/v1/calls' },
    { id: 'page-newest-manager', label: 'newest first (no filter)', kind: 'page', role: 'manager', auth: 'session', path: '/calls' },
  ); // prettier-ignore
  return cases;
}

function inspect(kind: CaseDef['kind'], body: Buffer): { items: number | null; total: number | null } {
  const text = body.toString('utf8');
  if (kind === 'baseline') return { items: null, total: null };
  if (kind === 'api') {
    const parsed = JSON.parse(text) as { items?: unknown[] };
    return { items: parsed.items?.length ?? null, total: null };
  }
  const total = /<strong>([\d,]+)<\/strong> calls? match/.exec(text)?.[1];
  const rows = text.match(/<tr[\s>]/g)?.length ?? 1;
  return { items: Math.max(0, rows - 1), total: total ? Number(total.replace(/,/g, '')) : null };
}

/** The call-list cases, without the baselines: these are what the targets apply to. */
function lists<T extends { kind: CaseDef['kind'] }>(cases: T[]): T[] {
  return cases.filter((c) => c.kind !== 'baseline');
}

async function run(ctx: ScenarioContext): Promise<CallListResult> {
  const { manifest, options } = ctx;
  const cases = callListCases(ctx);
  const server = await ctx.startServer();
  let result: Omit<CallListResult, 'explain'>;
  try {
    const auth: Record<Role, Record<string, string>> = { admin: {}, manager: {}, supervisor: {} };
    const cookies: Record<Role, Record<string, string>> = { admin: {}, manager: {}, supervisor: {} };
    for (const role of ['admin', 'manager', 'supervisor'] as const) {
      const username = manifest.accounts[role].username;
      auth[role] = { authorization: `Bearer ${await createToken(server.baseUrl, username, manifest.password)}` };
      cookies[role] = { cookie: await signIn(server.baseUrl, username, manifest.password) };
    }
    const headersFor = (c: CaseDef) =>
      c.auth === 'token' ? auth[c.role] : c.auth === 'session' ? cookies[c.role] : {};
    await new Promise((r) => setTimeout(r, 500));
    const rssIdleBytes = readMemory(server.pid)?.rss ?? 0;

    const results: CaseResult[] = [];
    for (const c of cases) {
      const headers = headersFor(c);
      const first = await request(server.baseUrl, c.path, { headers });
      if (first.status !== 200) {
        throw new Error(`${c.id}: ${c.path} answered ${first.status}: ${first.body.toString('utf8').slice(0, 300)}`);
      }
      const seen = inspect(c.kind, first.body);
      // Two more warm-ups, unless the case is slow enough that they would only cost time.
      for (let i = 0; i < 2 && first.ms < 500; i += 1) await request(server.baseUrl, c.path, { headers });
      const times: number[] = [];
      const started = performance.now();
      while (
        times.length < options.sequentialSamples &&
        (times.length < 5 || performance.now() - started < options.sequentialMs)
      ) {
        const res = await request(server.baseUrl, c.path, { headers, keepBody: false });
        if (res.status !== 200) throw new Error(`${c.id}: ${res.status} during measurement`);
        times.push(res.ms);
      }
      const latency = summarize(times);
      results.push({ ...c, status: first.status, ...seen, latency });
      ctx.log(
        `  ${c.id.padEnd(28)} median ${fmtMs(latency.median).padStart(6)} ms  p95 ${fmtMs(latency.p95).padStart(6)} ms  (n=${latency.n})`,
      );
    }
    const rssAfterSequentialBytes = readMemory(server.pid)?.rss ?? 0;

    const loads: LoadResult[] = [];
    for (const kind of ['api', 'page'] as const) {
      const mix = cases.filter((c) => c.kind === kind);
      const load = await runLoad({
        baseUrl: server.baseUrl,
        pid: server.pid,
        title: kind === 'api' ? 'GET /api/v1/calls mix' : 'GET /calls page mix',
        connections: options.connections,
        durationS: options.loadSeconds,
        requests: mix.map((c) => ({ path: c.path, headers: headersFor(c) })),
      });
      loads.push(load);
      ctx.log(
        `  load ${load.title}: ${load.requestsPerSec} req/s, median ${fmtMs(load.latency.median)} ms, ` +
          `p95 ${fmtMs(load.latency.p95)} ms, non-2xx ${load.non2xx}, RSS peak ${mb(load.rssPeakBytes)} MB, ` +
          `backlog drained in ${load.drainMs} ms`,
      );
    }
    result = {
      size: ctx.size,
      datasetKey: manifest.key,
      databaseBytes: manifest.databaseBytes,
      startupMs: server.startupMs,
      rssIdleBytes,
      rssAfterSequentialBytes,
      cases: results,
      loads,
      serverLog: server.logLines,
    };
  } finally {
    await server.stop();
  }

  // After the server is gone: the same service calls in-process, to see the SQL, its plan and its cost.
  const explain = await explainCallList(
    ctx.app,
    path.join(ctx.workDir, DATABASE_FILE),
    lists(cases).map((c) => ({
      name: c.id,
      username: manifest.accounts[c.role].username,
      query: Object.fromEntries(new URL(c.path, 'http://x').searchParams),
      page: c.kind === 'page',
    })),
  );
  return { ...result, explain };
}

function report(all: Array<{ size: number; result: CallListResult }>) {
  const sizes = all.map((r) => r.size).sort((a, b) => a - b);
  const bySize = new Map(all.map((r) => [r.size, r.result]));
  const largest = bySize.get(sizes.at(-1)!)!;
  const target = bySize.get(TARGET_SIZE);
  const base = bySize.get(BASE_SIZE);
  const checks: Check[] = [];

  // Per-case ratio between the largest and smallest size (the issue: 1M vs 100k).
  const ratios = lists(largest.cases).map((c) => {
    const small = (base ?? bySize.get(sizes[0])!).cases.find((x) => x.id === c.id);
    const ratio = small ? round(c.latency.median / small.latency.median, 2) : null;
    return { id: c.id, ratio };
  });

  if (target) {
    const listCases = lists(target.cases);
    const misses = listCases.filter((c) => c.latency.median >= LIST_MEDIAN_TARGET_MS);
    const worst = [...listCases].sort((a, b) => b.latency.median - a.latency.median)[0];
    checks.push({
      target: `Call list (API and /calls page) median < ${LIST_MEDIAN_TARGET_MS} ms at 1,000,000 calls`,
      measured: `${listCases.length - misses.length} of ${listCases.length} cases pass; slowest ${worst.id} ${fmtMs(worst.latency.median)} ms (p95 ${fmtMs(worst.latency.p95)} ms)`,
      pass: misses.length === 0,
    });
  } else {
    checks.push({
      target: `Call list median < ${LIST_MEDIAN_TARGET_MS} ms at 1,000,000 calls`,
      measured: `not run at 1,000,000 calls (largest: ${shortCount(sizes.at(-1)!)})`,
      pass: null,
    });
  }
  if (target && base) {
    const bad = ratios.filter((r) => r.ratio !== null && r.ratio > LIST_GROWTH_TARGET);
    const worst = [...ratios].sort((a, b) => (b.ratio ?? 0) - (a.ratio ?? 0))[0];
    checks.push({
      target: `Call list latency at 1M ≤ ${LIST_GROWTH_TARGET}× its latency at 100k (median, per case)`,
      measured: `${ratios.length - bad.length} of ${ratios.length} cases pass; worst ${worst.id} ${worst.ratio}×`,
      pass: bad.length === 0,
    });
  } else {
    checks.push({
      target: `Call list latency at 1M ≤ ${LIST_GROWTH_TARGET}× its latency at 100k`,
      measured: 'needs both --sizes 100000 and 1000000',
      pass: null,
    });
  }

  const md: string[] = ['## Call list (`call-list`)', ''];
  md.push(
    'Sequential requests on one keep-alive connection (after up to 3 warm-ups), as one user would make them. ' +
      'API requests use a bearer token, page requests a signed-in session. Milliseconds; ' +
      `✅/❌ against ${LIST_MEDIAN_TARGET_MS} ms median at 1M and ≤ ${LIST_GROWTH_TARGET}× growth from 100k.`,
    '',
  );
  const head = ['case', 'as', 'filter'];
  for (const s of sizes) head.push(`${shortCount(s)} median`, `${shortCount(s)} p95`);
  if (sizes.length > 1) head.push(`${shortCount(sizes.at(-1)!)}/${shortCount(sizes[0])}`);
  md.push(`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`);
  for (const c of lists(largest.cases)) {
    const cells = [c.kind === 'api' ? '`GET /api/v1/calls`' : '`GET /calls` page', c.role, c.label];
    for (const s of sizes) {
      const x = bySize.get(s)!.cases.find((y) => y.id === c.id);
      const mark = s === TARGET_SIZE && x ? (x.latency.median < LIST_MEDIAN_TARGET_MS ? ' ✅' : ' ❌') : '';
      cells.push(`${fmtMs(x?.latency.median)}${mark}`, fmtMs(x?.latency.p95));
    }
    if (sizes.length > 1) {
      const r = ratios.find((y) => y.id === c.id)?.ratio;
      const mark = base && target && r !== null && r !== undefined ? (r <= LIST_GROWTH_TARGET ? ' ✅' : ' ❌') : '';
      cells.push(r === null || r === undefined ? '–' : `${r}×${mark}`);
    }
    md.push(`| ${cells.join(' | ')} |`);
  }
  md.push('', 'Fixed cost of a request without any call query, for comparison (admin):', '');
  const baseHead = ['request', ...sizes.flatMap((s) => [`${shortCount(s)} median`, `${shortCount(s)} p95`])];
  md.push(`| ${baseHead.join(' | ')} |`, `|${baseHead.map(() => '---').join('|')}|`);
  for (const c of largest.cases.filter((x) => x.kind === 'baseline')) {
    const cells = [c.label];
    for (const s of sizes) {
      const x = bySize.get(s)!.cases.find((y) => y.id === c.id);
      cells.push(fmtMs(x?.latency.median), fmtMs(x?.latency.p95));
    }
    md.push(`| ${cells.join(' | ')} |`);
  }
  md.push('', '### Under load', '');
  md.push(
    `autocannon, ${largest.loads[0]?.connections ?? '?'} connections, each cycling through the cases above of one kind.`,
    '',
  );
  md.push(
    '| calls | mix | req/s | median ms | p95 ms | p99 ms | non-2xx | backlog after load | RSS before load | RSS peak under load | RSS settled |',
  );
  md.push('|---|---|---|---|---|---|---|---|---|---|---|');
  for (const s of sizes) {
    const r = bySize.get(s)!;
    for (const l of r.loads) {
      md.push(
        `| ${shortCount(s)} | ${l.title} | ${l.requestsPerSec} | ${fmtMs(l.latency.median)} | ${fmtMs(l.latency.p95)} | ${fmtMs(l.latency.p99)} | ${l.non2xx} | ${(l.drainMs / 1000).toFixed(1)} s | ${mb(l.rssBeforeBytes)} MB | ${mb(l.rssPeakBytes)} MB | ${mb(l.rssSettledBytes)} MB |`,
      );
    }
  }
  md.push(
    '',
    '| calls | database | server start-up (to /healthz) | RSS after start-up | RSS after the sequential cases (idle) |',
    '|---|---|---|---|---|',
  );
  for (const s of sizes) {
    const r = bySize.get(s)!;
    md.push(
      `| ${shortCount(s)} | ${mb(r.databaseBytes)} MB | ${r.startupMs} ms | ${mb(r.rssIdleBytes)} MB | ${mb(r.rssAfterSequentialBytes)} MB |`,
    );
  }

  // The statements behind every case that missed, with their plans, at the largest size.
  const slow = lists(largest.cases).filter((c) => c.latency.median >= LIST_MEDIAN_TARGET_MS);
  if (slow.length) {
    md.push('', `### Why the slow cases are slow (${shortCount(largest.size)} calls)`, '');
    md.push(
      'SQL each case runs (captured from the app’s compiled code), timed alone on SQLite (median of up to 5 runs), with `EXPLAIN QUERY PLAN`; statements under 2 ms are left out.',
      '',
    );
    for (const c of slow) {
      const ex = largest.explain.find((e) => e.name === c.id);
      if (!ex) continue;
      md.push(`**${c.id}** (${fmtMs(c.latency.median)} ms over HTTP; ${fmtMs(ex.totalSqlMs)} ms of SQL)`, '');
      for (const q of ex.queries.filter((x) => x.medianMs >= 2)) {
        md.push(
          '```sql',
          `-- ${fmtMs(q.medianMs)} ms, ${q.rows} rows; params ${JSON.stringify(q.params)}`,
          q.sql,
          '```',
        );
        md.push('```text', ...q.plan, '```');
      }
      md.push('');
    }
  }
  const json = {
    targets: { medianMs: LIST_MEDIAN_TARGET_MS, growth: LIST_GROWTH_TARGET },
    ratios,
    sizes: Object.fromEntries(all.map((r) => [r.size, r.result])),
  };
  return { json, markdown: md.join('\n'), checks };
}

export const callListScenario = defineScenario<CallListResult>({
  name: 'call-list',
  title: 'Call list API and /calls page with filters',
  sizes: 'all',
  run,
  report,
});
