import { Kysely } from 'kysely';

// Risk-driven sampling: a plan may draw a share of its picks from flagged calls (default 0, an unbiased
// random sample), and each pick records whether it was drawn from the flagged calls.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('sampling_plans')
    .addColumn('risk_share_pct', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema
    .alterTable('sampling_picks')
    .addColumn('risk_based', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('sampling_picks').dropColumn('risk_based').execute();
  await db.schema.alterTable('sampling_plans').dropColumn('risk_share_pct').execute();
}
