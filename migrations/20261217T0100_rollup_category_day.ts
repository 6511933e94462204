import { Kysely, sql } from 'kysely';

// Issue 21, the customers report over every team: its category trends read rollup_team_day's categories, one row
// per team and day (4,500 rows for 90 days at 50 teams), and summed every team's categories per day in JavaScript:
// about 6–9 ms of SQL and as much again in the sums at a million calls, the report's largest cost. This table keeps
// the day's categories summed over every team (the calls without one included): one row per local day, the same
// cells as rollup_team_day.categories ([category, calls, evaluations, scored, score total]). Written by the
// stale-day refresh with the day's team rows (src/reports/rollup-team-day.queries.ts); a report over every team
// reads it, one over some teams their team rows as before.
//
// Filled here from the team rows already computed (summed in JavaScript: the cells are JSON text on both engines),
// so an upgrade marks nothing stale.

type Cell = [category: string, calls: number, evaluations: number, scored: number, scoreTotal: number];

const BATCH = 500;

export async function up(db: Kysely<any>): Promise<void> {
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
  for (let i = 0; i < values.length; i += BATCH) {
    await db
      .insertInto('rollup_category_day')
      .values(values.slice(i, i + BATCH))
      .execute();
  }
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('rollup_category_day').execute();
}
