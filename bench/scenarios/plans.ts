/**
 * Query plans of every dashboard, report, scorecard-list, scoring-form and export route, from the SQL the
 * app really runs (lib/capture.ts: the compiled app in this process with a logging Kysely). Flags full scans
 * of calls, evaluations and evaluation_answers and statements slower than SLOW_MS alone, then times the
 * candidate fixes of lib/alternatives.ts on the scratch copy of the largest dataset, and finally measures the
 * routes again over HTTP with every recommended index in place. Runs last: it changes the scratch copy.
 */
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { shortCount } from '../lib/args';
import { ALTERNATIVES, type Alternative } from '../lib/alternatives';
import {
  captureRoutes,
  planRoutes,
  startInProcess,
  timeAlone,
  bigTableScans,
  nearFullSearches,
  type CapturedRoute,
} from '../lib/capture';
import { credentials, headersFor, measureCase, type HttpCase, type MeasuredCase } from '../lib/cases';
import { DATABASE_FILE } from '../lib/dataset';
import { queryPlan } from '../lib/explain';
import { request } from '../lib/http';
import { answersFor, freshCalls, openReadOnly, publishedRubric } from '../lib/samples';
import { fmtMs, round } from '../lib/stats';
import { dashboardCases } from './dashboards';
import { csrReviewId, ninetyDays, reportCases } from './reports';
import { defineScenario, type Check, type ScenarioContext } from './types';

/** A statement this slow alone (ms, at the largest size) is listed even without a full scan. */
export const SLOW_MS = 10;

interface AlternativeTiming {
  alternative: string;
  title: string;
  kind: Alternative['kind'];
  change: string;
  ddl: string[];
  /** Time the setup (indexes, rollup table, ANALYZE) took on the copy, ms. */
  setupMs: number;
  /** Timed with probe parameters (e.g. a page late in a year-long export) rather than the captured ones. */
  probed: boolean;
  /** How many times a request runs the statement (the most over its routes): the saving per request is that many times. */
  perRequest: number;
  /** The statement it was timed on (first 300 characters), and where the app runs it. */
  statement: string;
  routes: string[];
  beforeMs: number;
  afterMs: number;
  speedup: number;
  planBefore: string[];
  planAfter: string[];
  sqlAfter?: string;
  /** Rewrites only: the same rows as the original. */
  sameRows?: boolean;
  scansAfter: string[];
}

export interface PlansResult {
  size: number;
  routes: CapturedRoute[];
  flagged: Array<{
    routes: string[];
    sql: string;
    params: unknown[];
    aloneMs: number | null;
    scans: string[];
    plan: string[];
    count: number;
  }>;
  alternatives: AlternativeTiming[];
  /** Route medians over HTTP before and with every recommended index (same server build, same data). */
  withIndexes: {
    indexes: string[];
    cases: Array<{ id: string; before: number; after: number; p95After: number }>;
  } | null;
  serverLog: string[];
}

function exportCases(ctx: ScenarioContext): HttpCase[] {
  const to = ctx.manifest.period.to;
  const from = new Date(Date.parse(`${to}T00:00:00Z`) - 29 * 86_400_000).toISOString().slice(0, 10);
  return [
    // A month keeps the capture short; the page statement is the same for a year, only its parameters move.
    { id: 'export-calls-30d', label: 'calls CSV, 30 days', kind: 'info', as: 'admin', auth: 'session', path: `/reports/calls.csv?from=${from}&to=${to}` },
    { id: 'export-scorecards-90d', label: 'scorecards CSV, 90 days', kind: 'info', as: 'admin', auth: 'session', path: `/reports/scorecards.csv?${ninetyDays(ctx.manifest)}` },
  ]; // prettier-ignore
}

interface SchemaSnapshot {
  objects: Map<string, { type: string; name: string; sql: string | null }>;
  /** Planner statistics as they were (null: no sqlite_stat1 table). */
  stat1: unknown[] | null;
  stat4: unknown[] | null;
}

function schemaObjects(db: SQLite.Database) {
  return db
    .prepare(
      "select type, name, sql from sqlite_master where type in ('table', 'index') and name not like 'sqlite_autoindex%'",
    )
    .all() as Array<{ type: string; name: string; sql: string | null }>;
}

function schemaSnapshot(db: SQLite.Database): SchemaSnapshot {
  const objects = new Map(schemaObjects(db).map((o) => [o.name, o]));
  const rows = (table: string) => (objects.has(table) ? db.prepare(`select * from ${table}`).all() : null);
  return { objects, stat1: rows('sqlite_stat1'), stat4: rows('sqlite_stat4') };
}

/** Puts the schema back as it was: new indexes and tables dropped, dropped indexes recreated, statistics restored. */
function restoreSchema(db: SQLite.Database, snap: SchemaSnapshot): void {
  const now = schemaObjects(db);
  for (const o of now.filter((x) => x.type === 'index' && !snap.objects.has(x.name)))
    db.exec(`drop index if exists "${o.name}"`);
  for (const o of now.filter((x) => x.type === 'table' && !snap.objects.has(x.name) && !x.name.startsWith('sqlite_'))) {
    db.exec(`drop table if exists "${o.name}"`);
  }
  const names = new Set(now.map((o) => o.name));
  for (const o of snap.objects.values()) if (o.type === 'index' && o.sql && !names.has(o.name)) db.exec(o.sql);
  for (const [table, saved] of [
    ['sqlite_stat1', snap.stat1],
    ['sqlite_stat4', snap.stat4],
  ] as const) {
    if (!names.has(table)) continue;
    if (saved === null) {
      db.exec(`drop table if exists ${table}`);
      continue;
    }
    db.exec(`delete from ${table}`);
    for (const row of saved as Array<Record<string, unknown>>) {
      const cols = Object.keys(row);
      db.prepare(`insert into ${table} (${cols.join(', ')}) values (${cols.map(() => '?').join(', ')})`).run(
        ...cols.map((c) => row[c]),
      );
    }
  }
}

function normalise(rows: unknown[]): string {
  return JSON.stringify(rows, (_k, v: unknown) =>
    typeof v === 'number' && !Number.isInteger(v) ? Number(v.toPrecision(9)) : v,
  );
}

async function run(ctx: ScenarioContext): Promise<PlansResult> {
  const dbFile = path.join(ctx.workDir, DATABASE_FILE);
  const ro = openReadOnly(ctx.workDir);
  let draftBody: string;
  let submitBodies: string[];
  try {
    const rubric = publishedRubric(ro);
    const [call, ...more] = freshCalls(ro, 3, ctx.manifest.accounts.supervisor.teamIds);
    const answers = answersFor(rubric, 1).slice(0, 4);
    draftBody = JSON.stringify({ call_id: call.id, rubric_id: rubric.id, answers, submit: false });
    // The submit path too (a failing scorecard, so the coaching task is part of it).
    submitBodies = more.map((c) =>
      JSON.stringify({
        call_id: c.id,
        rubric_id: rubric.id,
        answers: answersFor(rubric, 3),
        submit: true,
        time_spent_s: 300,
      }),
    );
  } finally {
    ro.close();
  }
  const cases: HttpCase[] = [
    ...dashboardCases(ctx.manifest),
    ...reportCases(ctx.manifest, csrReviewId(ctx)),
    ...exportCases(ctx),
  ];

  // 1. Capture on the app in this process.
  ctx.log('  capturing the SQL of each route (the compiled app in-process, logging Kysely)…');
  const inProcess = await startInProcess(ctx.app, ctx.workDir, ctx.manifest.scryptLogN);
  let captured: Awaited<ReturnType<typeof captureRoutes>>;
  try {
    const creds = await credentials(inProcess.baseUrl, ctx.manifest, ['admin', 'manager', 'supervisor', 'csr']);
    const draft = await request(inProcess.baseUrl, '/api/v1/evaluations', {
      method: 'POST',
      headers: { ...creds.token.supervisor, 'content-type': 'application/json' },
      body: draftBody,
    });
    if (draft.status !== 201)
      throw new Error(`draft for the scoring form: ${draft.status} ${draft.body.toString('utf8')}`);
    const draftId = (JSON.parse(draft.body.toString('utf8')) as { id: number }).id;
    cases.push({
      id: 'scoring-form',
      label: 'scoring form',
      kind: 'page',
      as: 'supervisor',
      auth: 'session',
      path: `/evaluations/${draftId}/score`,
    });
    const bodies = [...submitBodies];
    captured = await captureRoutes(inProcess, [
      ...cases.map((c) => ({ id: c.id, path: c.path, headers: headersFor(c, creds) })),
      {
        id: 'submit-scorecard',
        path: '/api/v1/evaluations',
        method: 'POST',
        headers: { ...creds.token.supervisor, 'content-type': 'application/json' },
        body: () => bodies.shift()!,
      },
    ]);
  } finally {
    await inProcess.close();
  }
  const bad = captured.filter((r) => r.status !== (r.id === 'submit-scorecard' ? 201 : 200));
  if (bad.length) throw new Error(`capture: ${bad.map((r) => `${r.id} ${r.status}`).join(', ')}`);
  const routes = planRoutes(dbFile, captured, SQLite);
  for (const r of routes) {
    const sqlMs = r.statements.reduce((s, q) => s + q.inAppMs, 0);
    ctx.log(
      `  ${r.id.padEnd(28)} ${String(r.statements.length).padStart(3)} statements, ${fmtMs(sqlMs)} ms of SQL in the app, request ${fmtMs(r.requestMs)} ms`,
    );
  }

  // 2. Full scans of the big tables and slow statements, once per SQL text.
  const flaggedBySql = new Map<string, PlansResult['flagged'][number]>();
  for (const r of routes) {
    for (const s of r.statements) {
      if (s.write) continue;
      // Slow alone, or slow in total because the route runs it many times (once per team, say).
      if (s.scans.length === 0 && (s.aloneMs ?? 0) * Math.max(1, s.count) < SLOW_MS) continue;
      const f = flaggedBySql.get(s.sql);
      if (f) {
        if (!f.routes.includes(r.id)) f.routes.push(r.id);
        if ((s.aloneMs ?? 0) > (f.aloneMs ?? 0)) Object.assign(f, { aloneMs: s.aloneMs, params: s.params });
      } else {
        flaggedBySql.set(s.sql, {
          routes: [r.id],
          sql: s.sql,
          params: s.params,
          aloneMs: s.aloneMs,
          scans: s.scans,
          plan: s.plan,
          count: s.count,
        });
      }
    }
  }
  const flagged = [...flaggedBySql.values()].sort((a, b) => (b.aloneMs ?? 0) - (a.aloneMs ?? 0));
  for (const f of flagged)
    ctx.log(
      `  flagged ${fmtMs(f.aloneMs)} ms ${f.scans.join('; ') || 'slow'}: ${f.sql.slice(0, 140)}… (${f.routes.join(', ')})`,
    );

  // 3. Alternatives, each alone on the scratch copy: time the statement as the app builds the schema, apply the
  //    fix, time it (or its rewrite) again, undo. A fresh connection each time, so statistics and plans reload.
  const timings: AlternativeTiming[] = [];
  const planned = routes.flatMap((r) => r.statements.filter((s) => !s.write));
  for (const alt of ALTERNATIVES) {
    const targets = planned.filter(
      (s, i, all) =>
        alt.matches(s.sql) && (flaggedBySql.has(s.sql) || alt.probe) && all.findIndex((x) => x.sql === s.sql) === i,
    );
    if (targets.length === 0) {
      ctx.log(`  ${alt.id}: no flagged statement matches`);
      continue;
    }
    const db = new SQLite(dbFile);
    const shares = new Map<string, number>();
    const before = schemaSnapshot(db);
    try {
      try {
        for (const ddl of alt.baseline ?? []) db.exec(ddl);
        const befores = targets.map((t) => {
          const probe = alt.probe ? alt.probe({ sql: t.sql, params: t.params }, { db, manifest: ctx.manifest }) : t;
          return { probe, timed: timeAlone(db, probe.sql, probe.params), plan: queryPlan(db, probe.sql, probe.params) };
        });
        const setupStarted = performance.now();
        for (const ddl of alt.setup) db.exec(ddl);
        const setupMs = Math.round(performance.now() - setupStarted);
        targets.forEach((t, k) => {
          const { probe, timed: before, plan: planBefore } = befores[k];
          const fixed = alt.rewrite ? alt.rewrite(probe) : probe;
          const after = timeAlone(db, fixed.sql, fixed.params);
          const planAfter = queryPlan(db, fixed.sql, fixed.params);
          const sameRows = alt.rewrite
            ? normalise(db.prepare(probe.sql).all(...probe.params)) ===
              normalise(db.prepare(fixed.sql).all(...fixed.params))
            : undefined;
          const timing: AlternativeTiming = {
            alternative: alt.id,
            title: alt.title,
            kind: alt.kind,
            change: alt.change,
            ddl: [...(alt.baseline ?? []), ...alt.setup],
            setupMs,
            statement: t.sql.slice(0, 300),
            probed: Boolean(alt.probe),
            perRequest: Math.max(
              1,
              ...routes.flatMap((r) => r.statements.filter((x) => x.sql === t.sql).map((x) => x.count)),
            ),
            routes: routes.filter((r) => r.statements.some((x) => x.sql === t.sql)).map((r) => r.id),
            beforeMs: round(before.ms),
            afterMs: round(after.ms),
            speedup: round(before.ms / Math.max(after.ms, 0.001), 1),
            planBefore,
            planAfter,
            ...(alt.rewrite ? { sqlAfter: fixed.sql } : {}),
            ...(sameRows !== undefined ? { sameRows } : {}),
            scansAfter: [...bigTableScans(fixed.sql, planAfter), ...nearFullSearches(db, fixed.sql, planAfter, shares)],
          };
          timings.push(timing);
          ctx.log(
            `  ${alt.id}: ${fmtMs(timing.beforeMs)} → ${fmtMs(timing.afterMs)} ms (${timing.speedup}×)${sameRows === false ? ' ROWS DIFFER' : ''} ` +
              `[${timing.routes.join(', ')}] ${t.sql.slice(0, 80)}…`,
          );
        });
      } finally {
        restoreSchema(db, before);
      }
    } finally {
      db.close();
    }
  }

  // 4. The routes again over HTTP, before and with every index alternative in place.
  let withIndexes: PlansResult['withIndexes'] = null;
  const serverLog: string[] = [];
  const indexAlts = ALTERNATIVES.filter((a) => a.recommended && timings.some((t) => t.alternative === a.id));
  if (indexAlts.length) {
    const measureAll = async (): Promise<MeasuredCase[]> => {
      const server = await ctx.startServer();
      try {
        const creds = await credentials(server.baseUrl, ctx.manifest, ['admin', 'manager', 'supervisor', 'csr']);
        const out: MeasuredCase[] = [];
        for (const c of cases.filter((x) => !x.id.startsWith('export-') && x.id !== 'scoring-form')) {
          out.push(
            await measureCase(server.baseUrl, c, headersFor(c, creds), {
              samples: Math.min(20, ctx.options.sequentialSamples),
              sampleMs: ctx.options.sequentialMs,
            }),
          );
        }
        serverLog.push(...server.logLines);
        return out;
      } finally {
        await server.stop();
      }
    };
    const rw = new SQLite(dbFile);
    let changed: string[];
    const snap = schemaSnapshot(rw);
    try {
      for (const alt of indexAlts) for (const ddl of alt.setup) rw.exec(ddl);
      const after = new Set(schemaObjects(rw).map((o) => o.name));
      changed = [
        ...[...after].filter((n) => !snap.objects.has(n)).map((n) => `+${n}`),
        ...[...snap.objects.keys()].filter((n) => !after.has(n)).map((n) => `-${n}`),
      ];
      // Back to the schema as built until "before" is measured.
      restoreSchema(rw, snap);
    } finally {
      rw.close();
    }
    if (changed.length === 0) {
      ctx.log(
        '  the recommended indexes are all in the schema already (the app’s migrations made them): no HTTP re-measure',
      );
      return { size: ctx.size, routes, flagged, alternatives: timings, withIndexes: null, serverLog };
    }
    ctx.log(`  routes over HTTP without the indexes (${changed.join(', ')})…`);
    const before = await measureAll();
    const rw2 = new SQLite(dbFile);
    try {
      for (const alt of indexAlts) for (const ddl of alt.setup) rw2.exec(ddl);
    } finally {
      rw2.close();
    }
    ctx.log(`  routes over HTTP with ${indexAlts.map((a) => a.id).join(', ')}…`);
    const after = await measureAll();
    withIndexes = {
      indexes: [...new Set(indexAlts.flatMap((a) => a.setup))],
      cases: before.map((b) => {
        const a = after.find((x) => x.id === b.id)!;
        ctx.log(`  ${b.id.padEnd(28)} ${fmtMs(b.latency.median)} → ${fmtMs(a.latency.median)} ms`);
        return { id: b.id, before: b.latency.median, after: a.latency.median, p95After: a.latency.p95 };
      }),
    };
  }
  return { size: ctx.size, routes, flagged, alternatives: timings, withIndexes, serverLog };
}

function report(all: Array<{ size: number; result: PlansResult }>) {
  const r = all.at(-1)!.result;
  const md: string[] = [`## Query plans of the reports and dashboards (\`plans\`, ${shortCount(r.size)} calls)`, ''];
  md.push(
    'Every statement each route runs, captured from the app’s compiled code running in the bench process with a logging Kysely ' +
      '(`bench/lib/capture.ts`), planned with `EXPLAIN QUERY PLAN` and timed alone on SQLite (median of up to 5 runs). ' +
      `Flagged: a full \`SCAN\` of calls, evaluations or evaluation_answers; a \`SEARCH\` on them whose only constraints are equalities matching 20% of the rows or more ` +
      `(an index on a column like \`kind\` walked end to end); or ${SLOW_MS} ms or more alone, or in total when a route runs the statement several times.`,
    '',
    '| route | statements | SQL in the app (ms) | slowest statement alone (ms) | full scans of big tables |',
    '|---|---|---|---|---|',
  );
  for (const route of r.routes) {
    const sqlMs = route.statements.reduce((s, q) => s + q.inAppMs, 0);
    const slowest = Math.max(0, ...route.statements.map((s) => s.aloneMs ?? 0));
    const scans = [...new Set(route.statements.flatMap((s) => s.scans))];
    md.push(
      `| \`${route.id}\` | ${route.statements.reduce((s, q) => s + q.count, 0)} | ${fmtMs(sqlMs)} | ${fmtMs(slowest)} | ${scans.length ? `⚠ ${scans.join('; ')}` : '–'} |`,
    );
  }
  md.push('', '### Flagged statements', '');
  r.flagged.forEach((f, i) => {
    md.push(
      `**${i + 1}.** ${fmtMs(f.aloneMs)} ms alone${f.scans.length ? `; ⚠ ${f.scans.join('; ')}` : ''} — in ${f.routes.map((x) => `\`${x}\``).join(', ')}${f.count > 1 ? ` (${f.count}× per request)` : ''}`,
      '',
    );
    md.push('```sql', f.sql, '```', '```text', ...f.plan, '```', '');
  });
  if (r.alternatives.length) {
    md.push('### Alternatives timed on a copy of the database', '');
    md.push(
      'Each fix on its own: the statement timed alone on the schema the app builds ("before"), then with the fix ("after"; a rewrite must return the same rows). ' +
        '"Setup" is what creating the index or rollup took on the 1M copy. Rows marked ⁺ use probe parameters: a page late (calls) or early (scorecards) in a one-year export.',
      '',
      '| fix | statement in (routes) | runs per request | before ms | after ms | speed-up | big-table scans left | same rows | setup |',
      '|---|---|---|---|---|---|---|---|---|',
    );
    for (const t of r.alternatives) {
      md.push(
        `| ${t.alternative}: ${t.title} | ${t.routes.map((x) => `\`${x}\``).join(', ')}${t.probed ? ' ⁺' : ''} | ${t.perRequest ?? 1} | ${fmtMs(t.beforeMs)} | ${fmtMs(t.afterMs)} | ${t.speedup}× | ${t.scansAfter.length ? t.scansAfter.join('; ') : 'none'} | ${t.sameRows === undefined ? '–' : t.sameRows ? 'yes' : '**no**'} | ${t.setupMs ? `${t.setupMs} ms` : '–'} |`,
      );
    }
    md.push('');
    const seen = new Set<string>();
    for (const t of r.alternatives) {
      if (seen.has(t.alternative)) continue;
      seen.add(t.alternative);
      md.push(`**${t.alternative}** — ${t.change}`, '');
      if (t.ddl.length) md.push('```sql', ...t.ddl.map((d) => `${d};`), '```');
      if (t.sqlAfter) md.push('```sql', t.sqlAfter, '```');
      md.push('Plan after:', '```text', ...t.planAfter, '```', '');
    }
  }
  if (r.withIndexes) {
    md.push(
      `### Routes over HTTP with the recommended indexes (${ALTERNATIVES.filter((a) => a.recommended)
        .map((a) => a.id)
        .join(', ')}) in place`,
      '',
      'Same build, same copy of the data, a fresh server before and after creating them; no code change. Median of up to 20 sequential requests.',
      '',
      '```sql',
      ...r.withIndexes.indexes.map((d) => `${d};`),
      '```',
      '',
      '| route | median before (ms) | median with the indexes (ms) | p95 with the indexes |',
      '|---|---|---|---|',
    );
    for (const c of r.withIndexes.cases)
      md.push(`| \`${c.id}\` | ${fmtMs(c.before)} | ${fmtMs(c.after)} | ${fmtMs(c.p95After)} |`);
  }
  if (!r.withIndexes) {
    md.push(
      '',
      `The recommended indexes (${ALTERNATIVES.filter((a) => a.recommended)
        .map((a) => a.id)
        .join(
          ', ',
        )}) are all in the schema the app's migrations build, so there is no before/after over HTTP here; the \`dashboards\` and \`reports\` sections show the routes with them.`,
    );
  }
  const scanning = r.flagged.filter((f) => f.scans.length);
  const checks: Check[] = [
    {
      target:
        'Report and dashboard queries: no full SCAN of calls, evaluations or evaluation_answers (EXPLAIN QUERY PLAN of the SQL the app runs)',
      measured: scanning.length
        ? `${scanning.length} statement(s) scan: ${[...new Set(scanning.flatMap((f) => f.routes))].join(', ')}`
        : 'no full scans',
      pass: scanning.length === 0,
    },
  ];
  return { json: { slowMs: SLOW_MS, sizes: { [r.size]: r } }, markdown: md.join('\n'), checks };
}

export const plansScenario = defineScenario<PlansResult>({
  name: 'plans',
  title: 'Query plans of the report, dashboard and export SQL, with timed fixes',
  sizes: 'largest',
  run,
  report,
});
