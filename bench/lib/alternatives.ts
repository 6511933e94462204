/**
 * Candidate fixes for the slow or scanning statements the `plans` scenario finds, timed on the scratch copy
 * of the largest dataset (never the cached dataset, never src/). For each captured statement a fix matches,
 * the statement is timed on the schema as the app builds it, then the fix's `setup` runs (indexes, a rollup
 * table, ANALYZE), the statement (or its rewrite) is planned and timed again, and the schema is restored.
 * Fixes the app's migrations already made are no-ops (IF NOT EXISTS) and match no flagged statement.
 * A rewrite must return the same rows as the original (numbers compared to 9 significant digits).
 */
import type SQLite from 'better-sqlite3';
import type { Manifest } from './dataset';

export interface Statement {
  sql: string;
  params: unknown[];
}

export interface ProbeContext {
  db: SQLite.Database;
  manifest: Manifest;
}

export interface Alternative {
  id: string;
  title: string;
  kind: 'index' | 'rewrite' | 'analyze';
  /** Which captured statements it is for. */
  matches(sql: string): boolean;
  /**
   * Run before timing the original, when the fix is meant for the schema with other fixes in place (the
   * scorecard export with I1 and I2). The scenario restores the schema afterwards (whatever was created
   * is dropped, whatever was dropped is recreated, planner statistics are put back).
   */
  baseline?: string[];
  /** Run before timing the fix (IF NOT EXISTS / IF EXISTS throughout, so fixes can be stacked). */
  setup: string[];
  /** The statement as the fix would have the app run it (rewrites only). */
  rewrite?(s: Statement): Statement;
  /**
   * Parameters for timing both the original and the fix, when the captured ones do not show the problem
   * (a keyset page late in a year-long export rather than in the 30 days captured).
   */
  probe?(s: Statement, ctx: ProbeContext): Statement;
  /** Part of the index set measured over HTTP at the end (index fixes that need no code change). */
  recommended: boolean;
  /** What would change in the app, in words. */
  change: string;
}

// Index DDL, stacked by the fixes that need them.
const KIND_INDEX_REORDERED = [
  'DROP INDEX IF EXISTS evaluations_kind_idx',
  'CREATE INDEX IF NOT EXISTS evaluations_evaluator_kind_idx ON evaluations(evaluator_id, kind)',
];
const EVALUATIONS_BY_DATE = [
  'CREATE INDEX IF NOT EXISTS evaluations_status_submitted_idx ON evaluations(status, submitted_at, kind, team_id, agent_id, evaluator_id, rubric_id, score, passed, critical_failed, time_spent_s)',
];
const ANSWERS_COVERING = [
  'CREATE INDEX IF NOT EXISTS evaluation_answers_points_idx ON evaluation_answers(evaluation_id, item_id, points, max_points)',
];

/** Number of `?` before `marker` in the SQL (the index of the marker's first parameter). */
function paramIndex(sql: string, marker: string): number {
  const at = sql.indexOf(marker);
  if (at < 0) throw new Error(`marker not found: ${marker}`);
  return (sql.slice(0, at).match(/\?/g) ?? []).length;
}

/** The WHERE clause of a single-level query (between " where " and " group by "). */
function whereOf(sql: string): string {
  const from = sql.indexOf(' where ');
  const to = sql.lastIndexOf(' group by ');
  if (from < 0 || to < 0) throw new Error('no where/group by');
  return sql.slice(from + 7, to);
}

const SERVICE_LEVEL_MARK = `sum(direction = 'inbound') as "offered"`;
const CATEGORY_TRENDS_MARK = `count(distinct c.id) as "calls"`;
const ITEM_FAILURE_MARK = `max(i.critical) as "critical", count(*) as "answered"`;
const CSAT_BY_ITEM_MARK = `avg(case when a.points >= a.max_points then c.csat end) as "csat_passed"`;
const CALLS_EXPORT_KEYSET = `("calls"."started_at" > ? or ("calls"."started_at" = ? and "calls"."id" > ?))`;
const SCORECARDS_EXPORT_MARK = `"e"."id" > ? order by "e"."id" limit ?`;

export const ALTERNATIVES: Alternative[] = [
  {
    id: 'I1',
    title: 'evaluations_kind_idx (kind, evaluator_id) → (evaluator_id, kind)',
    kind: 'index',
    matches: (sql) => /from "evaluations"/.test(sql) && /"kind" = \?/.test(sql),
    setup: KIND_INDEX_REORDERED,
    recommended: true,
    change:
      "Every scorecard query filters `kind = 'standard'` (added with calibration), and without statistics SQLite takes an equality on the leading column of " +
      '`evaluations_kind_idx` for a selective one, so it walks all 100,000 scorecards through that index instead of using the team, agent or status indexes. ' +
      'A migration that drops `evaluations_kind_idx` and creates it the other way round keeps what calibration needs (evaluator, then kind) and gives the planner ' +
      'back the right indexes; no query changes.',
  },
  {
    id: 'I2',
    title: 'I1 + covering index on evaluations(status, submitted_at, …)',
    kind: 'index',
    matches: (sql) =>
      /from "evaluations"/.test(sql) &&
      /"submitted_at" >= \?/.test(sql) &&
      !/"team_id" in \(/.test(sql) &&
      !/"agent_id" = \?/.test(sql),
    setup: [...KIND_INDEX_REORDERED, ...EVALUATIONS_BY_DATE],
    recommended: true,
    change:
      'Quality figures over all teams filter by status and a submitted_at range; no index leads with both. One index on ' +
      '(status, submitted_at) carrying the columns the aggregates read turns them into index-only range scans.',
  },
  {
    id: 'I3',
    title: 'I1 + I2 + covering index on evaluation_answers(evaluation_id, item_id, points, max_points)',
    kind: 'index',
    matches: (sql) => sql.includes(ITEM_FAILURE_MARK) || sql.includes(CSAT_BY_ITEM_MARK),
    setup: [...KIND_INDEX_REORDERED, ...EVALUATIONS_BY_DATE, ...ANSWERS_COVERING],
    recommended: true,
    change:
      'The answer joins read points and max_points from the table row; with them in an index the join is index-only.',
  },
  {
    id: 'I4',
    title: 'index calls(team_id, evaluation_count, recording_status, agent_id) for the unscored count',
    kind: 'index',
    matches: (sql) =>
      sql.includes('"calls"."evaluation_count" = ? and "calls"."recording_status" = ?') && /count\(\*\)/.test(sql),
    setup: [
      'CREATE INDEX IF NOT EXISTS calls_unscored_idx ON calls(team_id, evaluation_count, recording_status, agent_id)',
    ],
    recommended: true,
    change:
      'The supervisor dashboard counts unscored recorded calls of its teams through `calls_recording_status_idx`, i.e. every stored recording. ' +
      'This index answers the count from the index alone, per team.',
  },
  {
    id: 'I5',
    title: 'partial covering index calls(started_at, team_id, agent_id, csat) WHERE csat IS NOT NULL',
    kind: 'index',
    matches: (sql) => sql.includes('"calls"."csat" is not null and "calls"."started_at" >= ?'),
    setup: [
      'CREATE INDEX IF NOT EXISTS calls_csat_started_idx ON calls(started_at, team_id, agent_id, csat) WHERE csat IS NOT NULL',
    ],
    recommended: true,
    change:
      'CSAT per team and per CSR walks every call of the period to find the fifth that carry a CSAT; the partial index holds only those, with what the averages need.',
  },
  {
    id: 'I6',
    title: 'covering index calls(started_at, direction, abandoned, queue_wait_s, hold_s, team_id, agent_id)',
    kind: 'index',
    matches: (sql) => sql.includes(SERVICE_LEVEL_MARK),
    setup: [
      'CREATE INDEX IF NOT EXISTS calls_service_level_idx ON calls(started_at, direction, abandoned, queue_wait_s, hold_s, team_id, agent_id)',
    ],
    recommended: false,
    change:
      'Index-only service level: saves the row lookups but still evaluates every call of the period (shown to compare with the rollup, R5; not recommended: a ~60 MB index for a modest gain).',
  },
  {
    id: 'A1',
    title: 'ANALYZE (statistics for the planner)',
    kind: 'analyze',
    matches: () => true,
    setup: ['ANALYZE'],
    recommended: false,
    change:
      'The app never runs ANALYZE. With statistics the planner stops trusting `kind = ?`, but it also picks worse plans elsewhere (see the rows above): not a fix on its own.',
  },
  {
    id: 'R1',
    title: 'calls CSV: keyset with a row value, (started_at, id) > (?, ?)',
    kind: 'rewrite',
    matches: (sql) => sql.includes(CALLS_EXPORT_KEYSET),
    setup: [],
    rewrite: (s) => {
      // The keyset already implies started_at >= from; with both, SQLite seeks on `from` and filters the rest.
      const lower = '"calls"."started_at" >= ? and ';
      const j = paramIndex(s.sql, lower);
      const sql = s.sql.replace(lower, '');
      const params = [...s.params.slice(0, j), ...s.params.slice(j + 1)];
      const i = paramIndex(sql, CALLS_EXPORT_KEYSET);
      return {
        sql: sql.replace(CALLS_EXPORT_KEYSET, '("calls"."started_at", "calls"."id") > (?, ?)'),
        params: [...params.slice(0, i), params[i], params[i + 2], ...params.slice(i + 3)],
      };
    },
    probe: (s, { db, manifest }) => {
      // A page 90% of the way through a one-year export (the captured export covered 30 days).
      const n = (db.prepare('select count(*) as n from calls').get() as { n: number }).n;
      const key = db
        .prepare('select started_at, id from calls order by started_at, id limit 1 offset ?')
        .get(Math.floor(n * 0.9)) as { started_at: string; id: number };
      const i = paramIndex(s.sql, CALLS_EXPORT_KEYSET);
      const params = [...s.params];
      params[0] = `${manifest.period.from}T00:00:00.000Z`;
      params[1] = new Date(Date.parse(`${manifest.period.to}T00:00:00.000Z`) + 86_400_000).toISOString();
      params[i] = key.started_at;
      params[i + 1] = key.started_at;
      params[i + 2] = key.id;
      return { sql: s.sql, params };
    },
    recommended: false,
    change:
      'In src/reports/exports.ts, `eb.or([started_at > x, and(started_at = x, id > y)])` gives SQLite no range to seek to, so every page of the export re-reads the ' +
      'index from the start of the period (quadratic in the row count). From the second page on, replace both that and `started_at >= from` by the row value ' +
      '`sql`(calls.started_at, calls.id) > (${x}, ${y})``, which SQLite seeks on.',
  },
  {
    id: 'R2',
    title: 'item failure rates: count per item id first, then join items and rubrics (with I3)',
    kind: 'rewrite',
    matches: (sql) => sql.includes(ITEM_FAILURE_MARK),
    setup: [...KIND_INDEX_REORDERED, ...EVALUATIONS_BY_DATE, ...ANSWERS_COVERING],
    rewrite: (s) => ({
      sql:
        'select "r"."family_id", min(r.name) as "rubric", "i"."prompt", max(i.critical) as "critical", sum(x.answered) as "answered", sum(x.failed) as "failed" ' +
        'from (select "a"."item_id", count(*) as answered, sum(a.points < a.max_points) as failed from "evaluations" ' +
        'inner join "evaluation_answers" as "a" on "a"."evaluation_id" = "evaluations"."id" ' +
        `where ${whereOf(s.sql)} group by "a"."item_id") as x ` +
        'inner join "rubric_items" as "i" on "i"."id" = x.item_id inner join "rubrics" as "r" on "r"."id" = "i"."rubric_id" ' +
        'group by "r"."family_id", "i"."prompt"',
      params: s.params,
    }),
    recommended: false,
    change:
      'In src/reports/quality.ts itemFailureRates: group the answers by `item_id` (an integer, a few dozen groups) in a subquery and join rubric_items and rubrics ' +
      'to those rows, instead of joining every answer row to its item and rubric and grouping by text.',
  },
  {
    id: 'R7',
    title: 'item failure rates from a daily rollup per team and item',
    kind: 'rewrite',
    // All teams, staff audience (three statuses), no agent: the case the rollup holds.
    matches: (sql) =>
      sql.includes(ITEM_FAILURE_MARK) &&
      sql.includes('"evaluations"."status" in (?, ?, ?)') &&
      !sql.includes('"team_id" in (') &&
      !sql.includes('"agent_id" = ?'),
    setup: [
      `CREATE TABLE IF NOT EXISTS bench_item_daily AS SELECT substr(e.submitted_at, 1, 10) AS day, e.team_id, a.item_id, count(*) AS answered, ` +
        `sum(a.points < a.max_points) AS failed FROM evaluations e JOIN evaluation_answers a ON a.evaluation_id = e.id ` +
        `WHERE e.kind = 'standard' AND e.status IN ('submitted', 'released', 'acknowledged') AND a.points IS NOT NULL GROUP BY 1, 2, 3`,
      'CREATE INDEX IF NOT EXISTS bench_item_daily_idx ON bench_item_daily(day, team_id)',
    ],
    rewrite: (s) => {
      const i = paramIndex(s.sql, '"evaluations"."submitted_at" >= ?');
      return {
        sql:
          'select "r"."family_id", min(r.name) as "rubric", "i"."prompt", max(i.critical) as "critical", sum(x.answered) as "answered", sum(x.failed) as "failed" ' +
          'from (select item_id, sum(answered) as answered, sum(failed) as failed from bench_item_daily where day >= substr(?, 1, 10) and day < substr(?, 1, 10) group by item_id) as x ' +
          'inner join "rubric_items" as "i" on "i"."id" = x.item_id inner join "rubrics" as "r" on "r"."id" = "i"."rubric_id" group by "r"."family_id", "i"."prompt"',
        params: [s.params[i], s.params[i + 1]],
      };
    },
    recommended: false,
    change:
      'An `evaluation_item_daily(day, team_id, item_id, answered, failed)` table (about 75,000 rows for a year at 1M calls) kept in step by submit and ' +
      'rescore in their transaction; itemFailureRates reads it for the staff view over whole days without an agent filter, and keeps the raw query otherwise.',
  },
  {
    id: 'R3',
    title: 'CSAT by item: per item id first, scorecards from the call date on (with I3)',
    kind: 'rewrite',
    matches: (sql) => sql.includes(CSAT_BY_ITEM_MARK),
    setup: [...KIND_INDEX_REORDERED, ...EVALUATIONS_BY_DATE, ...ANSWERS_COVERING],
    rewrite: (s) => {
      const where = whereOf(s.sql);
      const marker = '"c"."started_at" >= ?';
      const i = paramIndex(where, marker);
      // A call is scored after it happened: submitted_at >= the period start holds for every row, and is seekable.
      const params = [...s.params.slice(0, i), s.params[i], ...s.params.slice(i)];
      return {
        sql:
          'select "r"."family_id", min(r.name) as "rubric", "i"."prompt", sum(x.s_p) * 1.0 / nullif(sum(x.n_p), 0) as "csat_passed", sum(x.n_p) as "n_passed", ' +
          'sum(x.s_f) * 1.0 / nullif(sum(x.n_f), 0) as "csat_failed", sum(x.n_f) as "n_failed" from (select "a"."item_id", ' +
          'sum(case when a.points >= a.max_points then c.csat end) as s_p, sum(a.points >= a.max_points) as n_p, ' +
          'sum(case when a.points < a.max_points then c.csat end) as s_f, sum(a.points < a.max_points) as n_f ' +
          'from "evaluations" as "e" inner join "calls" as "c" on "c"."id" = "e"."call_id" inner join "evaluation_answers" as "a" on "a"."evaluation_id" = "e"."id" ' +
          `where ${where.replace(marker, `"e"."submitted_at" >= ? and ${marker}`)} group by "a"."item_id") as x ` +
          'inner join "rubric_items" as "i" on "i"."id" = x.item_id inner join "rubrics" as "r" on "r"."id" = "i"."rubric_id" group by "r"."family_id", "i"."prompt"',
        params,
      };
    },
    recommended: false,
    change:
      'In src/reports/customer.ts csatByItem: the same per-item subquery as R2, plus `e.submitted_at >= from` (true for every scorecard of a call in the period) ' +
      'so the scorecards are found by date instead of by walking every call of the period.',
  },
  {
    id: 'R4',
    title: 'category trends: calls per day and category from a rollup table, scorecards by date',
    kind: 'rewrite',
    // All teams only: for one team the original walks that team's index and is already quick.
    matches: (sql) =>
      sql.includes(CATEGORY_TRENDS_MARK) && !sql.includes('"c"."agent_id" = ?') && !sql.includes('"c"."team_id" in ('),
    setup: [
      ...KIND_INDEX_REORDERED,
      ...EVALUATIONS_BY_DATE,
      `CREATE TABLE IF NOT EXISTS bench_call_day_category AS SELECT substr(started_at, 1, 10) AS day, team_id, coalesce(category, '(none)') AS category, count(*) AS calls FROM calls GROUP BY 1, 2, 3`,
      'CREATE INDEX IF NOT EXISTS bench_call_day_category_idx ON bench_call_day_category(day, team_id)',
    ],
    rewrite: (s) => {
      // Parameters: kind, 3 statuses (the join), from, to, then the team ids if any.
      const [kind, s1, s2, s3, from, to, ...teams] = s.params as string[];
      const teamK = teams.length ? ` and team_id in (${teams.map(() => '?').join(', ')})` : '';
      const teamS = teams.length ? ` and "c"."team_id" in (${teams.map(() => '?').join(', ')})` : '';
      return {
        sql:
          `select date(k.day, '-6 days', 'weekday 1') as "bucket", k.category as "category", sum(k.calls) as "calls", ` +
          'sum(s.score_total) / nullif(sum(s.scored), 0) as "avg_score", coalesce(sum(s.evaluations), 0) as "evaluations" ' +
          `from (select day, category, sum(calls) as calls from bench_call_day_category where day >= substr(?, 1, 10) and day < substr(?, 1, 10)${teamK} group by 1, 2) as k ` +
          `left join (select substr(c.started_at, 1, 10) as day, coalesce(c.category, '(none)') as category, sum(e.score) as score_total, count(e.score) as scored, count(*) as evaluations ` +
          'from "evaluations" as "e" inner join "calls" as "c" on "c"."id" = "e"."call_id" ' +
          `where "e"."kind" = ? and "e"."status" in (?, ?, ?) and "e"."submitted_at" >= ? and "c"."started_at" >= ? and "c"."started_at" < ?${teamS} group by 1, 2) as s ` +
          'on s.day = k.day and s.category = k.category group by 1, 2 order by 1, 2',
        params: [from, to, ...teams, kind, s1, s2, s3, from, from, to, ...teams],
      };
    },
    recommended: false,
    change:
      'Counting calls per week and category reads every call of the period (250,000 at 1M calls for 90 days) and evaluates a date() per row. A ' +
      '`call_day_category(day, team_id, category, calls)` table kept up to date by call ingest/import (one upsert per call) answers the calls part from ' +
      'a few thousand rows; the scorecard part is found by date. The setup here builds that table from the calls (cost in the log).',
  },
  {
    id: 'R5',
    title: 'service level: sum a daily rollup per team instead of every call',
    kind: 'rewrite',
    // All teams, or some teams (the manager dashboard runs it once per team); an agent's goes to the raw query.
    matches: (sql) => sql.includes(SERVICE_LEVEL_MARK) && !sql.includes('"agent_id" = ?'),
    setup: [
      // The rollup holds the counts for the configured threshold (30 s by default); a custom threshold_s falls back to the raw query.
      `CREATE TABLE IF NOT EXISTS bench_call_daily_stats AS SELECT substr(started_at, 1, 10) AS day, team_id, sum(direction = 'inbound') AS offered, ` +
        `sum(direction = 'inbound' AND abandoned = 0 AND queue_wait_s <= 30) AS within_threshold, sum(direction = 'inbound' AND abandoned = 1) AS abandoned, ` +
        `sum(direction = 'inbound' AND abandoned = 0) AS answered, sum(CASE WHEN direction = 'inbound' AND abandoned = 0 THEN queue_wait_s END) AS wait_total, ` +
        `sum(CASE WHEN direction = 'inbound' AND abandoned = 0 THEN hold_s END) AS hold_total FROM calls GROUP BY 1, 2`,
      'CREATE INDEX IF NOT EXISTS bench_call_daily_stats_idx ON bench_call_daily_stats(day, team_id)',
    ],
    rewrite: (s) => {
      const [, from, to, ...teams] = s.params as string[];
      const team = teams.length ? ` and team_id in (${teams.map(() => '?').join(', ')})` : '';
      return {
        sql:
          `select date(day, '-6 days', 'weekday 1') as "bucket", sum(offered) as "offered", sum(within_threshold) as "answered_within", sum(abandoned) as "abandoned", ` +
          'sum(answered) as "answered", coalesce(sum(wait_total), 0) as "wait_total", sum(answered) as "inbound_answered", coalesce(sum(hold_total), 0) as "hold_total" ' +
          `from bench_call_daily_stats where day >= substr(?, 1, 10) and day < substr(?, 1, 10)${team} group by 1`,
        params: [from, to, ...teams],
      };
    },
    recommended: false,
    change:
      'A `call_daily_stats(day, team_id, …)` table (18,000 rows for a year of 50 teams) upserted by call ingest/import in the same transaction; ' +
      'serviceLevel sums it when the threshold is the configured one and no agent is chosen, and keeps the raw query otherwise.',
  },
  {
    id: 'R6',
    title: 'scorecards CSV: walk the primary key (unary + on the status and date terms)',
    kind: 'rewrite',
    matches: (sql) => sql.includes(SCORECARDS_EXPORT_MARK),
    baseline: [...KIND_INDEX_REORDERED, ...EVALUATIONS_BY_DATE],
    setup: [],
    rewrite: (s) => ({
      sql: s.sql
        .replace('"e"."status" in (?, ?, ?)', '+"e"."status" in (?, ?, ?)')
        .replace(
          '"e"."submitted_at" >= ? and "e"."submitted_at" < ?',
          '+"e"."submitted_at" >= ? and +"e"."submitted_at" < ?',
        ),
      params: s.params,
    }),
    probe: (s, { db, manifest }) => {
      // A page 10% of the way through a one-year scorecard export (the captured one covered 90 days).
      const max = (db.prepare('select max(id) as n from evaluations').get() as { n: number }).n;
      const from = paramIndex(s.sql, '"e"."submitted_at" >= ?');
      const params = [...s.params];
      params[from] = `${manifest.period.from}T00:00:00.000Z`;
      params[from + 1] = new Date(Date.parse(`${manifest.period.to}T00:00:00.000Z`) + 86_400_000).toISOString();
      params[params.length - 2] = Math.floor(max * 0.1);
      return { sql: s.sql, params };
    },
    recommended: false,
    change:
      'Timed with I1 and I2 in place (both "before" and "after"), on a page early in a one-year export. Each page of the scorecard export (`id > last order by id limit 1000`) is then answered by sorting every scorecard of the period again. Written with ' +
      '`sql`+e.status`` (or ordering by submitted_at, id with a row-value keyset), SQLite walks the primary key from the last id and stops after a page.',
  },
];
