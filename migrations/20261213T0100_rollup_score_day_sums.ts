import { Kysely, sql } from 'kysely';

// Issue 21, the quality report at a million calls: its trend, summary and score distribution were summed from
// the 90 days' scorecards (25,000 of them at 1M calls), grouped by a local-day expression the index cannot
// order (19 ms of its 38 ms of SQL). `rollup_score_day` keeps those sums per local day and team beside its
// items: the scorecards with a score, their score total and sum of squares (the mean's interval), passes,
// critical fails, and the ten-point bands (b0 = 0 to under 10 … b9 = 90 to 100). An all-team 90-day report
// reads teams × days rows.
//
// Kept by the same stale-day marks as `items` (kind 'scores': a counted scorecard inserted, deleted, or changed
// in kind, status, submitted_at, score, team or call, and its answers changed). Every day already computed is
// marked stale here, so the next refresh fills the columns in.

const SUMS: ReadonlyArray<[name: string, type: 'integer' | 'real']> = [
  ['scored', 'integer'],
  ['score_total', 'real'],
  ['score_squares', 'real'],
  ['passed', 'integer'],
  ['critical', 'integer'],
  ...Array.from({ length: 10 }, (_, band): [string, 'integer'] => [`b${band}`, 'integer']),
];

export async function up(db: Kysely<any>): Promise<void> {
  // One column per statement: SQLite's alter table adds one at a time.
  for (const [name, type] of SUMS) {
    await db.schema
      .alterTable('rollup_score_day')
      .addColumn(name, type, (c) => c.notNull().defaultTo(0))
      .execute();
  }
  // `where true`: without it SQLite reads `on conflict` as the select's join constraint.
  await sql`insert into rollup_dirty (kind, day) select distinct 'scores', day from rollup_score_day where true
    on conflict do nothing`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const [name] of [...SUMS].reverse()) await db.schema.alterTable('rollup_score_day').dropColumn(name).execute();
}
