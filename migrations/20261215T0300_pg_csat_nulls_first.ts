import { Kysely, sql } from 'kysely';
import { engineOf } from '../src/db/dialect';

// The call list sorted by CSAT orders a call without one below every score, as SQLite does (NULL lowest); on
// PostgreSQL that is `csat asc nulls first` (and `desc nulls last`), which the default index (NULLS LAST) cannot
// walk: every call in scope would be sorted. On PostgreSQL calls_csat_idx is made again NULLS FIRST, so both
// directions walk it. SQLite's index is unchanged.

export async function up(db: Kysely<any>): Promise<void> {
  if (engineOf(db) !== 'postgres') return;
  await sql`drop index calls_csat_idx`.execute(db);
  await sql`create index calls_csat_idx on calls (csat nulls first, id)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  if (engineOf(db) !== 'postgres') return;
  await sql`drop index calls_csat_idx`.execute(db);
  await sql`create index calls_csat_idx on calls (csat, id)`.execute(db);
}
