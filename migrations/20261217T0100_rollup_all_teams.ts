import { Kysely, sql } from 'kysely';
import { engineOf } from '../src/db/dialect';

// Issue 21, the customers report over every team read a roll-up row per team where it wanted the sum over the teams:
//
// - Its category trends read rollup_team_day's categories, one row per team and day (4,500 rows for 90 days at 50
//   teams), and summed every team's categories per day in JavaScript: about 6–9 ms of SQL and as much again in the
//   sums at a million calls, the report's largest cost. rollup_category_day keeps the day's categories summed over
//   every team (the calls without one included): one row per local day, the same cells as
//   rollup_team_day.categories ([category, calls, evaluations, scored, score total]).
// - Its CSAT by item read rollup_item_csat_day, a row per day, team and item (4.2 ms at 1M, 0.6 ms at 100k: the
//   teams fill in with the calls). rollup_item_csat_total_day keeps the same sums per day and item over every team.
// - The quality report and the scores API read rollup_score_day, a row per submitted day and team: its sums (the
//   trend, summary and bands) and its items (JSON [item_id, answered, failed]), 4,423 rows for 90 days at 1M.
//   rollup_score_total_day keeps the same per local day over every team.
//
// All three are written by the stale-day refresh with the day's team rows (src/reports/rollup-team-day.queries.ts); a
// report over every team reads them, one over some teams their team rows as before. Filled here from the team rows
// already computed (the categories and items summed in JavaScript: JSON text on both engines), so an upgrade marks
// nothing stale.

type Cell = [category: string, calls: number, evaluations: number, scored: number, scoreTotal: number];

const BATCH = 500;

/** Inserts the rows a batch at a time (a bound on the statement's parameters on both engines). */
async function insertInBatches(db: Kysely<any>, table: string, values: Array<Record<string, unknown>>): Promise<void> {
  for (let i = 0; i < values.length; i += BATCH) {
    await db
      .insertInto(table)
      .values(values.slice(i, i + BATCH))
      .execute();
  }
}

const SCORE_SUMS = ['scored', 'score_total', 'score_squares', 'passed', 'critical', ...Array.from({ length: 10 }, (_, b) => `b${b}`)]; // prettier-ignore
const REAL_SUMS = new Set(['score_total', 'score_squares']);

async function scoreDays(db: Kysely<any>): Promise<void> {
  const real = engineOf(db) === 'postgres' ? 'double precision' : 'real';
  const columns = SCORE_SUMS.map((name) => `${name} ${REAL_SUMS.has(name) ? real : 'integer'} not null`);
  await sql
    .raw(
      `create table rollup_score_total_day (
    day text not null primary key,
    items text not null,
    ${columns.join(',\n    ')}
  )`,
    )
    .execute(db);
  const rows = (await db
    .selectFrom('rollup_score_day')
    .selectAll()
    .orderBy('day')
    .orderBy('team_id')
    .execute()) as Array<Record<string, number | string>>;
  const days = new Map<string, { sums: number[]; items: Map<number, [number, number, number]> }>();
  for (const row of rows) {
    const day = String(row.day);
    let total = days.get(day);
    if (!total) days.set(day, (total = { sums: SCORE_SUMS.map(() => 0), items: new Map() }));
    SCORE_SUMS.forEach((name, i) => (total.sums[i]! += Number(row[name])));
    for (const [itemId, answered, failed] of JSON.parse(String(row.items)) as Array<[number, number, number]>) {
      const cell = total.items.get(itemId);
      if (cell) {
        cell[1] += answered;
        cell[2] += failed;
      } else total.items.set(itemId, [itemId, answered, failed]);
    }
  }
  const values = [...days].map(([day, { sums, items }]) => ({
    day,
    items: JSON.stringify([...items.values()].sort((a, b) => a[0] - b[0])),
    ...Object.fromEntries(SCORE_SUMS.map((name, i) => [name, sums[i]])),
  }));
  await insertInBatches(db, 'rollup_score_total_day', values);
}

export async function up(db: Kysely<any>): Promise<void> {
  await categoryDays(db);
  await scoreDays(db);
  // Ids are bigint on PostgreSQL (20261215T0200_pg_bigint_ids).
  const id = engineOf(db) === 'postgres' ? 'bigint' : 'integer';
  const suffix = engineOf(db) === 'postgres' ? '' : ' without rowid';
  // Keyed item first: the report reads each item's days in order (as rollup_item_csat_day_item_idx does); a day
  // is recomputed through the second index.
  await sql
    .raw(
      `create table rollup_item_csat_total_day (
    item_id ${id} not null,
    day text not null,
    n_passed integer not null,
    csat_passed integer not null,
    n_failed integer not null,
    csat_failed integer not null,
    primary key (item_id, day)
  )${suffix}`,
    )
    .execute(db);
  await db.schema.createIndex('rollup_item_csat_total_day_day_idx').on('rollup_item_csat_total_day').column('day').execute(); // prettier-ignore
  await sql`insert into rollup_item_csat_total_day (item_id, day, n_passed, csat_passed, n_failed, csat_failed)
    select item_id, day, sum(n_passed), sum(csat_passed), sum(n_failed), sum(csat_failed)
    from rollup_item_csat_day group by item_id, day`.execute(db);
}

async function categoryDays(db: Kysely<any>): Promise<void> {
  await sql`create table rollup_category_day (day text primary key, categories text not null)`.execute(db);
  const rows = await db
    .selectFrom('rollup_team_day')
    .select(['day', 'categories'])
    .orderBy('day')
    .orderBy('team_id')
    .execute();
  const days = new Map<string, Map<string, Cell>>();
  for (const row of rows as Array<{ day: string; categories: string }>) {
    let cells = days.get(row.day);
    if (!cells) days.set(row.day, (cells = new Map()));
    for (const [category, calls, evaluations, scored, total] of JSON.parse(row.categories) as Cell[]) {
      const cell = cells.get(category);
      if (!cell) cells.set(category, [category, calls, evaluations, scored, total]);
      else {
        cell[1] += calls;
        cell[2] += evaluations;
        cell[3] += scored;
        cell[4] += total;
      }
    }
  }
  const values = [...days].map(([day, cells]) => ({ day, categories: JSON.stringify([...cells.values()]) }));
  await insertInBatches(db, 'rollup_category_day', values);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('rollup_score_total_day').execute();
  await db.schema.dropTable('rollup_item_csat_total_day').execute();
  await db.schema.dropTable('rollup_category_day').execute();
}
