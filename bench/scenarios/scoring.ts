/**
 * Scoring: the scoring form (GET /evaluations/:id/score of a draft made for the run), its autosave
 * (PUT /evaluations/:id/draft), and submitting scorecards (POST /api/v1/evaluations with submit:true, each on
 * a call nobody has scored yet): one at a time, then as many per second as 10 connections get, each request
 * scored by a supervisor of the call's team. The submit load runs again on servers preloaded with what-if
 * patches (bench/lib/preload-whatif.js: `synchronous = NORMAL`, a statement cache of its own, both), in
 * interleaved rounds, to time those changes without touching src/.
 */
import path from 'node:path';
import { shortCount } from '../lib/args';
import { caseTable, logCase, measureCase, type HttpCase, type MeasuredCase } from '../lib/cases';
import { createToken, request, signIn } from '../lib/http';
import { runLoad, type LoadResult } from '../lib/load';
import { readMemory } from '../lib/rss';
import {
  answersFor,
  freshCalls,
  maxId,
  openReadOnly,
  publishedRubric,
  teamSupervisors,
  type FreshCall,
  type SampleRubric,
} from '../lib/samples';
import { fmtMs, mb, round, summarize, type Summary } from '../lib/stats';
import { defineScenario, type Check, type ScenarioContext } from './types';

export const SUBMITS_PER_SEC_TARGET = 300;
/** The submit load as built, then with each what-if patch set (bench/lib/preload-whatif.js). */
const WHAT_IFS = ['', 'sync-normal', 'stmt-cache', 'sync-normal,stmt-cache'];
const ROUNDS = 2;
const PAGE_TARGET_MS = 50;
const POOL = 80_000;

interface SubmitLoad extends LoadResult {
  /** 201 responses per second over the load. */
  submitsPerSec: number;
  created: number;
  /** Calls used a second time because the pool ran out (0 means every submit was on a fresh call). */
  reusedCalls: number;
  /** 'as built', or the what-if patches of bench/lib/preload-whatif.js the server ran with. */
  variant: string;
}

export interface ScoringResult {
  size: number;
  rubric: { id: number; version: number; items: number; releaseMode: string };
  draftId: number;
  startupMs: number;
  rssIdleBytes: number;
  cases: MeasuredCase[];
  /** PUT /evaluations/:id/draft, one after another (each commits a revision). */
  autosave: Summary;
  /** POST /api/v1/evaluations with submit:true, one after another on fresh calls. */
  submitSequential: Summary;
  submitStatuses: Record<string, number>;
  formLoad: LoadResult;
  submitLoads: SubmitLoad[];
  /** After the run: evaluations the scenario created that are not drafts, against 201 responses seen. */
  integrity: { submittedRows: number; created201: number; callsCountMismatches: number };
  serverLog: string[];
}

function submitBody(rubric: SampleRubric, call: FreshCall, variant: number, submit = true): string {
  return JSON.stringify({
    call_id: call.id,
    rubric_id: rubric.id,
    answers: answersFor(rubric, variant),
    comment: variant % 4 === 0 ? 'Clear and friendly call.' : 'See the item comments.',
    submit,
    time_spent_s: 240 + (variant % 7) * 30,
  });
}

async function tokensFor(baseUrl: string, password: string, usernames: Iterable<string>) {
  const tokens = new Map<string, string>();
  for (const username of new Set(usernames)) {
    tokens.set(username, `Bearer ${await createToken(baseUrl, username, password)}`);
  }
  return tokens;
}

/** Submits for `durationS`, each on the next call of the pool, as a supervisor of that call's team. */
async function submitLoad(
  ctx: ScenarioContext,
  server: { baseUrl: string; pid: number },
  rubric: SampleRubric,
  pool: FreshCall[],
  tokenOfTeam: Map<number, string>,
  variant: SubmitLoad['variant'],
): Promise<SubmitLoad> {
  let next = 0;
  let reused = 0;
  const load = await runLoad({
    baseUrl: server.baseUrl,
    pid: server.pid,
    title: `POST /api/v1/evaluations submit (${variant})`,
    connections: ctx.options.connections,
    durationS: ctx.options.loadSeconds,
    requests: [
      {
        method: 'POST',
        path: '/api/v1/evaluations',
        headers: { 'content-type': 'application/json' },
        setupRequest: (req) => {
          if (next >= pool.length) reused += 1;
          const call = pool[next % pool.length];
          next += 1;
          return {
            ...req,
            headers: { ...req.headers, authorization: tokenOfTeam.get(call.teamId)! },
            body: submitBody(rubric, call, next),
          };
        },
      },
    ],
  });
  const created = load.statusCounts['201'] ?? 0;
  return { ...load, submitsPerSec: round(created / load.durationS, 1), created, reusedCalls: reused, variant };
}

async function run(ctx: ScenarioContext): Promise<ScoringResult> {
  const { manifest, options } = ctx;
  const db = openReadOnly(ctx.workDir);
  let rubric: SampleRubric;
  let supervisorCalls: FreshCall[];
  let pool: FreshCall[];
  let supervisorOf: Map<number, string>;
  let firstNewId: number;
  try {
    rubric = publishedRubric(db);
    supervisorCalls = freshCalls(db, options.sequentialSamples + 20, manifest.accounts.supervisor.teamIds);
    pool = freshCalls(db, POOL);
    supervisorOf = teamSupervisors(db);
    firstNewId = maxId(db, 'evaluations') + 1;
  } finally {
    db.close();
  }
  const mine = new Set(supervisorCalls.map((c) => c.id));
  pool = pool.filter((c) => !mine.has(c.id));
  const share = Math.floor(pool.length / (WHAT_IFS.length * ROUNDS));
  const pools = Array.from({ length: WHAT_IFS.length * ROUNDS }, (_, i) => pool.slice(i * share, (i + 1) * share));

  const supervisor = manifest.accounts.supervisor.username;
  let server = await ctx.startServer();
  const startupMs = server.startupMs;
  const serverLog: string[] = [];
  try {
    const token = `Bearer ${await createToken(server.baseUrl, supervisor, manifest.password)}`;
    const cookie = await signIn(server.baseUrl, supervisor, manifest.password);
    await new Promise((r) => setTimeout(r, 500));
    const rssIdleBytes = readMemory(server.pid)?.rss ?? 0;

    // A draft to open: half the items answered, as if the supervisor had started and stepped away.
    const draftCall = supervisorCalls.shift()!;
    const partial = JSON.parse(submitBody(rubric, draftCall, 1, false)) as { answers: unknown[] };
    partial.answers = partial.answers.slice(0, Math.ceil(partial.answers.length / 2));
    const draftRes = await request(server.baseUrl, '/api/v1/evaluations', {
      method: 'POST',
      headers: { authorization: token, 'content-type': 'application/json' },
      body: JSON.stringify(partial),
    });
    if (draftRes.status !== 201)
      throw new Error(`creating a draft: ${draftRes.status} ${draftRes.body.toString('utf8')}`);
    const draft = JSON.parse(draftRes.body.toString('utf8')) as { id: number; status: string };
    if (draft.status !== 'draft') throw new Error(`the draft came back ${draft.status}`);

    const form: HttpCase = {
      id: 'scoring-form',
      label: `scoring form of a draft (rubric v${rubric.version}, ${rubric.items.length} items)`,
      kind: 'page',
      as: 'supervisor',
      auth: 'session',
      path: `/evaluations/${draft.id}/score`,
    };
    const formCase = await measureCase(
      server.baseUrl,
      form,
      { cookie },
      { samples: options.sequentialSamples, sampleMs: options.sequentialMs },
      (body) => (body.includes('name="a_') ? null : 'the scoring form has no answer fields'),
    );
    logCase(ctx.log, formCase);
    const page = (await request(server.baseUrl, form.path, { headers: { cookie } })).body.toString('utf8');
    const csrf = /name="_csrf" value="([^"]+)"/.exec(page)?.[1];
    if (!csrf) throw new Error('no CSRF token on the scoring form');

    // Autosave: the page script PUTs the answers as JSON every few seconds while scoring.
    const autosaveTimes: number[] = [];
    const started = performance.now();
    for (
      let i = 0;
      autosaveTimes.length < options.sequentialSamples && (i < 5 || performance.now() - started < options.sequentialMs);
      i += 1
    ) {
      const body = JSON.parse(submitBody(rubric, draftCall, i, false)) as { answers: unknown[] };
      const res = await request(server.baseUrl, `/evaluations/${draft.id}/draft`, {
        method: 'PUT',
        headers: { cookie, 'x-csrf-token': csrf, 'content-type': 'application/json' },
        body: JSON.stringify({ answers: body.answers.slice(0, 3 + (i % 5)), comment: `draft ${i}`, time_spent_s: 5 }),
      });
      if (res.status !== 200) throw new Error(`autosave: ${res.status} ${res.body.toString('utf8').slice(0, 300)}`);
      if (i >= 2) autosaveTimes.push(res.ms);
    }
    const autosave = summarize(autosaveTimes);
    ctx.log(`  autosave PUT                   median ${fmtMs(autosave.median)} ms  p95 ${fmtMs(autosave.p95)} ms`);

    // Submits one after another, as the bench supervisor, each on a fresh call of their teams.
    const submitTimes: number[] = [];
    const submitStatuses: Record<string, number> = {};
    let created201 = 0;
    for (let i = 0; i < supervisorCalls.length && submitTimes.length < options.sequentialSamples; i += 1) {
      const res = await request(server.baseUrl, '/api/v1/evaluations', {
        method: 'POST',
        headers: { authorization: token, 'content-type': 'application/json' },
        body: submitBody(rubric, supervisorCalls[i], i),
      });
      if (res.status !== 201) throw new Error(`submit: ${res.status} ${res.body.toString('utf8').slice(0, 300)}`);
      created201 += 1;
      const status = (JSON.parse(res.body.toString('utf8')) as { status: string }).status;
      submitStatuses[status] = (submitStatuses[status] ?? 0) + 1;
      if (i >= 2) submitTimes.push(res.ms);
    }
    const submitSequential = summarize(submitTimes);
    ctx.log(
      `  submit POST (sequential)       median ${fmtMs(submitSequential.median)} ms  p95 ${fmtMs(submitSequential.p95)} ms ` +
        `→ ${round(1000 / submitSequential.median, 0)}/s one at a time`,
    );

    const formLoad = await runLoad({
      baseUrl: server.baseUrl,
      pid: server.pid,
      title: 'GET /evaluations/:id/score',
      connections: options.connections,
      durationS: options.loadSeconds,
      requests: [{ path: form.path, headers: { cookie } }],
    });
    ctx.log(
      `  load scoring form: ${formLoad.requestsPerSec} req/s, median ${fmtMs(formLoad.latency.median)} ms, RSS peak ${mb(formLoad.rssPeakBytes)} MB`,
    );

    serverLog.push(...server.logLines);
    await server.stop();

    // Submit loads, each on a fresh server: as built, then with what-if patches (bench/lib/preload-whatif.js),
    // in ROUNDS interleaved rounds so a noisy minute on the machine does not decide the comparison.
    // Tokens for every team's supervisor, so each submit is made by someone who may score that call.
    const loads: SubmitLoad[] = [];
    let slice = 0;
    for (let round = 0; round < ROUNDS; round += 1) {
      for (const patches of WHAT_IFS) {
        server = await ctx.startServer(
          patches
            ? {
                NODE_OPTIONS: `--require ${path.join(__dirname, '..', 'lib', 'preload-whatif.js')}`,
                BENCH_WHATIF: patches,
              }
            : {},
        );
        const tokens = await tokensFor(server.baseUrl, manifest.password, supervisorOf.values());
        const tokenOfTeam = new Map([...supervisorOf].map(([team, user]) => [team, tokens.get(user)!]));
        const variant = patches ? `what-if: ${patches}` : 'as built';
        const load = await submitLoad(ctx, server, rubric, pools[slice], tokenOfTeam, variant);
        slice += 1;
        loads.push(load);
        ctx.log(
          `  load submit, ${variant} (round ${round + 1}): ${load.submitsPerSec} submits/s (${load.created} created, non-2xx ${load.non2xx}), ` +
            `median ${fmtMs(load.latency.median)} ms, p95 ${fmtMs(load.latency.p95)} ms, RSS peak ${mb(load.rssPeakBytes)} MB` +
            (load.reusedCalls ? `, ${load.reusedCalls} calls reused` : ''),
        );
        serverLog.push(...server.logLines);
        await server.stop();
      }
    }

    // Every 201 left one submitted scorecard and one more on its call's evaluation_count.
    const check = openReadOnly(ctx.workDir);
    let integrity: ScoringResult['integrity'];
    try {
      const submittedRows = Number(
        (
          check
            .prepare("select count(*) as n from evaluations where id >= ? and status <> 'draft'")
            .get(firstNewId) as { n: number }
        ).n,
      );
      const callsCountMismatches = Number(
        (
          check
            .prepare(
              `select count(*) as n from calls c where c.id in (select distinct call_id from evaluations where id >= ?)
               and c.evaluation_count <> (select count(*) from evaluations e where e.call_id = c.id and e.status <> 'draft' and e.kind = 'standard')`,
            )
            .get(firstNewId) as { n: number }
        ).n,
      );
      integrity = {
        submittedRows,
        created201: created201 + loads.reduce((s, l) => s + l.created, 0),
        callsCountMismatches,
      };
    } finally {
      check.close();
    }
    ctx.log(`  integrity: ${JSON.stringify(integrity)}`);
    return {
      size: ctx.size,
      rubric: { id: rubric.id, version: rubric.version, items: rubric.items.length, releaseMode: rubric.releaseMode },
      draftId: draft.id,
      startupMs,
      rssIdleBytes,
      cases: [formCase],
      autosave,
      submitSequential,
      submitStatuses,
      formLoad,
      submitLoads: loads,
      integrity,
      serverLog,
    };
  } finally {
    await server.stop();
  }
}

function meanSubmits(loads: SubmitLoad[]): number {
  return loads.length ? round(loads.reduce((sum, l) => sum + l.submitsPerSec, 0) / loads.length, 1) : 0;
}

function report(all: Array<{ size: number; result: ScoringResult }>) {
  const sizes = all.map((r) => r.size).sort((a, b) => a - b);
  const bySize = new Map(all.map((r) => [r.size, r.result]));
  const largest = bySize.get(sizes.at(-1)!)!;
  const md: string[] = ['## Scoring (`scoring`)', ''];
  md.push(
    `The scoring form of a draft made for the run (rubric v${largest.rubric.version}, ${largest.rubric.items} items; supervisor session), ` +
      'its autosave, and submitting scorecards through `POST /api/v1/evaluations` with `submit: true`, each on a call nobody had scored ' +
      '(a draft is opened and submitted in one request: answers checked, score computed, call count, coaching task, audit). ' +
      'Sequential figures are one request at a time; the loads are autocannon with 10 connections, each submit made by a supervisor of the call’s team.',
    '',
  );
  md.push(
    ...caseTable(
      new Map(all.map((r) => [r.size, r.result.cases])),
      (c) => ['`GET /evaluations/:id/score`', c.as, c.label],
      ['request', 'as', 'what'],
    ),
  );
  md.push('', '| calls | request | n | median ms | p95 ms | one at a time |', '|---|---|---|---|---|---|');
  for (const s of sizes) {
    const r = bySize.get(s)!;
    md.push(
      `| ${shortCount(s)} | \`PUT /evaluations/:id/draft\` autosave (session) | ${r.autosave.n} | ${fmtMs(r.autosave.median)} | ${fmtMs(r.autosave.p95)} | ${round(1000 / r.autosave.median, 0)}/s |`,
    );
    md.push(
      `| ${shortCount(s)} | \`POST /api/v1/evaluations\` submit (token) | ${r.submitSequential.n} | ${fmtMs(r.submitSequential.median)} | ${fmtMs(r.submitSequential.p95)} | ${round(1000 / r.submitSequential.median, 0)}/s |`,
    );
  }
  md.push('', '### Under load', '');
  md.push(
    '| calls | load | req/s | submits/s | median ms | p95 ms | p99 ms | non-2xx | backlog after | RSS before | RSS peak | RSS settled |',
  );
  md.push('|---|---|---|---|---|---|---|---|---|---|---|---|');
  for (const s of sizes) {
    const r = bySize.get(s)!;
    for (const l of [r.formLoad, ...r.submitLoads]) {
      const submits = 'submitsPerSec' in l ? String((l as SubmitLoad).submitsPerSec) : '–';
      md.push(
        `| ${shortCount(s)} | ${l.title} | ${l.requestsPerSec} | ${submits} | ${fmtMs(l.latency.median)} | ${fmtMs(l.latency.p95)} | ${fmtMs(l.latency.p99)} | ${l.non2xx} | ${(l.drainMs / 1000).toFixed(1)} s | ${mb(l.rssBeforeBytes)} MB | ${mb(l.rssPeakBytes)} MB | ${mb(l.rssSettledBytes)} MB |`,
      );
    }
  }
  md.push(
    '',
    `Submits per second by variant (mean of the ${ROUNDS} interleaved rounds, each on a fresh server; ✅/❌ against ${SUBMITS_PER_SEC_TARGET}/s for the app as built):`,
    '',
    '| calls | server | rounds (submits/s) | mean submits/s | vs as built |',
    '|---|---|---|---|---|',
  );
  for (const s of sizes) {
    const r = bySize.get(s)!;
    const base = meanSubmits(r.submitLoads.filter((l) => l.variant === 'as built'));
    for (const variant of [...new Set(r.submitLoads.map((l) => l.variant))]) {
      const list = r.submitLoads.filter((l) => l.variant === variant);
      const mean = meanSubmits(list);
      const mark = variant === 'as built' ? (mean >= SUBMITS_PER_SEC_TARGET ? ' ✅' : ' ❌') : '';
      md.push(
        `| ${shortCount(s)} | ${variant} | ${list.map((l) => l.submitsPerSec).join(' / ')} | ${mean}${mark} | ${variant === 'as built' ? '–' : `${round(mean / base, 2)}×`} |`,
      );
    }
  }
  md.push(
    '',
    '| calls | RSS idle (after sign-in) | submits checked afterwards | calls whose evaluation_count is off |',
    '|---|---|---|---|',
  );
  for (const s of sizes) {
    const r = bySize.get(s)!;
    md.push(
      `| ${shortCount(s)} | ${mb(r.rssIdleBytes)} MB | ${r.integrity.submittedRows} rows for ${r.integrity.created201} × 201 | ${r.integrity.callsCountMismatches} |`,
    );
  }
  md.push(
    '',
    'A submit commits once with `synchronous = FULL` (the draft is opened and submitted in one transaction; the token’s `last_used_at` is written at most ' +
      'once a minute, in a commit of its own), and that commit waits for an fsync while the single-threaded server can do nothing else. It runs ' +
      '12 statements, begin and commit included (15 when the scorecard fails and opens a coaching task; the rubric’s body is read once per server), each ' +
      'prepared once and then reused from the statement cache of `src/db/statement-cache.ts`. The what-if rows are the same load on a fresh server preloaded with `bench/lib/preload-whatif.js` (not a change to ' +
      "the app): `sync-normal` is the one-line change `sqlite.pragma('synchronous = NORMAL')` in `src/db/database.ts` (safe after a crash in WAL mode; " +
      'a power cut can lose the last commits); `stmt-cache` puts a statement cache of its own under `Database#prepare`, which the app’s cache now makes ' +
      'redundant (it only sees the statements the app’s cache has not kept), so its row runs the app as built and shows how much the figures vary from one server to the next.',
  );

  const checks: Check[] = [];
  const builtLoads = largest.submitLoads.filter((l) => l.variant === 'as built');
  const variants = [...new Set(largest.submitLoads.map((l) => l.variant))].filter((v) => v !== 'as built');
  const builtMean = meanSubmits(builtLoads);
  checks.push({
    target: `Scorecard submits (POST /api/v1/evaluations, submit:true, fresh calls) ≥ ${SUBMITS_PER_SEC_TARGET}/s`,
    measured: builtLoads.length
      ? `${builtMean}/s at ${shortCount(largest.size)} (mean of ${builtLoads.map((l) => l.submitsPerSec).join(' and ')}; median latency ${fmtMs(builtLoads[0].latency.median)} ms, p95 ${fmtMs(builtLoads[0].latency.p95)} ms); what-if: ${variants.map((v) => `${v.replace('what-if: ', '')} ${meanSubmits(largest.submitLoads.filter((l) => l.variant === v))}/s`).join(', ')}`
      : 'not run',
    pass: builtLoads.length ? builtMean >= SUBMITS_PER_SEC_TARGET : null,
  });
  const formAt1M = bySize.get(1_000_000)?.cases[0];
  checks.push({
    target: `Scoring form (GET /evaluations/:id/score) median < ${PAGE_TARGET_MS} ms at 1,000,000 calls`,
    measured: formAt1M
      ? `${fmtMs(formAt1M.latency.median)} ms (p95 ${fmtMs(formAt1M.latency.p95)} ms)`
      : 'not run at 1,000,000 calls',
    pass: formAt1M ? formAt1M.latency.median < PAGE_TARGET_MS : null,
  });
  return {
    json: {
      targets: { submitsPerSec: SUBMITS_PER_SEC_TARGET, pageMedianMs: PAGE_TARGET_MS },
      sizes: Object.fromEntries(all.map((r) => [r.size, r.result])),
    },
    markdown: md.join('\n'),
    checks,
  };
}

export const scoringScenario = defineScenario<ScoringResult>({
  name: 'scoring',
  title: 'Scoring form, autosave and scorecard submits',
  sizes: 'all',
  run,
  report,
});
