import { sql } from 'kysely';
import { copyDatabase } from '../../src/db/copy';
import type { PostgresHandle, SqliteHandle } from '../../src/db/database';
import { utcDaySql, utcSlotSql } from '../../src/db/dialect';
import { createMigrator, migrateToLatest } from '../../src/db/migrate';
import { makeSqliteTestApp, type TestContext } from '../helpers/app';
import { buildOrg, type Org } from '../helpers/builders';
import { openTestPostgres } from '../helpers/pg-leg';
import { publishedRubric, rubricJson, scale, section } from '../helpers/scoring';

// PostgreSQL's column types: timestamps as timestamptz (migration 20261215T0100_timestamptz) and every id as
// bigint (20261215T0200_pg_bigint_ids). On the PostgreSQL leg only.

let target: PostgresHandle;

beforeEach(() => {
  target = openTestPostgres(`timestamptz-${Math.random()}`, true);
});

afterEach(async () => {
  await target.close();
});

async function columnTypes(db: PostgresHandle['db']) {
  const rows = await sql<{ table_name: string; column_name: string; data_type: string }>`
    select table_name, column_name, data_type from information_schema.columns
    where table_schema = current_schema() and table_name not like 'kysely_%'`.execute(db);
  return rows.rows;
}

test('every timestamp column is a timestamptz, and no text column is named like one', async () => {
  const columns = await columnTypes(target.db);
  const instants = columns.filter((c) => c.data_type === 'timestamp with time zone');
  expect(instants.length).toBeGreaterThanOrEqual(80);
  expect(instants.map((c) => `${c.table_name}.${c.column_name}`)).toEqual(
    expect.arrayContaining(['calls.started_at', 'evaluations.submitted_at', 'audit_log.at', 'call_analyses.run_after']),
  );
  // A new text column named like a timestamp would be one kept as text: it has to be timestampType(db). (Epoch
  // milliseconds in bigint columns, sessions.expires_at and the sign-in throttle's, are numbers, not this.)
  const namedLikeTimestamps = columns.filter(
    (c) => c.data_type === 'text' && /(_at|_until|_since)$|^at$/.test(c.column_name),
  );
  expect(namedLikeTimestamps.map((c) => `${c.table_name}.${c.column_name} ${c.data_type}`)).toEqual([
    // A calibration session's blind mode ('submitted', 'closed'), not a time.
    'calibration_sessions.blind_until text',
  ]);
});

test('every id column is a bigint, as the ids it refers to (the roll-ups and call legs were made by raw SQL)', async () => {
  const columns = await columnTypes(target.db);
  const ids = columns.filter((c) => c.column_name === 'id' || c.column_name.endsWith('_id'));
  expect(ids.length).toBeGreaterThan(100);
  // Ids as text (import jobs' UUIDs) are not numbers; every numeric id holds any id the API takes (up to 2^53).
  expect(ids.filter((c) => c.data_type === 'integer').map((c) => `${c.table_name}.${c.column_name}`)).toEqual([]);
});

test('the call list’s CSAT order (NULL lowest, as on SQLite) walks calls_csat_idx both ways, never a sort', async () => {
  await target.db.transaction().execute(async (trx) => {
    // With sorting priced out, a plan that still sorts is one the index cannot serve.
    await sql`set local enable_sort = off`.execute(trx);
    for (const order of ['csat asc nulls first, id asc', 'csat desc nulls last, id desc']) {
      const plan = await sql<{
        'QUERY PLAN': string;
      }>`explain select id from calls order by ${sql.raw(order)} limit 51`.execute(trx);
      const text = plan.rows.map((r) => r['QUERY PLAN']).join('\n');
      expect({ order, sorts: /\bSort\b/.test(text), index: text.includes('calls_csat_idx') }).toEqual({
        order,
        sorts: false,
        index: true,
      });
    }
  });
});

describe('with a call', () => {
  let org: Org;
  let source: TestContext;

  beforeEach(async () => {
    source = makeSqliteTestApp();
    org = await buildOrg(source.deps);
  });
  afterEach(async () => source.close());

  async function callAt(db: PostgresHandle['db'], startedAt: string): Promise<number> {
    const row = await db
      .insertInto('calls')
      .values({
        external_id: `tz-${startedAt}`,
        source: 'default',
        agent_id: null,
        team_id: null,
        started_at: startedAt,
        direction: 'inbound',
        duration_s: 60,
        queue_wait_s: 3,
        hold_s: 0,
        abandoned: 0,
        created_at: startedAt,
      } as never)
      .returning('id')
      .executeTakeFirstOrThrow();
    return row.id;
  }

  test('a timestamp reads back as ISO text in UTC with milliseconds, whatever the session zone and offset written', async () => {
    await target.db.transaction().execute(async (trx) => {
      await sql`set local time zone 'America/New_York'`.execute(trx);
      const id = await callAt(trx, '2026-11-20T08:00:00+02:00');
      const read = await trx.selectFrom('calls').select('started_at').where('id', '=', id).executeTakeFirstOrThrow();
      expect(read.started_at).toBe('2026-11-20T06:00:00.000Z');
      // Compared with ISO text parameters as instants (SQLite compares the same text).
      const later = await trx
        .selectFrom('calls')
        .select('id')
        .where('started_at', '>=', '2026-11-20T05:59:59.999Z')
        .where('started_at', '<', '2026-11-20T06:00:00.001Z')
        .execute();
      expect(later.map((r) => r.id)).toEqual([id]);
    });
  });

  test('the roll-up triggers mark the UTC day of a call and of a scorecard, not the session’s local day', async () => {
    await target.db.deleteFrom('rollup_dirty').execute();
    await target.db.transaction().execute(async (trx) => {
      await sql`set local time zone 'Pacific/Auckland'`.execute(trx);
      await callAt(trx, '2026-11-20T23:30:00.000Z');
    });
    const marks = await target.db.selectFrom('rollup_dirty').select(['kind', 'day']).execute();
    expect(marks).toEqual([{ kind: 'calls', day: '2026-11-20' }]);
  });

  test('the UTC day and 15-minute slot helpers read a timestamptz as SQLite reads the text', async () => {
    const id = await callAt(target.db, '2026-11-20T23:44:59.999Z');
    const read = await sql<{ day: string; slot: string }>`
      select ${sql.raw(utcDaySql('postgres', 'started_at'))} as day, ${sql.raw(utcSlotSql('postgres', 'started_at'))} as slot
      from calls where id = ${id}`.execute(target.db);
    expect(read.rows).toEqual([{ day: '2026-11-20', slot: '2026-11-20T23:30:00.000Z' }]);
    const sqlite = await sql<{ day: string; slot: string }>`
      select ${sql.raw(utcDaySql('sqlite', 'started_at'))} as day, ${sql.raw(utcSlotSql('sqlite', 'started_at'))} as slot
      from (select '2026-11-20T23:44:59.999Z' as started_at)`.execute(source.deps.db);
    expect(sqlite.rows).toEqual(read.rows);
  });

  test('down turns the columns back into the same ISO text and the triggers back to text days; up again restores them', async () => {
    const id = await callAt(target.db, '2026-11-20T10:15:30.250Z');
    const back = await createMigrator(target.db).migrateTo('20261214T0200_rollup_call_slot_team_idx');
    expect(back.error).toBeUndefined();
    expect(back.results?.map((r) => `${r.migrationName} ${r.direction} ${r.status}`)).toEqual([
      '20261217T0100_rollup_all_teams Down Success',
      '20261216T0100_pg_answers_statement_triggers Down Success',
      '20261215T0300_pg_csat_nulls_first Down Success',
      '20261215T0200_pg_bigint_ids Down Success',
      '20261215T0100_timestamptz Down Success',
    ]);
    const asText = await sql<{ started_at: unknown; type: string }>`
      select started_at, pg_typeof(started_at)::text as type from calls where id = ${id}`.execute(target.db);
    expect(asText.rows).toEqual([{ started_at: '2026-11-20T10:15:30.250Z', type: 'text' }]);
    await target.db.deleteFrom('rollup_dirty').execute();
    await callAt(target.db, '2026-11-21T00:00:00.000Z');
    expect(await target.db.selectFrom('rollup_dirty').select('day').execute()).toEqual([{ day: '2026-11-21' }]);
    await migrateToLatest(target.db);
    const again = await sql<{ started_at: unknown; type: string }>`
      select started_at, pg_typeof(started_at)::text as type from calls where id = ${id}`.execute(target.db);
    expect(again.rows).toEqual([{ started_at: '2026-11-20T10:15:30.250Z', type: 'timestamp with time zone' }]);
    await target.db.deleteFrom('rollup_dirty').execute();
    await callAt(target.db, '2026-11-22T23:59:59.999Z');
    expect(await target.db.selectFrom('rollup_dirty').select('day').execute()).toEqual([{ day: '2026-11-22' }]);
  });

  test("a statement's answers mark each counted scorecard's two days once (statement triggers), a draft's none", async () => {
    const three = ['Greeting', 'Verification', 'Closing'].map((prompt) => scale(prompt, 10));
    await publishedRubric(source.deps, rubricJson([section('Call', 1, three)]));
    await copyDatabase(source.database as SqliteHandle, target.db);
    const db = target.db;
    const rubric = await db.selectFrom('rubrics').select('id').orderBy('id').executeTakeFirstOrThrow();
    const items = await db
      .selectFrom('rubric_items')
      .select('id')
      .where('rubric_id', '=', rubric.id)
      .orderBy('id')
      .limit(3)
      .execute();
    expect(items).toHaveLength(3);
    const scorecard = async (startedAt: string, submittedAt: string | null) =>
      (
        await db
          .insertInto('evaluations')
          .values({
            call_id: await callAt(db, startedAt),
            rubric_id: rubric.id,
            agent_id: org.csrA.id,
            team_id: org.teamA,
            evaluator_id: org.supervisorA.id,
            status: submittedAt ? 'submitted' : 'draft',
            created_at: startedAt,
            updated_at: startedAt,
            submitted_at: submittedAt,
          })
          .returning('id')
          .executeTakeFirstOrThrow()
      ).id;
    const first = await scorecard('2026-11-18T23:30:00.000Z', '2026-11-19T09:00:00.000Z');
    const second = await scorecard('2026-11-20T10:00:00.000Z', '2026-11-21T23:59:59.999Z');
    const draft = await scorecard('2026-11-22T10:00:00.000Z', null);
    const marks = () => db.selectFrom('rollup_dirty').select(['kind', 'day']).orderBy('kind').orderBy('day').execute();
    await db.deleteFrom('rollup_dirty').execute();

    // One statement, nine answers of three scorecards.
    await db
      .insertInto('evaluation_answers')
      .values(
        [first, second, draft].flatMap((id) =>
          items.map((item) => ({ evaluation_id: id, item_id: item.id, value: 'yes', points: 1, max_points: 1 })),
        ),
      )
      .execute();
    const both = [
      { kind: 'calls', day: '2026-11-18' },
      { kind: 'calls', day: '2026-11-20' },
      { kind: 'scores', day: '2026-11-19' },
      { kind: 'scores', day: '2026-11-21' },
    ];
    expect(await marks()).toEqual(both);

    await db.deleteFrom('rollup_dirty').execute();
    await db
      .updateTable('evaluation_answers')
      .set({ points: 0 })
      .where('evaluation_id', 'in', [second, draft])
      .execute();
    expect(await marks()).toEqual([
      { kind: 'calls', day: '2026-11-20' },
      { kind: 'scores', day: '2026-11-21' },
    ]);
    await db.deleteFrom('rollup_dirty').execute();
    await db.updateTable('evaluation_answers').set({ points: 1 }).where('evaluation_id', '=', draft).execute();
    expect(await marks()).toEqual([]);

    await db.deleteFrom('evaluation_answers').where('evaluation_id', 'in', [first, draft]).execute();
    expect(await marks()).toEqual([
      { kind: 'calls', day: '2026-11-18' },
      { kind: 'scores', day: '2026-11-19' },
    ]);
    // Marks already there are kept, not refused.
    await db.deleteFrom('evaluation_answers').where('evaluation_id', '=', second).execute();
    await db
      .insertInto('evaluation_answers')
      .values({ evaluation_id: second, item_id: items[0]!.id, value: 'yes', points: 1, max_points: 1 })
      .execute();
    expect(await marks()).toEqual(both);

    const triggers = await sql<{ name: string; row: boolean }>`
      select tgname as name, (tgtype & 1) = 1 as row from pg_trigger
      where tgrelid = 'evaluation_answers'::regclass and not tgisinternal order by tgname`.execute(db);
    expect(triggers.rows).toEqual([
      { name: 'rollup_answers_delete', row: false },
      { name: 'rollup_answers_insert', row: false },
      { name: 'rollup_answers_update', row: false },
    ]);
  });

  test('db:copy takes SQLite’s text timestamps, verified as instants (a value written without milliseconds too)', async () => {
    await source.deps.db
      .updateTable('users')
      .set({ created_at: '2026-11-01T09:00:00Z' })
      .where('id', '=', org.csrA.id)
      .execute();
    await copyDatabase(source.database as SqliteHandle, target.db);
    const copied = await target.db
      .selectFrom('users')
      .select('created_at')
      .where('id', '=', org.csrA.id)
      .executeTakeFirstOrThrow();
    expect(copied.created_at).toBe('2026-11-01T09:00:00.000Z');
  });
});
