import { sql } from 'kysely';
import request from 'supertest';
import { openSession, startCalibrationScoring } from '../../src/calibration/calibration.service';
import { applyRetention } from '../../src/calls/maintenance';
import type { DB } from '../../src/db/database';
import { engineOf } from '../../src/db/dialect';
import { migrateDown, migrateToLatest } from '../../src/db/migrate';
import { SCORE_DAY_SUMS } from '../../src/db/schema';
import {
  acknowledgeEvaluation,
  releaseEvaluation,
  saveEvaluation,
  startEvaluation,
} from '../../src/evaluations/evaluations.service';
import { managerTeamRows } from '../../src/home/dashboards';
import {
  categoryTrends,
  categoryTrendsFromCalls,
  categoryTrendsFromRollup,
  csatBreakdown,
  csatByItem,
  csatByItemFromAnswers,
  csatByItemFromRollup,
  csatPerTeam,
} from '../../src/reports/customer';
import { bucketLabels, type ReportFilter } from '../../src/reports/filters';
import {
  itemFailureRates,
  itemFailuresFromAnswers,
  itemFailuresFromRollup,
  peopleFigures,
  scoreOverview,
} from '../../src/reports/quality';
import { nextDay, refreshRollups, rollupDays } from '../../src/reports/rollups';
import {
  emptySums,
  fromCalls,
  fromRollup,
  serviceLevel,
  serviceLevelByTeam,
  serviceLevelTotal,
  type Sums,
} from '../../src/reports/service-level';
import type { FullRubric } from '../../src/rubrics/rubrics.queries';
import { publishRubric, startNewVersion, updateDraft } from '../../src/rubrics/rubrics.service';
import { getSettings, saveSettings } from '../../src/settings/settings.service';
import { makeTestApp, type TestContext } from '../helpers/app';
import { buildOrg, type Org } from '../helpers/builders';
import { csrfFrom, postForm, signIn } from '../helpers/http';
import { insertCalls, submitEvaluation, type CallFixture } from '../helpers/reports';
import {
  api,
  choice,
  itemsOf,
  makeCall,
  publishedRubric,
  rubricJson,
  scale,
  section,
  tokenFor,
  yesNo,
  type AnswerJson,
  type Api,
} from '../helpers/scoring';

// The daily roll-ups (migrations/20261123T2100_report_rollups.ts, src/reports/rollups.ts) must answer every
// report exactly as the raw rows do, whatever was written before. Three opinions are compared:
// - the roll-up path (whole UTC days, no agent: what the reports pick),
// - the raw SQL path (the exported from-rows functions, and every report given the same instants written
//   with "+00:00", which rollupDays does not take for whole days, so the report sums the raw rows),
// - a JavaScript oracle summing the rows read back from the tables, following DOMAIN.md.
// Numbers must be equal; averages and sums of fractions within 1e-9.

const ADMIN = (org: Org) => ({ id: org.admin.id, role: 'admin' as const });
const COUNTED = ['submitted', 'released', 'acknowledged'];
const TEAMS_OF = (org: Org): Array<number[] | 'all'> => ['all', [org.teamA], [org.teamA, org.teamB], [org.otherTeam]];

// ------------------------------------------------------------------------------------------------
// Filters

function wholeDays(
  fromDate: string,
  toDate: string,
  teamIds: number[] | 'all',
  group: 'day' | 'week' = 'day',
  agentId?: number,
): ReportFilter {
  return {
    from: `${fromDate}T00:00:00.000Z`,
    to: `${nextDay(toDate)}T00:00:00.000Z`,
    fromDate,
    toDate,
    teamIds,
    group,
    timeZone: 'UTC',
    ...(agentId ? { agentId } : {}),
  };
}

/**
 * The same instants written with +00:00 instead of Z. Stored times all end in "Z", which sorts after "+",
 * so the range selects the same rows; rollupDays does not read it as whole days, so reports take the raw path.
 */
function rawPath(filter: ReportFilter): ReportFilter {
  const raw = { ...filter, from: filter.from.replace(/Z$/, '+00:00'), to: filter.to.replace(/Z$/, '+00:00') };
  if (rollupDays(raw) !== null) throw new Error('rawPath gave a whole-day filter');
  return raw;
}

function label(filter: ReportFilter): string {
  const teams = filter.teamIds === 'all' ? 'all' : filter.teamIds.join('+');
  return `${filter.from}..${filter.to} teams=${teams} by ${filter.group}${filter.agentId ? ` agent=${filter.agentId}` : ''}`;
}

// ------------------------------------------------------------------------------------------------
// Comparing results

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Map);
}

/** Differences between two results: numbers equal (integers exactly, fractions within 1e-9), the rest identical. */
function differences(a: unknown, b: unknown, path: string, out: string[]): void {
  if (typeof a === 'number' && typeof b === 'number') {
    const same =
      Number.isInteger(a) && Number.isInteger(b)
        ? a === b
        : Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(b));
    if (!same) out.push(`${path}: ${a} vs ${b}`);
    return;
  }
  if (a instanceof Map && b instanceof Map) {
    differences(mapRows(a), mapRows(b), path, out);
    return;
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length !== b.length) out.push(`${path}: ${a.length} rows vs ${b.length} rows`);
    for (let i = 0; i < Math.min(a.length, b.length); i += 1) differences(a[i], b[i], `${path}[${i}]`, out);
    return;
  }
  if (isRecord(a) && isRecord(b)) {
    for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) {
      differences(a[key], b[key], `${path}.${key}`, out);
    }
    return;
  }
  if (!Object.is(a, b)) out.push(`${path}: ${JSON.stringify(a)} vs ${JSON.stringify(b)}`);
}

function mapRows(map: Map<unknown, unknown>) {
  return [...map.entries()]
    .map(([key, value]) => ({ key: String(key), value }))
    .sort((x, y) => (x.key < y.key ? -1 : x.key > y.key ? 1 : 0));
}

function sortBy<T>(rows: T[], keys: Array<keyof T>): T[] {
  const key = (row: T) => JSON.stringify(keys.map((k) => row[k]));
  return [...rows].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

function withoutNoTeam<V>(map: Map<number | null, V>): Map<number | null, V> {
  return new Map([...map].filter(([team]) => team !== null && team !== 0));
}

/**
 * Every report and exported pair over `filter` (whole days, no agent): roll-up path against raw path.
 * The public reports run first, each on its own, so each must refresh the days it reads.
 */
async function pathDiffs(db: DB, filter: ReportFilter): Promise<string[]> {
  const days = rollupDays(filter);
  if (!days || filter.agentId) throw new Error('pathDiffs compares whole-day filters without an agent');
  const raw = rawPath(filter);
  const threshold = (await getSettings(db)).service_level_threshold_s;
  const out: string[] = [];
  const check = (name: string, rollup: unknown, rows: unknown) => differences(rollup, rows, name, out);

  check('serviceLevel', await serviceLevel(db, filter, threshold), await serviceLevel(db, raw, threshold));
  // Another threshold comes from the roll-up's wait histograms (the raw path sums the calls).
  for (const other of OTHER_THRESHOLDS) {
    check(`serviceLevel@${other}`, await serviceLevel(db, filter, other), await serviceLevel(db, raw, other));
    check(
      `serviceLevelByTeam@${other}`,
      withoutNoTeam(await serviceLevelByTeam(db, filter, other)),
      withoutNoTeam(await serviceLevelByTeam(db, raw, other)),
    );
  }
  // Calls without a team are keyed differently by the two paths (0 vs null); see the test of that below.
  check(
    'serviceLevelByTeam',
    withoutNoTeam(await serviceLevelByTeam(db, filter, threshold)),
    withoutNoTeam(await serviceLevelByTeam(db, raw, threshold)),
  );
  check(
    'itemFailureRates',
    sortBy(await itemFailureRates(db, filter, 'staff'), ['rubric', 'prompt']),
    sortBy(await itemFailureRates(db, raw, 'staff'), ['rubric', 'prompt']),
  );
  check('scoreOverview', await scoreOverview(db, filter, 'staff'), await scoreOverview(db, raw, 'staff'));
  check('peopleFigures', await peopleFigures(db, filter), await peopleFigures(db, raw));
  check(
    'csatByItem',
    sortBy(await csatByItem(db, filter), ['rubric', 'prompt']),
    sortBy(await csatByItem(db, raw), ['rubric', 'prompt']),
  );
  check(
    'categoryTrends',
    sortBy(await categoryTrends(db, filter), ['bucket', 'category']),
    sortBy(await categoryTrends(db, raw), ['bucket', 'category']),
  );
  check('csatPerTeam', await csatPerTeam(db, filter), await csatPerTeam(db, raw));
  check('csatBreakdown', await csatBreakdown(db, filter), await csatBreakdown(db, raw));

  check(
    'fromRollup~fromCalls',
    sortBy(await fromRollup(db, filter, days), ['bucket']),
    sortBy(await fromCalls(db, filter, threshold), ['bucket']),
  );
  check(
    'itemFailuresFromRollup~FromAnswers',
    sortBy(await itemFailuresFromRollup(db, filter, days), ['rubric', 'prompt']),
    sortBy(await itemFailuresFromAnswers(db, filter, 'staff'), ['rubric', 'prompt']),
  );
  // These two read the roll-up as it stands (their report refreshes it first).
  await refreshRollups(db, 'calls', days.fromDay, days.toDay);
  check(
    'csatByItemFromRollup~FromAnswers',
    sortBy(await csatByItemFromRollup(db, filter, days), ['family_id', 'prompt']),
    sortBy(await csatByItemFromAnswers(db, filter), ['family_id', 'prompt']),
  );
  check(
    'categoryTrendsFromRollup~FromCalls',
    sortBy(await categoryTrendsFromRollup(db, filter, days), ['bucket', 'category']),
    sortBy(await categoryTrendsFromCalls(db, filter), ['bucket', 'category']),
  );
  return out;
}

// ------------------------------------------------------------------------------------------------
// The oracle: the DOMAIN.md rules applied in JavaScript to the rows as stored.

interface Rows {
  calls: Array<{
    id: number;
    agent_id: number | null;
    team_id: number | null;
    started_at: string;
    direction: string;
    abandoned: number;
    queue_wait_s: number;
    hold_s: number;
    category: string | null;
    csat: number | null;
  }>;
  evaluations: Array<{
    id: number;
    call_id: number;
    rubric_id: number;
    agent_id: number;
    team_id: number | null;
    kind: string;
    status: string;
    submitted_at: string | null;
    score: number | null;
    passed: number | null;
    critical_failed: number;
    evaluator_id: number;
    time_spent_s: number;
  }>;
  answers: Array<{ evaluation_id: number; item_id: number; points: number | null; max_points: number | null }>;
  items: Map<number, { prompt: string; critical: number; rubric_id: number }>;
  rubrics: Map<number, { name: string; family_id: number | null }>;
}

async function readRows(db: DB): Promise<Rows> {
  const [calls, evaluations, answers, items, rubrics] = await Promise.all([
    db
      .selectFrom('calls')
      .select([
        'id',
        'agent_id',
        'team_id',
        'started_at',
        'direction',
        'abandoned',
        'queue_wait_s',
        'hold_s',
        'category',
        'csat',
      ])
      .execute(),
    db
      .selectFrom('evaluations')
      .select([
        'id',
        'call_id',
        'rubric_id',
        'agent_id',
        'team_id',
        'kind',
        'status',
        'submitted_at',
        'score',
        'passed',
        'critical_failed',
        'evaluator_id',
        'time_spent_s',
      ])
      .execute(),
    db.selectFrom('evaluation_answers').select(['evaluation_id', 'item_id', 'points', 'max_points']).execute(),
    db.selectFrom('rubric_items').select(['id', 'prompt', 'critical', 'rubric_id']).execute(),
    db.selectFrom('rubrics').select(['id', 'name', 'family_id']).execute(),
  ]);
  return {
    calls: calls.map((c) => ({
      ...c,
      abandoned: Number(c.abandoned),
      queue_wait_s: c.queue_wait_s ?? 0,
      hold_s: c.hold_s ?? 0,
    })),
    evaluations,
    answers,
    items: new Map(
      items.map((i) => [i.id, { prompt: i.prompt, critical: Number(i.critical), rubric_id: i.rubric_id }]),
    ),
    rubrics: new Map(rubrics.map((r) => [r.id, { name: r.name, family_id: r.family_id }])),
  };
}

const inRange = (iso: string, f: ReportFilter) =>
  Date.parse(iso) >= Date.parse(f.from) && Date.parse(iso) < Date.parse(f.to);
const teamOk = (team: number | null, f: ReportFilter) =>
  f.teamIds === 'all' || (team !== null && f.teamIds.includes(team));
const agentOk = (agent: number | null, f: ReportFilter) => !f.agentId || agent === f.agentId;

function bucketOf(iso: string, group: 'day' | 'week'): string {
  const d = new Date(`${new Date(iso).toISOString().slice(0, 10)}T00:00:00.000Z`);
  if (group === 'week') d.setUTCDate(d.getUTCDate() - ((d.getUTCDay() + 6) % 7));
  return d.toISOString().slice(0, 10);
}

function mean(values: number[]): number | null {
  return values.length ? values.reduce((a, b) => a + b, 0) / values.length : null;
}

function oracleServiceLevel(rows: Rows, f: ReportFilter, thresholdS: number) {
  const byBucket = new Map<string, Sums>();
  for (const c of rows.calls) {
    if (!inRange(c.started_at, f) || !teamOk(c.team_id, f) || !agentOk(c.agent_id, f) || c.direction !== 'inbound') {
      continue;
    }
    const key = bucketOf(c.started_at, f.group);
    const s = byBucket.get(key) ?? emptySums();
    s.offered += 1;
    if (c.abandoned) s.abandoned += 1;
    else {
      s.answered += 1;
      s.inbound_answered += 1;
      s.wait_total += c.queue_wait_s;
      s.hold_total += c.hold_s;
      if (c.queue_wait_s <= thresholdS) s.answered_within += 1;
    }
    byBucket.set(key, s);
  }
  const total = emptySums();
  const buckets = bucketLabels(f.fromDate, f.toDate, f.group).map((bucket) => {
    const s = byBucket.get(bucket) ?? emptySums();
    for (const key of Object.keys(total) as Array<keyof Sums>) total[key] += s[key];
    return { ...serviceLevelTotal(s), bucket };
  });
  return { buckets, total: serviceLevelTotal(total) };
}

function countedEvaluations(rows: Rows) {
  return rows.evaluations.filter((e) => e.kind === 'standard' && COUNTED.includes(e.status));
}

function itemKey(rows: Rows, e: Rows['evaluations'][number], itemId: number) {
  const item = rows.items.get(itemId)!;
  const rubric = rows.rubrics.get(e.rubric_id)!;
  return { key: `${rubric.family_id}\u0000${item.prompt}`, item, rubric };
}

function oracleItemFailures(rows: Rows, f: ReportFilter) {
  const evaluations = new Map(
    countedEvaluations(rows)
      .filter((e) => e.submitted_at && inRange(e.submitted_at, f) && teamOk(e.team_id, f) && agentOk(e.agent_id, f))
      .map((e) => [e.id, e]),
  );
  const groups = new Map<
    string,
    { rubric: string; prompt: string; critical: boolean; answered: number; failed: number }
  >();
  for (const a of rows.answers) {
    const e = evaluations.get(a.evaluation_id);
    if (!e || a.points === null) continue;
    const { key, item, rubric } = itemKey(rows, e, a.item_id);
    const g = groups.get(key) ?? { rubric: rubric.name, prompt: item.prompt, critical: false, answered: 0, failed: 0 };
    if (rubric.name < g.rubric) g.rubric = rubric.name;
    g.critical ||= item.critical === 1;
    g.answered += 1;
    if (a.points < a.max_points!) g.failed += 1;
    groups.set(key, g);
  }
  return sortBy(
    [...groups.values()].map((g) => ({ ...g, rate: g.failed / g.answered })),
    ['rubric', 'prompt'],
  );
}

/** The quality page's counts, means, pass rates and bands (its intervals follow from them by stats.ts). */
function scoreOverviewFigures(o: Awaited<ReturnType<typeof scoreOverview>>) {
  const figures = (x: { n: number; mean: number | null; pass_rate: number | null }) => ({
    n: x.n,
    mean: x.mean,
    pass_rate: x.pass_rate,
  });
  return {
    trend: o.trend.filter((t) => t.n > 0).map((t) => ({ bucket: t.bucket, ...figures(t) })),
    summary: { ...figures(o.summary), critical_fails: o.summary.critical_fails },
    bands: o.distribution.map((b) => b.value),
  };
}

/** Counted standard scorecards with a score, submitted in the range: per bucket, overall, and per ten points. */
function oracleScores(rows: Rows, f: ReportFilter) {
  const cards = countedEvaluations(rows).filter(
    (e) =>
      e.score !== null &&
      e.submitted_at &&
      inRange(e.submitted_at, f) &&
      teamOk(e.team_id, f) &&
      agentOk(e.agent_id, f),
  );
  const figures = (group: typeof cards) => ({
    n: group.length,
    mean: mean(group.map((e) => e.score!)),
    pass_rate: group.length ? group.filter((e) => e.passed === 1).length / group.length : null,
  });
  const buckets = new Map<string, typeof cards>();
  for (const e of cards) {
    const bucket = bucketOf(e.submitted_at!, f.group);
    buckets.set(bucket, [...(buckets.get(bucket) ?? []), e]);
  }
  const bands = Array.from({ length: 10 }, () => 0);
  for (const e of cards) bands[Math.min(9, Math.floor(e.score! / 10))]! += 1;
  return {
    trend: [...buckets.keys()].sort().map((bucket) => ({ bucket, ...figures(buckets.get(bucket)!) })),
    summary: { ...figures(cards), critical_fails: cards.filter((e) => Number(e.critical_failed) === 1).length },
    bands,
  };
}

function oracleCsatByItem(rows: Rows, f: ReportFilter) {
  const calls = new Map(rows.calls.map((c) => [c.id, c]));
  const evaluations = new Map(
    countedEvaluations(rows)
      .filter((e) => {
        const call = calls.get(e.call_id)!;
        return inRange(call.started_at, f) && call.csat !== null && teamOk(e.team_id, f) && agentOk(e.agent_id, f);
      })
      .map((e) => [e.id, e]),
  );
  const groups = new Map<string, { rubric: string; prompt: string; passed: number[]; failed: number[] }>();
  for (const a of rows.answers) {
    const e = evaluations.get(a.evaluation_id);
    if (!e || a.points === null) continue;
    const { key, item, rubric } = itemKey(rows, e, a.item_id);
    const g = groups.get(key) ?? { rubric: rubric.name, prompt: item.prompt, passed: [], failed: [] };
    if (rubric.name < g.rubric) g.rubric = rubric.name;
    (a.points >= a.max_points! ? g.passed : g.failed).push(calls.get(e.call_id)!.csat!);
    groups.set(key, g);
  }
  return sortBy(
    [...groups.values()].map((g) => {
      const passed = mean(g.passed);
      const failed = mean(g.failed);
      return {
        rubric: g.rubric,
        prompt: g.prompt,
        csat_passed: passed,
        n_passed: g.passed.length,
        csat_failed: failed,
        n_failed: g.failed.length,
        gap: passed !== null && failed !== null ? passed - failed : null,
      };
    }),
    ['rubric', 'prompt'],
  );
}

function oracleCategoryTrends(rows: Rows, f: ReportFilter) {
  const byCall = new Map<number, Rows['evaluations']>();
  for (const e of countedEvaluations(rows)) byCall.set(e.call_id, [...(byCall.get(e.call_id) ?? []), e]);
  const groups = new Map<
    string,
    { bucket: string; category: string; calls: number; scores: number[]; evaluations: number }
  >();
  for (const c of rows.calls) {
    if (!inRange(c.started_at, f) || !teamOk(c.team_id, f) || !agentOk(c.agent_id, f)) continue;
    const bucket = bucketOf(c.started_at, f.group);
    const category = c.category ?? '(none)';
    const key = `${bucket}\u0000${category}`;
    const g = groups.get(key) ?? { bucket, category, calls: 0, scores: [], evaluations: 0 };
    const evaluations = byCall.get(c.id) ?? [];
    g.calls += 1;
    g.evaluations += evaluations.length;
    g.scores.push(...evaluations.flatMap((e) => (e.score === null ? [] : [e.score])));
    groups.set(key, g);
  }
  return sortBy(
    [...groups.values()].map((g) => ({
      bucket: g.bucket,
      category: g.category,
      calls: g.calls,
      evaluations: g.evaluations,
      avg_score: mean(g.scores),
    })),
    ['bucket', 'category'],
  );
}

function oracleCsatPerTeam(rows: Rows, f: ReportFilter) {
  const byTeam = new Map<number, number[]>();
  for (const c of rows.calls) {
    if (c.csat === null || c.team_id === null || !inRange(c.started_at, f) || !teamOk(c.team_id, f)) continue;
    if (!agentOk(c.agent_id, f)) continue;
    byTeam.set(c.team_id, [...(byTeam.get(c.team_id) ?? []), c.csat]);
  }
  return new Map([...byTeam].map(([team, values]) => [team, { csat: mean(values)!, n: values.length }]));
}

function oracleCsatPerAgent(rows: Rows, f: ReportFilter) {
  const byAgent = new Map<number, number[]>();
  for (const c of rows.calls) {
    if (c.csat === null || c.agent_id === null || !inRange(c.started_at, f) || !teamOk(c.team_id, f)) continue;
    if (!agentOk(c.agent_id, f)) continue;
    byAgent.set(c.agent_id, [...(byAgent.get(c.agent_id) ?? []), c.csat]);
  }
  return sortBy(
    [...byAgent].map(([id, values]) => ({ id, csat: mean(values)!, n: values.length })),
    ['id'],
  );
}

/** Per CSR and per evaluator: the counted standard scorecards with a score in the range (the quality page). */
function oraclePeople(rows: Rows, f: ReportFilter) {
  const cards = countedEvaluations(rows).filter(
    (e) => e.score !== null && e.submitted_at && inRange(e.submitted_at, f) && teamOk(e.team_id, f),
  );
  const group = (key: (e: (typeof cards)[number]) => number) => {
    const by = new Map<number, typeof cards>();
    for (const e of cards) by.set(key(e), [...(by.get(key(e)) ?? []), e]);
    return by;
  };
  const csrs = [...group((e) => e.agent_id)].map(([id, mine]) => ({
    id,
    n: mine.length,
    mean: mean(mine.map((e) => e.score!)),
    pass_rate: mine.filter((e) => e.passed === 1).length / mine.length,
    critical_fails: mine.filter((e) => Number(e.critical_failed) === 1).length,
  }));
  const evaluators = [...group((e) => e.evaluator_id)].map(([id, mine]) => ({
    id,
    n: mine.length,
    avg_score: mean(mine.map((e) => e.score!)),
    avg_time_s: mean(mine.map((e) => e.time_spent_s)),
  }));
  return { csrs: sortBy(csrs, ['id']), evaluators: sortBy(evaluators, ['id']) };
}

function peopleFigureRows(p: Awaited<ReturnType<typeof peopleFigures>>) {
  return {
    csrs: sortBy(
      p.csrs.map((c) => ({ id: c.id, n: c.n, mean: c.mean, pass_rate: c.pass_rate, critical_fails: c.critical_fails })),
      ['id'],
    ),
    evaluators: sortBy(
      p.evaluators.evaluators.map((e) => ({ id: e.id, n: e.n, avg_score: e.avg_score, avg_time_s: e.avg_time_s })),
      ['id'],
    ),
  };
}

/** The public reports over any filter against the oracle. */
async function oracleDiffs(db: DB, filter: ReportFilter): Promise<string[]> {
  const rows = await readRows(db);
  const threshold = (await getSettings(db)).service_level_threshold_s;
  const out: string[] = [];
  const check = (name: string, report: unknown, oracle: unknown) => differences(report, oracle, name, out);
  check('serviceLevel', await serviceLevel(db, filter, threshold), oracleServiceLevel(rows, filter, threshold));
  for (const other of OTHER_THRESHOLDS) {
    check(`serviceLevel@${other}`, await serviceLevel(db, filter, other), oracleServiceLevel(rows, filter, other));
  }
  check(
    'itemFailureRates',
    sortBy(await itemFailureRates(db, filter, 'staff'), ['rubric', 'prompt']),
    oracleItemFailures(rows, filter),
  );
  check('scoreOverview', scoreOverviewFigures(await scoreOverview(db, filter, 'staff')), oracleScores(rows, filter));
  if (!filter.agentId)
    check('peopleFigures', peopleFigureRows(await peopleFigures(db, filter)), oraclePeople(rows, filter));
  check('csatByItem', sortBy(await csatByItem(db, filter), ['rubric', 'prompt']), oracleCsatByItem(rows, filter));
  check(
    'categoryTrends',
    sortBy(await categoryTrends(db, filter), ['bucket', 'category']),
    oracleCategoryTrends(rows, filter),
  );
  check('csatPerTeam', await csatPerTeam(db, filter), oracleCsatPerTeam(rows, filter));
  const { agents } = await csatBreakdown(db, filter);
  check(
    'csatBreakdown.agents',
    sortBy(
      agents.map((a) => ({ id: a.id, csat: a.csat, n: a.n })),
      ['id'],
    ),
    oracleCsatPerAgent(rows, filter),
  );
  expect(agents.map((a) => a.csat)).toEqual([...agents.map((a) => a.csat)].sort((a, b) => a - b));
  return out;
}

// ------------------------------------------------------------------------------------------------
// Roll-up bookkeeping

async function dirtyRows(db: DB) {
  return db.selectFrom('rollup_dirty').selectAll().orderBy('kind').orderBy('day').execute();
}

async function refreshEverything(db: DB): Promise<number> {
  return (await refreshRollups(db, 'calls')) + (await refreshRollups(db, 'scores'));
}

/** Adds `delta` to one column of every row of a roll-up table (to corrupt it, then to restore it). */
/** The cells of each category in rollup_team_day.categories, after the category's name. */
const CATEGORY_CELLS = ['calls', 'evaluations', 'scored', 'score_total'];
/** A wait histogram's cells after the seconds: [seconds, calls]. */
const WAIT_CELLS = ['calls'];
/**
 * Thresholds other than the setting's (30 s): 12 and 45 fall between waits of the data set (12.5, 45.5 are over
 * them), 29 sits under 29.999; all come from the wait histograms.
 */
const OTHER_THRESHOLDS = [12, 29, 45];
/** The cells of each item in rollup_score_day.items, after the item's id. */
const ITEM_CELLS = ['answered', 'failed'];

/** Adds delta to a column of every row, or to one cell of every category or item ('categories.calls'). */
async function shift(db: DB, table: string, column: string, delta: number) {
  const [name, cell] = column.split('.');
  if (!cell) {
    await sql`update ${sql.table(table)} set ${sql.ref(column)} = ${sql.ref(column)} + ${delta}`.execute(db);
    return;
  }
  const index = 1 + (name === 'items' ? ITEM_CELLS : name === 'waits' ? WAIT_CELLS : CATEGORY_CELLS).indexOf(cell);
  expect(index).toBeGreaterThan(0);
  // The all-team tables have a row per day, the team tables one per day and team.
  const perTeam = table !== 'rollup_category_day' && table !== 'rollup_score_total_day';
  const rows = await sql<{ day: string; team_id: number; cells: string }>`
    select day, ${perTeam ? sql`team_id` : sql`0`} as team_id, ${sql.ref(name)} as cells from ${sql.table(table)}`.execute(
    db,
  );
  expect(rows.rows.length).toBeGreaterThan(0);
  for (const row of rows.rows) {
    const cells = (JSON.parse(row.cells) as number[][]).map((c) => c.map((v, i) => (i === index ? v + delta : v)));
    await sql`update ${sql.table(table)} set ${sql.ref(name)} = ${JSON.stringify(cells)}
      where day = ${row.day} ${perTeam ? sql`and team_id = ${row.team_id}` : sql``}`.execute(db);
  }
}

/** A seeded PRNG (mulberry32): the same data set on every run. */
function prng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (n: number) => Math.floor(next() * n),
    pick: <T>(values: readonly T[]): T => values[Math.floor(next() * values.length)],
    chance: (p: number) => next() < p,
  };
}
type Rng = ReturnType<typeof prng>;

function setClock(ctx: TestContext, iso: string) {
  ctx.clock.advance(Date.parse(iso) - ctx.clock.now().getTime());
}

const START = Date.parse('2026-11-23T09:00:00.000Z');

function addDays(day: string, n: number): string {
  const d = new Date(`${day}T00:00:00.000Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}

function timeOn(rng: Rng, day: string): string {
  if (rng.chance(0.1)) return `${day}T00:00:00.000Z`;
  if (rng.chance(0.06)) return `${day}T23:59:59.999Z`;
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${day}T${pad(rng.int(24))}:${pad(rng.int(60))}:${pad(rng.int(60))}.${String(rng.int(1000)).padStart(3, '0')}Z`;
}

function randomAnswers(rng: Rng, rubric: FullRubric): AnswerJson[] {
  return itemsOf(rubric).map((item) => {
    if (item.allow_na && rng.chance(0.2)) return { item_id: item.id, value: 'na' };
    if (item.type === 'yes_no') return { item_id: item.id, value: rng.chance(0.65) ? 'yes' : 'no' };
    if (item.type === 'scale') return { item_id: item.id, value: rng.int(item.max_points + 1) };
    return { item_id: item.id, value: rng.pick(item.options).id };
  });
}

/** Quality v1 (manual release): Opening (greeting with N/A, identity critical) and Resolution (0..4, policy with N/A). */
function qualityV1() {
  return rubricJson(
    [
      section('Opening', 1, [
        yesNo('Greeted the caller', { allow_na: true }),
        yesNo('Verified identity', { critical: true }),
      ]),
      section('Resolution', 3, [scale('Accuracy', 4), choice('Followed policy', [0, 2, 5], { allow_na: true })]),
    ],
    { name: 'Quality', release_mode: 'manual' },
  );
}

/** Quality v2 (released on submit, renamed): greeting kept, accuracy now 0..5, identity dropped, follow-up added. */
function qualityV2() {
  return rubricJson(
    [
      section('Opening', 1, [yesNo('Greeted the caller', { allow_na: true })]),
      section('Resolution', 2, [scale('Accuracy', 5), yesNo('Offered a follow-up', { allow_na: true })]),
    ],
    { name: 'Quality (v2)', release_mode: 'on_submit' },
  );
}

/** Another family sharing a prompt with Quality: the two must never be summed together. */
function salesCheck() {
  return rubricJson([section('Sales', 1, [yesNo('Greeted the caller'), scale('Closing', 3)])], {
    name: 'Sales check',
    release_mode: 'on_submit',
  });
}

// ================================================================================================
// 1. A seeded random data set: both paths agree on every filter.

describe('a seeded random data set: roll-up path = raw path = oracle', () => {
  const SEED = Number(process.env.ROLLUP_SEED ?? 20261123);
  const FIRST_DAY = '2026-10-26';
  const DAYS = 22; // 26 October to 16 November; scorecards submitted up to 21 November
  const LAST_DAY = '2026-11-22';
  let ctx: TestContext;
  let org: Org;
  let rubrics: { v1: FullRubric; v2: FullRubric; sales: FullRubric };
  let db: DB;

  const ranges: Array<[string, string]> = [
    [FIRST_DAY, LAST_DAY], // all of it
    ['2026-10-29', '2026-11-11'], // starts and ends mid-data (Thursday to Wednesday)
    ['2026-11-05', '2026-11-05'], // one day
  ];
  const filters = () =>
    ranges.flatMap(([from, to]) =>
      TEAMS_OF(org).flatMap((teams) => (['day', 'week'] as const).map((group) => wholeDays(from, to, teams, group))),
    );

  async function seed(rng: Rng) {
    const agents = [org.csrA, org.csrA2, org.csrB, org.otherCsr];
    const fixtures: CallFixture[] = [];
    const noTeamScored: CallFixture[] = [];
    for (let i = 0; i < 360; i += 1) {
      const day = addDays(FIRST_DAY, rng.int(DAYS));
      const direction = rng.chance(0.8) ? ('inbound' as const) : ('outbound' as const);
      const abandoned = direction === 'inbound' && rng.chance(0.15);
      const agent = rng.pick(agents);
      const noTeam = rng.chance(0.08);
      fixtures.push({
        started_at: timeOn(rng, day),
        direction,
        abandoned,
        agent: abandoned || (noTeam && rng.chance(0.5)) ? null : agent,
        team_id: noTeam ? null : agent.team_id,
        queue_wait_s: rng.pick([0, 4, 12.5, 29, 29.999, 30, 30, 30, 30.001, 31, 44, 45, 45.5, 60, 180]),
        hold_s: rng.pick([0, 0, 0, 7, 25.5, 60, 240]),
        category: rng.pick(['billing', 'returns', 'tech', 'tech', null]),
        csat: rng.chance(0.45) ? 1 + rng.int(5) : null,
      });
    }
    // CSRs always have a team, but a call may carry none (an ACD export without one): scored all the same.
    for (let i = 0; i < 8; i += 1) {
      noTeamScored.push({
        started_at: timeOn(rng, addDays(FIRST_DAY, rng.int(DAYS))),
        agent: rng.pick(agents),
        queue_wait_s: rng.pick([10, 30, 50]),
        category: rng.pick(['billing', null]),
        csat: rng.chance(0.7) ? 1 + rng.int(5) : null,
      });
    }
    await insertCalls(ctx.deps, fixtures);
    // helpers/reports takes a null team to mean "the agent's": write these rows as they are.
    await db
      .insertInto('calls')
      .values(
        noTeamScored.map((f, i) => ({
          source: 'default',
          external_id: `no-team-${i}`,
          agent_id: f.agent!.id,
          team_id: null,
          started_at: f.started_at,
          direction: 'inbound',
          category: f.category ?? null,
          queue_wait_s: f.queue_wait_s ?? 0,
          hold_s: 0,
          duration_s: 100,
          csat: f.csat ?? null,
          abandoned: 0,
          created_at: '2026-11-23T08:00:00.000Z',
        })),
      )
      .execute();

    const scorable = await db
      .selectFrom('calls')
      .select(['id', 'agent_id', 'team_id', 'started_at'])
      .where('agent_id', 'is not', null)
      .orderBy('id')
      .execute();
    const byId = new Map(agents.map((a) => [a.id, a]));
    const admin = ADMIN(org);

    async function score(call: (typeof scorable)[number], rubric: FullRubric) {
      const state = rng.pick(['draft', 'submitted', 'submitted', 'released', 'acknowledged', 'calibration'] as const);
      const submitDay = addDays(call.started_at.slice(0, 10), rng.int(6));
      setClock(ctx, timeOn(rng, submitDay < LAST_DAY ? submitDay : LAST_DAY));
      const answers = randomAnswers(rng, rubric);
      if (state === 'calibration') {
        const session = await openSession(ctx.deps, admin, {
          call_id: call.id,
          rubric_id: rubric.id,
          evaluator_ids: [org.admin.id, org.manager.id],
        });
        const id = await startCalibrationScoring(ctx.deps, admin, session.id);
        await saveEvaluation(ctx.deps, admin, id, { answers, submit: true });
        return;
      }
      const draft = await startEvaluation(ctx.deps, admin, call.id, rubric.id);
      const { evaluation } = await saveEvaluation(ctx.deps, admin, draft.id, { answers, submit: state !== 'draft' });
      if (state === 'draft' || state === 'submitted') return;
      ctx.clock.advance(60_000);
      if (evaluation.status === 'submitted') await releaseEvaluation(ctx.deps, admin, evaluation.id);
      if (state === 'acknowledged') {
        const csr = byId.get(call.agent_id!)!;
        await acknowledgeEvaluation(ctx.deps, { id: csr.id, role: 'csr' }, evaluation.id, null);
      }
    }

    // Version 1 and the other family first (version 1 is retired once version 2 is published).
    // Every call without a team is scored at least once (only a CSR's call can be).
    const phase1 = scorable.filter((c) => c.team_id === null || rng.chance(0.22));
    for (const call of phase1) await score(call, rng.chance(0.7) ? rubrics.v1 : rubrics.sales);
    const draftId = await startNewVersion(ctx.deps, admin, rubrics.v1.id);
    await updateDraft(ctx.deps, admin, draftId, qualityV2());
    rubrics.v2 = await publishRubric(ctx.deps, admin, draftId);
    const phase2 = scorable.filter(() => rng.chance(0.15));
    for (const call of phase2) await score(call, rng.chance(0.8) ? rubrics.v2 : rubrics.sales);
    setClock(ctx, new Date(START).toISOString());
  }

  beforeAll(async () => {
    ctx = makeTestApp();
    db = ctx.deps.db;
    org = await buildOrg(ctx.deps);
    rubrics = {
      v1: await publishedRubric(ctx.deps, qualityV1()),
      sales: await publishedRubric(ctx.deps, salesCheck()),
      v2: undefined as unknown as FullRubric,
    };
    await seed(prng(SEED));
  });
  afterAll(async () => ctx.close());

  test('the data set has what the comparison needs', async () => {
    const counts = await sql<{ what: string; n: number }>`
      select 'calls' as what, count(*) as n from calls
      union all select 'no team', count(*) from calls where team_id is null
      union all select 'abandoned', count(*) from calls where abandoned = 1
      union all select 'outbound', count(*) from calls where direction = 'outbound'
      union all select 'wait exactly 30 s', count(*) from calls where queue_wait_s = 30 and direction = 'inbound'
      union all select 'csat', count(*) from calls where csat is not null
      union all select 'no category', count(*) from calls where category is null
      union all select 'N/A answers', count(*) from evaluation_answers where points is null
      union all select 'scored without team', count(*) from evaluations
        where team_id is null and kind = 'standard' and status <> 'draft'
      union all select 'rubric versions', count(distinct rubric_id) from evaluations
      union all select 'draft', count(*) from evaluations where status = 'draft'
      union all select 'submitted', count(*) from evaluations where status = 'submitted' and kind = 'standard'
      union all select 'released', count(*) from evaluations where status = 'released'
      union all select 'acknowledged', count(*) from evaluations where status = 'acknowledged'
      union all select 'calibration', count(*) from evaluations where kind = 'calibration' and status = 'submitted'`.execute(
      db,
    );
    const n = Object.fromEntries(counts.rows.map((r) => [r.what, Number(r.n)]));
    // Read as the app reads them (ISO text on both engines; a timestamptz on PostgreSQL has no LIKE).
    const starts = await db.selectFrom('calls').select('started_at').execute();
    n.midnight = starts.filter((c) => c.started_at.endsWith('T00:00:00.000Z')).length;
    expect(n.calls).toBeGreaterThan(300);
    expect(n['rubric versions']).toBe(3); // Quality v1 and v2, Sales check
    for (const [what, count] of Object.entries(n)) expect({ what, count: count > 0 }).toEqual({ what, count: true });
  });

  test('every report agrees on every range, team choice and grouping (all teams, one, two; by day and week)', async () => {
    // Not an agreement on nothing: over the whole range every report has rows for every team choice.
    for (const teams of TEAMS_OF(org)) {
      const filter = wholeDays(FIRST_DAY, LAST_DAY, teams, 'week');
      const counts = {
        offered: (await serviceLevel(db, filter, 30)).total.offered,
        items: (await itemFailureRates(db, filter, 'staff')).length,
        csatItems: (await csatByItem(db, filter)).length,
        categories: (await categoryTrends(db, filter)).length,
        csatTeams: (await csatPerTeam(db, filter)).size,
      };
      expect(Object.values(counts).every((n) => n > 0)).toBe(true);
    }
    const problems: string[] = [];
    for (const filter of filters()) {
      for (const d of await pathDiffs(db, filter)) problems.push(`${label(filter)} ${d}`);
    }
    expect(problems).toEqual([]);
  });

  test('the roll-up path also matches the oracle (so the two paths cannot share a mistake)', async () => {
    const problems: string[] = [];
    for (const filter of filters()) {
      for (const d of await oracleDiffs(db, filter)) problems.push(`${label(filter)} ${d}`);
    }
    expect(problems).toEqual([]);
  });

  test('the comparison sees a corrupted roll-up: every roll-up column read is compared', async () => {
    const filter = wholeDays(FIRST_DAY, LAST_DAY, 'all', 'week');
    expect(await pathDiffs(db, filter)).toEqual([]);
    const serviceLevelReaders = ['serviceLevel', 'serviceLevelByTeam', 'fromRollup~fromCalls'];
    const categoryReaders = ['categoryTrends', 'categoryTrendsFromRollup~FromCalls'];
    // Over every team the categories, the CSAT by item and the scorecard sums and items come from the all-team
    // tables; over some teams, from their team rows.
    const someTeams = [org.teamA, org.teamB];
    const corruptions: Array<[string, string, string[], number[]?]> = [
      ...['offered', 'within_threshold', 'abandoned', 'answered', 'wait_total', 'hold_total'].map(
        (column): [string, string, string[]] => ['rollup_team_day', column, serviceLevelReaders],
      ),
      ...CATEGORY_CELLS.map((cell): [string, string, string[], number[]] => [
        'rollup_team_day',
        `categories.${cell}`,
        categoryReaders,
        someTeams,
      ]),
      ...CATEGORY_CELLS.map((cell): [string, string, string[]] => [
        'rollup_category_day',
        `categories.${cell}`,
        categoryReaders,
      ]),
      [
        'rollup_team_day',
        'waits.calls',
        OTHER_THRESHOLDS.flatMap((t) => [`serviceLevel@${t}`, `serviceLevelByTeam@${t}`]),
      ],
      ['rollup_team_day', 'csat_n', ['csatPerTeam', 'csatBreakdown']],
      ['rollup_team_day', 'csat_total', ['csatPerTeam', 'csatBreakdown']],
      ...ITEM_CELLS.map((cell): [string, string, string[], number[]] => [
        'rollup_score_day',
        `items.${cell}`,
        ['itemFailureRates', 'itemFailuresFromRollup~FromAnswers'],
        someTeams,
      ]),
      ...SCORE_DAY_SUMS.map((column): [string, string, string[], number[]] => [
        'rollup_score_day',
        column,
        ['scoreOverview'],
        someTeams,
      ]),
      ...ITEM_CELLS.map((cell): [string, string, string[]] => [
        'rollup_score_total_day',
        `items.${cell}`,
        ['itemFailureRates', 'itemFailuresFromRollup~FromAnswers'],
      ]),
      ...SCORE_DAY_SUMS.map((column): [string, string, string[]] => [
        'rollup_score_total_day',
        column,
        ['scoreOverview'],
      ]),
      ...['scored', 'score_total', 'score_squares', 'passed', 'critical'].map((column): [string, string, string[]] => [
        'rollup_score_agent_day',
        column,
        ['peopleFigures'],
      ]),
      ...['scored', 'score_total', 'time_total'].map((column): [string, string, string[]] => [
        'rollup_score_evaluator_day',
        column,
        ['peopleFigures'],
      ]),
      ['rollup_csat_agent_day', 'csat_n', ['csatBreakdown']],
      ['rollup_csat_agent_day', 'csat_total', ['csatBreakdown']],
      ...['n_passed', 'csat_passed', 'n_failed', 'csat_failed'].map((column): [string, string, string[], number[]] => [
        'rollup_item_csat_day',
        column,
        ['csatByItem', 'csatByItemFromRollup~FromAnswers'],
        someTeams,
      ]),
      ...['n_passed', 'csat_passed', 'n_failed', 'csat_failed'].map((column): [string, string, string[]] => [
        'rollup_item_csat_total_day',
        column,
        ['csatByItem', 'csatByItemFromRollup~FromAnswers'],
      ]),
    ];
    for (const [table, column, caughtBy, teams] of corruptions) {
      await shift(db, table, column, 1);
      try {
        const diffs = await pathDiffs(db, teams ? wholeDays(FIRST_DAY, LAST_DAY, teams, 'week') : filter);
        const names = new Set(diffs.map((d) => d.split(/[.[:]/)[0]));
        expect({ table, column, caught: caughtBy.filter((name) => names.has(name)) }).toEqual({
          table,
          column,
          caught: caughtBy,
        });
      } finally {
        await shift(db, table, column, -1);
      }
    }
    expect(await pathDiffs(db, filter)).toEqual([]);
  });

  test('the manager dashboard (one row per team, this month) matches the raw rows', async () => {
    const now = new Date(START);
    const settings = await getSettings(db);
    const teams = [org.teamA, org.teamB, org.otherTeam];
    const rows = await managerTeamRows(db, teams, now, settings);
    const month = rawPath(wholeDays('2026-11-01', '2026-11-30', teams, 'week'));
    const service = await serviceLevelByTeam(db, month, settings.service_level_threshold_s);
    const csat = await csatPerTeam(db, month);
    const expected = teams.map((teamId) => ({
      teamId,
      service: service.get(teamId) ?? serviceLevelTotal(emptySums()),
      csat: csat.get(teamId)?.csat ?? null,
    }));
    const out: string[] = [];
    differences(
      rows.map((r) => ({ teamId: r.teamId, service: r.service, csat: r.csat })),
      expected,
      'managerTeamRows',
      out,
    );
    expect(out).toEqual([]);
    expect(rows.every((r) => r.service.offered > 0)).toBe(true);
  });

  test('the roll-up follows the service level threshold setting', async () => {
    const filter = wholeDays(FIRST_DAY, LAST_DAY, 'all', 'day');
    const at30 = (await serviceLevel(db, filter, 30)).total.answered_within;
    try {
      await saveSettings(ctx.deps, ADMIN(org), { service_level_threshold_s: 45 });
      expect(await pathDiffs(db, filter)).toEqual([]);
      expect(await oracleDiffs(db, filter)).toEqual([]);
      const at45 = await serviceLevel(db, filter, 45);
      expect(at45.total.answered_within).toBeGreaterThan(at30);
      // Computed for 45 s now: every day of calls in the range says so.
      const thresholds = await db.selectFrom('rollup_team_day').select('threshold_s').distinct().execute();
      expect(thresholds).toEqual([{ threshold_s: 45 }]);
      // A report asking for another threshold than the setting sums the calls (and is right).
      expect((await serviceLevel(db, filter, 30)).total.answered_within).toBe(at30);
    } finally {
      await saveSettings(ctx.deps, ADMIN(org), { service_level_threshold_s: 30 });
    }
    expect(await pathDiffs(db, filter)).toEqual([]);
  });

  // ----------------------------------------------------------------------------------------------
  // 3. Staleness is bounded.

  test('after a report reads a range nothing in it is stale, and a second read recomputes nothing', async () => {
    await refreshEverything(db);
    expect(await dirtyRows(db)).toEqual([]);
    // Touch a day before the range, a day inside it, and a scorecard submitted inside it.
    const callOn = (from: string, to: string) =>
      db
        .selectFrom('calls')
        .select(['id', 'started_at'])
        .where('started_at', '>=', from)
        .where('started_at', '<', to)
        .orderBy('id')
        .limit(1)
        .executeTakeFirstOrThrow();
    const before = await callOn('2026-10-26', '2026-11-02');
    const inside = await callOn('2026-11-03', '2026-11-08');
    await db.updateTable('calls').set({ csat: 5 }).where('id', '=', before.id).execute();
    await db.updateTable('calls').set({ hold_s: 11 }).where('id', '=', inside.id).execute();
    const answer = await db
      .selectFrom('evaluation_answers as a')
      .innerJoin('evaluations as e', 'e.id', 'a.evaluation_id')
      .select(['a.evaluation_id', 'a.item_id', 'e.submitted_at'])
      .where('e.status', 'in', ['submitted', 'released', 'acknowledged'])
      .where('e.kind', '=', 'standard')
      .where('e.submitted_at', '>=', '2026-11-04T00:00:00.000Z')
      .where('e.submitted_at', '<', '2026-11-09T00:00:00.000Z')
      .where('a.points', 'is not', null)
      .orderBy('e.id')
      .limit(1)
      .executeTakeFirstOrThrow();
    await db
      .updateTable('evaluation_answers')
      .set({ points: 0 })
      .where('evaluation_id', '=', answer.evaluation_id)
      .where('item_id', '=', answer.item_id)
      .execute();
    const stale = await dirtyRows(db);
    expect(stale).toEqual(
      expect.arrayContaining([
        { kind: 'calls', day: before.started_at.slice(0, 10) },
        { kind: 'calls', day: inside.started_at.slice(0, 10) },
        { kind: 'scores', day: answer.submitted_at!.slice(0, 10) },
      ]),
    );

    const filter = wholeDays('2026-11-02', '2026-11-08', 'all', 'week');
    expect(await pathDiffs(db, filter)).toEqual([]);
    const left = await dirtyRows(db);
    expect(left.filter((r) => r.day >= '2026-11-02' && r.day < '2026-11-09')).toEqual([]);
    // Days outside the range stay stale until something reads them.
    const outside = stale.filter((r) => r.day < '2026-11-02');
    expect(left).toEqual(outside);
    expect(await refreshRollups(db, 'calls', '2026-11-02', '2026-11-09')).toBe(0);
    expect(await refreshRollups(db, 'scores', '2026-11-02', '2026-11-09')).toBe(0);
    expect(await refreshRollups(db, 'calls', FIRST_DAY, '2026-11-02')).toBe(
      outside.filter((r) => r.kind === 'calls').length,
    );
    expect(await refreshEverything(db)).toBe(0);
    expect(await dirtyRows(db)).toEqual([]);
    expect(await oracleDiffs(db, wholeDays(FIRST_DAY, LAST_DAY, 'all', 'day'))).toEqual([]);
  });

  test("a counted scorecard's evaluator, agent, time, pass or critical fail changing alone marks its day", async () => {
    await refreshEverything(db);
    const card = await db
      .selectFrom('evaluations')
      .select(['id', 'submitted_at', 'evaluator_id', 'agent_id', 'time_spent_s', 'passed', 'critical_failed'])
      .where('status', 'in', ['submitted', 'released', 'acknowledged'])
      .where('kind', '=', 'standard')
      .where('score', 'is not', null)
      .orderBy('id')
      .limit(1)
      .executeTakeFirstOrThrow();
    const other = await db
      .selectFrom('users')
      .select('id')
      .where('id', 'not in', [card.evaluator_id, card.agent_id])
      .limit(1)
      .executeTakeFirstOrThrow();
    const day = card.submitted_at!.slice(0, 10);
    const filter = wholeDays(day, nextDay(day), 'all', 'day');
    const changes = [
      { time_spent_s: card.time_spent_s + 600 },
      { evaluator_id: other.id },
      { agent_id: other.id },
      { passed: card.passed === 1 ? 0 : 1 },
      { critical_failed: card.critical_failed === 1 ? 0 : 1 },
    ];
    try {
      for (const change of changes) {
        await db.updateTable('evaluations').set(change).where('id', '=', card.id).execute();
        expect({ change, stale: await dirtyRows(db) }).toEqual({ change, stale: [{ kind: 'scores', day }] });
        expect({ change, diffs: await pathDiffs(db, filter) }).toEqual({ change, diffs: [] });
        expect(await dirtyRows(db)).toEqual([]);
      }
    } finally {
      const { id, submitted_at: _at, ...before } = card;
      await db.updateTable('evaluations').set(before).where('id', '=', id).execute();
      await refreshEverything(db);
    }
    expect(await oracleDiffs(db, wholeDays(FIRST_DAY, LAST_DAY, 'all', 'day'))).toEqual([]);
  });

  test('each report refreshes the days it reads on its own', async () => {
    const filter = wholeDays(FIRST_DAY, LAST_DAY, [org.teamA, org.teamB], 'week');
    const raw = rawPath(filter);
    const threshold = (await getSettings(db)).service_level_threshold_s;
    const reports: Array<[string, (f: ReportFilter) => Promise<unknown>]> = [
      ['serviceLevel', (f) => serviceLevel(db, f, threshold)],
      ['serviceLevelByTeam', (f) => serviceLevelByTeam(db, f, threshold)],
      ['itemFailureRates', async (f) => sortBy(await itemFailureRates(db, f, 'staff'), ['rubric', 'prompt'])],
      ['csatByItem', async (f) => sortBy(await csatByItem(db, f), ['rubric', 'prompt'])],
      ['categoryTrends', (f) => categoryTrends(db, f)],
      ['csatPerTeam', (f) => csatPerTeam(db, f)],
      ['csatBreakdown', (f) => csatBreakdown(db, f)],
    ];
    let round = 0;
    for (const [name, report] of reports) {
      round += 1;
      await refreshEverything(db);
      // A write touching every roll-up: a call's CSAT and hold, and a counted scorecard's answer and score.
      const call = await db
        .selectFrom('calls as c')
        .innerJoin('evaluations as e', 'e.call_id', 'c.id')
        .select(['c.id', 'e.id as evaluation_id'])
        .where('c.team_id', '=', org.teamA)
        .where('c.direction', '=', 'inbound')
        .where('c.abandoned', '=', 0)
        .where('e.kind', '=', 'standard')
        .where('e.status', 'in', ['submitted', 'released', 'acknowledged'])
        .orderBy('c.id')
        .limit(1)
        .offset(round)
        .executeTakeFirstOrThrow();
      await db
        .updateTable('calls')
        .set({ csat: 1 + (round % 5), hold_s: 100 + round })
        .where('id', '=', call.id)
        .execute();
      await db
        .updateTable('evaluation_answers')
        .set((eb) => ({ points: eb('max_points', '-', 1) }))
        .where('evaluation_id', '=', call.evaluation_id)
        .execute();
      await db.updateTable('evaluations').set({ score: round }).where('id', '=', call.evaluation_id).execute();
      expect((await dirtyRows(db)).length).toBeGreaterThan(0);
      const out: string[] = [];
      differences(await report(filter), await report(raw), name, out);
      expect(out).toEqual([]);
    }
    expect(await oracleDiffs(db, filter)).toEqual([]);
  });

  // ----------------------------------------------------------------------------------------------
  // 4. Filters the roll-up cannot answer take the raw path, and are right.

  test('rollupDays takes only whole local days (UTC here)', () => {
    expect(rollupDays({ from: '2026-11-02T00:00:00.000Z', to: '2026-11-09T00:00:00.000Z', timeZone: 'UTC' })).toEqual({
      fromDay: '2026-11-02',
      toDay: '2026-11-09',
    });
    expect(rollupDays({ from: '2026-11-02T00:00:00Z', to: '2026-11-09T00:00:00Z', timeZone: 'UTC' })).not.toBeNull();
    for (const [from, to] of [
      ['2026-11-02T12:00:00.000Z', '2026-11-09T00:00:00.000Z'],
      ['2026-11-02T00:00:00.000Z', '2026-11-08T18:30:00.000Z'],
      ['2026-11-02T00:00:00.001Z', '2026-11-09T00:00:00.000Z'],
      ['2026-11-02T00:00:00.000+00:00', '2026-11-09T00:00:00.000Z'],
      ['2026-11-02', '2026-11-09'],
    ]) {
      expect({ from, to, days: rollupDays({ from, to, timeZone: 'UTC' }) }).toEqual({ from, to, days: null });
    }
  });

  test('a filter starting mid-day, or naming an agent, is summed from the raw rows and is right', async () => {
    const partial: ReportFilter[] = [
      { ...wholeDays('2026-11-03', '2026-11-12', 'all', 'day'), from: '2026-11-03T12:00:00.000Z' },
      { ...wholeDays('2026-10-28', '2026-11-12', [org.teamA], 'week'), to: '2026-11-12T18:30:00.000Z' },
      { ...wholeDays('2026-10-26', '2026-11-22', 'all', 'week'), from: '2026-10-26T00:00:00.001Z' },
      wholeDays(FIRST_DAY, LAST_DAY, 'all', 'week', org.csrA.id),
      wholeDays('2026-11-02', '2026-11-15', [org.teamA], 'day', org.csrA2.id),
    ];
    expect(partial.map((f) => rollupDays(f) === null || Boolean(f.agentId))).toEqual([true, true, true, true, true]);
    // Corrupt every roll-up: a report that read it would be wrong.
    const columns: Array<[string, string]> = [
      ['rollup_team_day', 'offered'],
      ['rollup_team_day', 'categories.calls'],
      ['rollup_team_day', 'csat_total'],
      ['rollup_score_day', 'items.failed'],
      ['rollup_score_day', 'b2'],
      ['rollup_item_csat_day', 'n_failed'],
      ['rollup_category_day', 'categories.calls'],
      ['rollup_score_total_day', 'items.failed'],
      ['rollup_score_total_day', 'b2'],
      ['rollup_item_csat_total_day', 'n_failed'],
    ];
    await refreshEverything(db);
    for (const [table, column] of columns) await shift(db, table, column, 1);
    try {
      const problems: string[] = [];
      for (const filter of partial) {
        for (const d of await oracleDiffs(db, filter)) problems.push(`${label(filter)} ${d}`);
      }
      expect(problems).toEqual([]);
      // and the whole-day filter of the same dates does read the (corrupted) roll-up
      expect(await pathDiffs(db, wholeDays('2026-11-03', '2026-11-12', 'all', 'day'))).not.toEqual([]);
    } finally {
      for (const [table, column] of columns) await shift(db, table, column, -1);
    }
  });
});

// ================================================================================================
// BUG: serviceLevelByTeam keys calls without a team by 0 on the roll-up path and by null on the raw path.

describe('serviceLevelByTeam over all teams', () => {
  let ctx: TestContext;
  beforeAll(async () => {
    ctx = makeTestApp();
    const org = await buildOrg(ctx.deps);
    await insertCalls(ctx.deps, [
      { started_at: '2026-11-10T10:00:00.000Z', agent: org.csrA, queue_wait_s: 10 },
      { started_at: '2026-11-10T11:00:00.000Z', team_id: null, abandoned: true, queue_wait_s: 40 },
      { started_at: '2026-11-10T12:00:00.000Z', team_id: null, queue_wait_s: 20 },
    ]);
  });
  afterAll(async () => ctx.close());

  test('gives the same map on both paths, calls without a team included', async () => {
    const filter = wholeDays('2026-11-10', '2026-11-10', 'all');
    const rollup = await serviceLevelByTeam(ctx.deps.db, filter, 30);
    const raw = await serviceLevelByTeam(ctx.deps.db, rawPath(filter), 30);
    expect(mapRows(rollup)).toEqual(mapRows(raw));
  });
});

// ================================================================================================
// BUG: refreshRollups reads the threshold setting before its transaction. A change of the setting in between
// marks the stale day again (its roll-up is for another threshold), then the refresh computes it for the old
// threshold and clears the mark: the day keeps the old threshold's figures until something else touches it.

describe('a refresh that overlaps a change of the answer threshold', () => {
  let ctx: TestContext;
  afterAll(async () => ctx.close());

  test('leaves no day computed for the old threshold without a stale mark', async () => {
    ctx = makeTestApp();
    const db = ctx.deps.db;
    const org = await buildOrg(ctx.deps);
    await insertCalls(ctx.deps, [{ started_at: '2026-11-10T10:00:00.000Z', agent: org.csrA, queue_wait_s: 40 }]);
    await refreshEverything(db);
    await db.updateTable('calls').set({ hold_s: 3 }).execute(); // the day is stale again
    // A report's refresh and an admin saving the settings page at the same time.
    await Promise.all([
      refreshRollups(db, 'calls'),
      saveSettings(ctx.deps, ADMIN(org), { service_level_threshold_s: 45 }),
    ]);
    const filter = wholeDays('2026-11-10', '2026-11-10', 'all');
    // The call waited 40 s: answered within 45 s.
    expect((await serviceLevel(db, filter, 45)).total).toMatchObject({ offered: 1, answered_within: 1 });
    expect(await pathDiffs(db, filter)).toEqual([]);
  });
});

// ================================================================================================
// 2. Every write path keeps the roll-up equal to the raw rows, checked after each step.

describe('every write path keeps the roll-up in step', () => {
  let ctx: TestContext;
  let db: DB;
  let org: Org;
  let rubric: FullRubric;
  let clients: { admin: Api; manager: Api; supervisorA: Api; csrA: Api; adminToken: string };
  const state: { pushedCallId?: number; importedCallId?: number; evaluationId?: number; disputeId?: number } = {};

  const RANGE: [string, string] = ['2026-11-09', '2026-11-22'];
  const stepFilters = () => [
    ...TEAMS_OF(org).flatMap((teams) => (['day', 'week'] as const).map((g) => wholeDays(...RANGE, teams, g))),
    wholeDays('2026-11-01', '2026-11-30', 'all', 'week'),
    wholeDays('2026-11-18', '2026-11-18', [org.teamA, org.teamB], 'day'),
  ];

  async function expectInStep(step: string) {
    const problems: string[] = [];
    for (const filter of stepFilters()) {
      for (const d of await pathDiffs(db, filter)) problems.push(`${label(filter)} ${d}`);
    }
    for (const d of await oracleDiffs(db, wholeDays(...RANGE, 'all', 'day'))) problems.push(`oracle ${d}`);
    const settings = await getSettings(db);
    const teams = [org.teamA, org.teamB, org.otherTeam];
    const month = rawPath(wholeDays('2026-11-01', '2026-11-30', teams, 'week'));
    const service = await serviceLevelByTeam(db, month, settings.service_level_threshold_s);
    const csat = await csatPerTeam(db, month);
    differences(
      (await managerTeamRows(db, teams, ctx.clock.now(), settings)).map((r) => ({ service: r.service, csat: r.csat })),
      teams.map((t) => ({
        service: service.get(t) ?? serviceLevelTotal(emptySums()),
        csat: csat.get(t)?.csat ?? null,
      })),
      'managerTeamRows',
      problems,
    );
    expect({ step, problems }).toEqual({ step, problems: [] });
  }

  function answersFor(values: Record<string, string | number>): AnswerJson[] {
    return itemsOf(rubric).map((item) => {
      const value = values[item.prompt];
      if (item.type === 'choice' && typeof value === 'number') {
        return { item_id: item.id, value: item.options.find((o) => o.points === value)!.id };
      }
      return { item_id: item.id, value };
    });
  }
  const passing = () => answersFor({ 'Used the greeting': 'yes', 'Gave own name': 'no', Accuracy: 3, Refunds: 5 });
  const failing = () => answersFor({ 'Used the greeting': 'na', 'Gave own name': 'no', Accuracy: 1, Refunds: 0 });
  const perfect = () => answersFor({ 'Used the greeting': 'yes', 'Gave own name': 'yes', Accuracy: 4, Refunds: 5 });

  function importCsv(text: string) {
    return request(ctx.app)
      .post('/api/v1/calls/import')
      .set('Authorization', `Bearer ${clients.adminToken}`)
      .set('Content-Type', 'text/csv')
      .send(text);
  }

  beforeAll(async () => {
    ctx = makeTestApp();
    db = ctx.deps.db;
    org = await buildOrg(ctx.deps);
    rubric = await publishedRubric(
      ctx.deps,
      rubricJson(
        [
          section('Greeting', 1, [yesNo('Used the greeting', { allow_na: true }), yesNo('Gave own name')]),
          section('Policy', 3, [scale('Accuracy', 4), choice('Refunds', [0, 2, 5])]),
        ],
        { name: 'Care', release_mode: 'manual' },
      ),
    );
    const adminToken = await tokenFor(ctx.deps, org.admin);
    clients = {
      admin: api(ctx.app, adminToken),
      manager: api(ctx.app, await tokenFor(ctx.deps, org.manager)),
      supervisorA: api(ctx.app, await tokenFor(ctx.deps, org.supervisorA)),
      csrA: api(ctx.app, await tokenFor(ctx.deps, org.csrA)),
      adminToken,
    };
    await insertCalls(ctx.deps, [
      {
        started_at: '2026-11-16T09:00:00.000Z',
        agent: org.csrA,
        queue_wait_s: 30,
        hold_s: 20,
        csat: 4,
        category: 'billing',
      },
      { started_at: '2026-11-16T23:59:59.999Z', agent: org.csrB, queue_wait_s: 40, hold_s: 0, category: 'returns' },
      { started_at: '2026-11-17T00:00:00.000Z', team_id: org.teamA, abandoned: true, queue_wait_s: 50 },
      { started_at: '2026-11-18T08:00:00.000Z', agent: org.otherCsr, direction: 'outbound', csat: 2 },
    ]);
  });
  afterAll(async () => ctx.close());

  test('the starting point agrees', async () => {
    await expectInStep('start');
  });

  test('a call pushed through POST /api/v1/calls', async () => {
    const res = await request(ctx.app)
      .post('/api/v1/calls')
      .set('Authorization', `Bearer ${clients.adminToken}`)
      .field('external_id', 'pushed-1')
      .field('agent', org.csrA2.username)
      .field('started_at', '2026-11-18T10:15:00Z')
      .field('direction', 'inbound')
      .field('category', 'billing')
      .field('queue_wait_s', '30')
      .field('hold_s', '12.5')
      .field('duration_s', '200')
      .field('csat', '3');
    expect(res.status).toBe(201);
    state.pushedCallId = res.body.id as number;
    expect(await dirtyRows(db)).toContainEqual({ kind: 'calls', day: '2026-11-18' });
    await expectInStep('push');
  });

  test('calls imported from an ACD export (POST /api/v1/calls/import)', async () => {
    const res = await importCsv(
      [
        'external_id,agent,team_id,started_at,direction,category,queue_wait_s,hold_s,duration_s,csat,abandoned',
        `imp-1,${org.csrB.username},,2026-11-18T23:59:59Z,inbound,returns,31,0,100,,`,
        `imp-2,,${org.teamB},2026-11-19T00:00:00Z,inbound,,45,0,0,,true`,
        `imp-3,${org.csrA2.username},,2026-11-17T08:00:00Z,outbound,billing,0,5,300,5,`,
        `imp-4,${org.csrA.username},,2026-11-20T09:30:00Z,inbound,,29.5,10,120,1,`,
        `imp-5,,,2026-11-20T10:30:00Z,inbound,tech,12,0,0,,true`,
      ].join('\n'),
    );
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ created: 5, errors: [] });
    const imported = await db
      .selectFrom('calls')
      .select('id')
      .where('external_id', '=', 'imp-4')
      .executeTakeFirstOrThrow();
    state.importedCallId = imported.id;
    await expectInStep('import');
  });

  test('a CSAT sent later for an imported call: the import leaves existing calls as they are', async () => {
    await refreshEverything(db);
    const res = await importCsv(
      [
        'external_id,agent,started_at,direction,duration_s,csat',
        `imp-1,${org.csrB.username},2026-11-18T23:59:59Z,inbound,100,2`,
      ].join('\n'),
    );
    expect(res.body).toMatchObject({ created: 0, unchanged: 1 });
    const call = await db
      .selectFrom('calls')
      .select('csat')
      .where('external_id', '=', 'imp-1')
      .executeTakeFirstOrThrow();
    expect(call.csat).toBeNull();
    expect(await dirtyRows(db)).toEqual([]);
    await expectInStep('import again with a CSAT');
  });

  test('a scorecard submitted through POST /api/v1/evaluations', async () => {
    const evaluation = await submitEvaluation(clients.supervisorA, state.pushedCallId!, rubric, failing());
    expect(evaluation.status).toBe('submitted');
    await expectInStep('submit');
  });

  test('autosaving a draft marks nothing stale; submitting it does', async () => {
    const draft = await submitEvaluation(clients.supervisorA, state.importedCallId!, rubric, [], { submit: false });
    expect(draft.status).toBe('draft');
    await refreshEverything(db);
    expect(await dirtyRows(db)).toEqual([]);
    const supervisorPage = await signIn(ctx.app, org.supervisorA.username);
    const csrf = await csrfFrom(supervisorPage, '/profile');
    for (const answers of [passing(), failing(), perfect().slice(0, 2)]) {
      const res = await supervisorPage
        .put(`/evaluations/${draft.id}/draft`)
        .set('X-CSRF-Token', csrf)
        .set('Accept', 'application/json')
        .send({ answers });
      expect(res.status).toBe(200);
      expect(await dirtyRows(db)).toEqual([]);
    }
    await expectInStep('autosave');

    // The same call and rubric again through the API submits the open draft.
    const submitted = await submitEvaluation(clients.supervisorA, state.importedCallId!, rubric, passing());
    expect(submitted.id).toBe(draft.id);
    expect(await dirtyRows(db)).toEqual(
      expect.arrayContaining([
        { kind: 'calls', day: '2026-11-20' },
        { kind: 'scores', day: '2026-11-23' },
      ]),
    );
    state.evaluationId = draft.id;
    await expectInStep('submit the draft');
  });

  test('a calibration scorecard marks nothing stale', async () => {
    await refreshEverything(db);
    const admin = ADMIN(org);
    const session = await openSession(ctx.deps, admin, {
      call_id: state.importedCallId!,
      rubric_id: rubric.id,
      evaluator_ids: [org.admin.id, org.supervisorA.id],
    });
    const id = await startCalibrationScoring(ctx.deps, admin, session.id);
    await saveEvaluation(ctx.deps, admin, id, { answers: failing(), submit: true });
    expect(
      await db.selectFrom('evaluations').select(['kind', 'status']).where('id', '=', id).executeTakeFirstOrThrow(),
    ).toEqual({ kind: 'calibration', status: 'submitted' });
    expect(await dirtyRows(db)).toEqual([]);
    await expectInStep('calibration');
  });

  test('release and acknowledgement', async () => {
    const released = await clients.supervisorA.post(`/api/v1/evaluations/${state.evaluationId}/release`);
    expect(released.status).toBe(200);
    await expectInStep('release');
    const acknowledged = await clients.csrA.post(`/api/v1/evaluations/${state.evaluationId}/acknowledge`, {});
    expect(acknowledged.status).toBe(200);
    expect(acknowledged.body.status).toBe('acknowledged');
    await expectInStep('acknowledge');
  });

  test('rescoring through the scorecard page', async () => {
    // Next day: the rescore is on another day than the submission, which must not move the scorecard's day.
    ctx.clock.advance(86_400_000);
    const before = await db
      .selectFrom('evaluations')
      .select(['revision', 'score'])
      .where('id', '=', state.evaluationId!)
      .executeTakeFirstOrThrow();
    const form: Record<string, string> = { reason: 'Listened again', revision: String(before.revision) };
    for (const a of failing()) form[`a_${a.item_id}`] = String(a.value);
    const supervisorPage = await signIn(ctx.app, org.supervisorA.username);
    const res = await postForm(supervisorPage, `/evaluations/${state.evaluationId}/rescore`, form);
    expect(res.status).toBe(303);
    const after = await db
      .selectFrom('evaluations')
      .select(['status', 'score', 'submitted_at'])
      .where('id', '=', state.evaluationId!)
      .executeTakeFirstOrThrow();
    expect(after.score).not.toBe(before.score);
    expect(after.status).toBe('released');
    await expectInStep('rescore');
  });

  test('a dispute resolved by a rescore', async () => {
    const lost = itemsOf(rubric).find((i) => i.prompt === 'Accuracy')!;
    const opened = await clients.csrA.post(`/api/v1/evaluations/${state.evaluationId}/disputes`, {
      item_ids: [lost.id],
      reason: 'I gave the right figures',
    });
    expect(opened.status).toBe(201);
    await expectInStep('dispute opened');
    const resolved = await clients.admin.post(`/api/v1/disputes/${opened.body.id}/rescore`, {
      answers: perfect(),
      reason: 'The caller confirmed it',
    });
    expect(resolved.status).toBe(200);
    expect(resolved.body.evaluation.score).toBe(100);
    await expectInStep('dispute rescored');
  });

  test('an admin deletes a scored call (its scorecards go with it)', async () => {
    const adminPage = await signIn(ctx.app, org.admin.username);
    const res = await postForm(adminPage, `/calls/${state.pushedCallId}/delete`, {});
    expect(res.status).toBe(303);
    expect(
      await db.selectFrom('evaluations').select('id').where('call_id', '=', state.pushedCallId!).execute(),
    ).toEqual([]);
    expect(await dirtyRows(db)).toEqual(
      expect.arrayContaining([
        { kind: 'calls', day: '2026-11-18' },
        { kind: 'scores', day: '2026-11-23' },
      ]),
    );
    await expectInStep('delete a call');
  });

  test('retention deletes recordings only: no row, no roll-up changes', async () => {
    const old = await makeCall(ctx.deps, org.admin, org.csrB, { recording: true, startedAt: '2026-11-10T10:00:00Z' });
    await saveSettings(ctx.deps, ADMIN(org), { recording_retention_days: 7 });
    await expectInStep('before retention');
    expect(await dirtyRows(db)).toEqual([]);
    expect(await applyRetention(ctx.deps)).toBe(1);
    const row = await db
      .selectFrom('calls')
      .select('recording_status')
      .where('id', '=', old.id)
      .executeTakeFirstOrThrow();
    expect(row.recording_status).toBe('deleted');
    expect(await dirtyRows(db)).toEqual([]);
    await expectInStep('retention');
  });

  test('changing the answer threshold on the settings page: the roll-up follows it', async () => {
    const filter = wholeDays(...RANGE, 'all', 'day');
    const adminPage = await signIn(ctx.app, org.admin.username);
    const postSettings = async (threshold: string) => {
      const page = await adminPage.get('/admin/settings');
      const fields: Record<string, string> = {};
      for (const input of page.text.matchAll(/<input [^>]*>/g)) {
        const name = /name="([^"]+)"/.exec(input[0])?.[1];
        const value = /value="([^"]*)"/.exec(input[0])?.[1];
        if (name && name !== '_csrf' && value !== undefined) fields[name] = value;
      }
      expect(fields.service_level_threshold_s).toBeDefined();
      const res = await postForm(
        adminPage,
        '/admin/settings',
        { ...fields, service_level_threshold_s: threshold },
        '/admin/settings',
      );
      expect(res.status).toBe(303);
    };
    const at30 = (await serviceLevel(db, filter, 30)).total;
    await postSettings('45');
    expect((await getSettings(db)).service_level_threshold_s).toBe(45);
    await expectInStep('threshold 45');
    const at45 = (await serviceLevel(db, filter, 45)).total;
    // The calls answered after 31 s and 40 s now count as answered in time.
    expect(at45.answered_within - at30.answered_within).toBe(2);
    await postSettings('30');
    await expectInStep('threshold back to 30');
    expect((await serviceLevel(db, filter, 30)).total).toEqual(at30);
  });
});

// ================================================================================================
// 5. The migration marks the days of existing data stale.

describe('the roll-up migration on a database with data', () => {
  let ctx: TestContext;
  afterAll(async () => ctx.close());

  test('a backlog longer than one refresh transaction (31 days) is computed in full', async () => {
    const backlog = makeTestApp();
    try {
      const org = await buildOrg(backlog.deps);
      const days = Array.from({ length: 62 }, (_, i) => addDays('2026-09-01', i));
      await insertCalls(
        backlog.deps,
        days.map((day, i) => ({
          started_at: `${day}T1${i % 10}:00:00.000Z`,
          agent: i % 3 ? org.csrA : org.csrB,
          queue_wait_s: 25 + (i % 10),
          csat: i % 4 ? 1 + (i % 5) : null,
        })),
      );
      expect(await dirtyRows(backlog.deps.db)).toHaveLength(62);
      expect(await refreshRollups(backlog.deps.db, 'calls')).toBe(62);
      expect(await dirtyRows(backlog.deps.db)).toEqual([]);
      const filter = wholeDays(days[0], days[61], 'all', 'week');
      expect(await pathDiffs(backlog.deps.db, filter)).toEqual([]);
      expect(await oracleDiffs(backlog.deps.db, filter)).toEqual([]);
    } finally {
      await backlog.close();
    }
  });

  test('the all-team roll-ups: the upgrade sums them from the team rows, as the refresh does', async () => {
    const app = makeTestApp();
    try {
      const db = app.deps.db;
      const org = await buildOrg(app.deps);
      const rubric = await publishedRubric(app.deps, qualityV1());
      const days = Array.from({ length: 6 }, (_, i) => addDays('2026-11-01', i));
      const ids = await insertCalls(
        app.deps,
        days.flatMap((day, i) => [
          {
            started_at: `${day}T09:00:00.000Z`,
            agent: org.csrA,
            category: i % 2 ? 'billing' : 'tech',
            csat: 1 + (i % 5),
          },
          { started_at: `${day}T10:00:00.000Z`, agent: org.csrB, category: 'billing', csat: 5 - (i % 3) },
          { started_at: `${day}T11:00:00.000Z`, team_id: null, category: i % 3 ? null : 'returns' },
        ]),
      );
      const admin = ADMIN(org);
      for (const callId of ids.filter((_, i) => i % 3 !== 2 && i % 2 === 0)) {
        const draft = await startEvaluation(app.deps, admin, callId, rubric.id);
        await saveEvaluation(app.deps, admin, draft.id, { answers: randomAnswers(prng(callId), rubric), submit: true });
      }
      await refreshEverything(db);
      const totals = async () => ({
        categories: await db.selectFrom('rollup_category_day').selectAll().orderBy('day').execute(),
        items: await db
          .selectFrom('rollup_item_csat_total_day')
          .selectAll()
          .orderBy('item_id')
          .orderBy('day')
          .execute(),
        scores: await db.selectFrom('rollup_score_total_day').selectAll().orderBy('day').execute(),
      });
      const refreshed = await totals();
      expect(refreshed.categories.map((r) => r.day)).toEqual(days);
      // The item sums are the team rows' per item and day (an oracle in JavaScript).
      const itemRows = await db.selectFrom('rollup_item_csat_day').selectAll().execute();
      const itemSums = new Map<string, number[]>();
      for (const r of itemRows) {
        const key = `${r.item_id}|${r.day}`;
        const sums = [r.n_passed, r.csat_passed, r.n_failed, r.csat_failed].map(Number);
        itemSums.set(
          key,
          (itemSums.get(key) ?? [0, 0, 0, 0]).map((v, i) => v + sums[i]!),
        );
      }
      const storedItems = refreshed.items.map((r) => [`${r.item_id}|${r.day}`, ...[r.n_passed, r.csat_passed, r.n_failed, r.csat_failed].map(Number)]); // prettier-ignore
      expect(storedItems.sort()).toEqual([...itemSums].map(([key, sums]) => [key, ...sums]).sort());
      expect(new Set(itemRows.map((r) => r.team_id)).size).toBeGreaterThan(1);
      // The scorecard sums and items per day are the team rows' (an oracle in JavaScript).
      const scoreRows = await db.selectFrom('rollup_score_day').selectAll().execute();
      expect(new Set(scoreRows.map((r) => r.team_id)).size).toBeGreaterThan(1);
      for (const total of refreshed.scores) {
        const teams = scoreRows.filter((r) => r.day === total.day);
        for (const name of SCORE_DAY_SUMS) {
          expect({ name, sum: Number(total[name]) }).toEqual({
            name,
            sum: teams.reduce((a, r) => a + Number(r[name]), 0),
          });
        }
        const answered = new Map<number, number[]>();
        for (const r of teams) {
          for (const [itemId, a, f] of JSON.parse(r.items) as number[][]) {
            const cell = answered.get(itemId!) ?? [0, 0];
            answered.set(itemId!, [cell[0]! + a!, cell[1]! + f!]);
          }
        }
        expect(JSON.parse(total.items)).toEqual(
          [...answered].sort((x, y) => x[0] - y[0]).map(([id, [a, f]]) => [id, a, f]),
        );
      }
      expect(refreshed.scores.length).toBeGreaterThan(0);
      // Each day's cells are its team rows' cells summed per category (an oracle in JavaScript).
      const teamRows = await db.selectFrom('rollup_team_day').select(['day', 'categories']).execute();
      for (const { day, categories } of refreshed.categories) {
        const expected = new Map<string, number[]>();
        for (const row of teamRows.filter((r) => r.day === day)) {
          for (const [category, ...sums] of JSON.parse(row.categories) as [string, ...number[]][]) {
            const cell = expected.get(category) ?? [0, 0, 0, 0];
            expected.set(
              category,
              cell.map((v, i) => v + sums[i]!),
            );
          }
        }
        const stored = (JSON.parse(categories) as [string, ...number[]][]).map(([c, ...sums]) => [c, ...sums]);
        expect(stored.sort()).toEqual([...expected].map(([c, sums]) => [c, ...sums]).sort());
      }
      expect(refreshed.categories.some((r) => r.categories.includes('"(none)"'))).toBe(true);

      const down = await migrateDown(db);
      expect(down.results?.map((r) => `${r.migrationName} ${r.status}`)).toEqual([
        '20261217T0100_rollup_all_teams Success',
      ]);
      await migrateToLatest(db);
      expect(await totals()).toEqual(refreshed);
      expect(await dirtyRows(db)).toEqual([]);
    } finally {
      await app.close();
    }
  });

  test('migrating down and up again marks every day with calls or scorecards stale, and reports agree', async () => {
    ctx = makeTestApp();
    const db = ctx.deps.db;
    const org = await buildOrg(ctx.deps);
    const rubric = await publishedRubric(ctx.deps, qualityV1());
    const [first, , third] = await insertCalls(ctx.deps, [
      { started_at: '2026-11-02T00:00:00.000Z', agent: org.csrA, queue_wait_s: 30, csat: 5, category: 'billing' },
      { started_at: '2026-11-03T12:00:00.000Z', team_id: org.teamB, abandoned: true, queue_wait_s: 70 },
      { started_at: '2026-11-05T23:59:59.999Z', agent: org.csrB, queue_wait_s: 31, csat: 2 },
    ]);
    const admin = ADMIN(org);
    for (const [callId, day] of [
      [first, '2026-11-04'],
      [third, '2026-11-09'],
    ] as const) {
      setClock(ctx, `${day}T10:00:00.000Z`);
      const draft = await startEvaluation(ctx.deps, admin, callId, rubric.id);
      await saveEvaluation(ctx.deps, admin, draft.id, { answers: randomAnswers(prng(callId), rubric), submit: true });
    }
    setClock(ctx, new Date(START).toISOString());

    // Step down past the later migrations until the roll-up migration itself is undone.
    const undone: Array<[string, string]> = [];
    while (!undone.some(([name]) => name === '20261123T2100_report_rollups')) {
      const result = await migrateDown(db);
      const steps = (result.results ?? []).map((r): [string, string] => [r.migrationName, r.status]);
      if (steps.length === 0) break;
      undone.push(...steps);
    }
    expect(undone.at(-1)).toEqual(['20261123T2100_report_rollups', 'Success']);
    expect(undone.every(([, status]) => status === 'Success')).toBe(true);
    const tables =
      engineOf(db) === 'postgres'
        ? await sql<{ name: string }>`select table_name as name from information_schema.tables
            where table_schema = current_schema() and table_name like 'rollup%'`.execute(db)
        : await sql<{ name: string }>`select name from sqlite_master where name like 'rollup%'`.execute(db);
    expect(tables.rows).toEqual([]);
    await migrateToLatest(db);

    expect(await dirtyRows(db)).toEqual([
      { kind: 'calls', day: '2026-11-02' },
      { kind: 'calls', day: '2026-11-03' },
      { kind: 'calls', day: '2026-11-05' },
      { kind: 'scores', day: '2026-11-04' },
      { kind: 'scores', day: '2026-11-09' },
    ]);
    expect(await db.selectFrom('rollup_team_day').selectAll().execute()).toEqual([]);

    // Without those marks the (empty) roll-up would answer: the marks are what makes it right.
    const filter = wholeDays('2026-11-01', '2026-11-10', 'all', 'day');
    const marks = await dirtyRows(db);
    await db.deleteFrom('rollup_dirty').execute();
    expect(await pathDiffs(db, filter)).not.toEqual([]);
    await db.insertInto('rollup_dirty').values(marks).execute();

    expect(await pathDiffs(db, filter)).toEqual([]);
    expect(await oracleDiffs(db, filter)).toEqual([]);
    expect(await dirtyRows(db)).toEqual([]);
    const computed = await db.selectFrom('rollup_team_day').select(['day', 'offered']).orderBy('day').execute();
    expect(computed.map((r) => r.day)).toEqual(['2026-11-02', '2026-11-03', '2026-11-05']);
  });
});
