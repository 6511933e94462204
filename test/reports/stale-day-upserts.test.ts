import { sql } from 'kysely';
import { makeSqliteTestApp, type TestContext } from '../helpers/app';
import { buildOrg, type Org } from '../helpers/builders';
import { rollupTeamDayFor } from '../helpers/reports';

// SQLite lets the conflict policy of the statement that fired a trigger override the trigger's own: with the
// first roll-up triggers' INSERT OR IGNORE, an upsert that updated a watched row failed on a day already marked
// stale (UNIQUE constraint failed: rollup_dirty). Every trigger that marks days now carries its own
// `on conflict do nothing` (migrations/20261212T0200), so upserts on the watched tables save.

let ctx: TestContext;
let org: Org;

beforeEach(async () => {
  ctx = makeSqliteTestApp();
  org = await buildOrg(ctx.deps);
});
afterEach(async () => ctx.close());

test('no trigger marks a day with INSERT OR IGNORE', async () => {
  const triggers = await sql<{ name: string; sql: string }>`
    select name, sql from sqlite_master where type = 'trigger' and sql like '%rollup_dirty%'`.execute(ctx.deps.db);
  expect(triggers.rows.length).toBeGreaterThan(10);
  expect(triggers.rows.filter((t) => /insert\s+or\s+ignore/i.test(t.sql)).map((t) => t.name)).toEqual([]);
});

test('upserts that update a call and the answer threshold save while their days are already stale', async () => {
  const db = ctx.deps.db;
  await sql`insert into rollup_dirty (kind, day) values ('calls', '2026-11-20'), ('scores', '2026-11-20')`.execute(db);
  const call = {
    external_id: 'upsert-1',
    source: 'default',
    agent_id: org.csrA.id,
    team_id: org.teamA,
    started_at: '2026-11-20T10:00:00.000Z',
    direction: 'inbound' as const,
    duration_s: 100,
    queue_wait_s: 3,
    hold_s: 0,
    abandoned: 0,
    created_at: '2026-11-20T10:05:00.000Z',
  };
  await db.insertInto('calls').values(call).execute();
  for (const wait of [4, 5]) {
    await db
      .insertInto('calls')
      .values({ ...call, queue_wait_s: wait })
      .onConflict((oc) => oc.columns(['source', 'external_id']).doUpdateSet({ queue_wait_s: wait }))
      .execute();
  }
  await rollupTeamDayFor(ctx.deps, '2026-11-19', org.teamA, 30);
  for (const value of ['20', '45']) {
    await db
      .insertInto('settings')
      .values({ key: 'service_level_threshold_s', value })
      .onConflict((oc) => oc.column('key').doUpdateSet({ value }))
      .execute();
  }
  const stored = await db.selectFrom('calls').select('queue_wait_s').where('external_id', '=', 'upsert-1').execute();
  expect(stored).toEqual([{ queue_wait_s: 5 }]);
  // The threshold's change marked the day computed for 30 s stale; the calls' day stayed marked once.
  const dirty = await db.selectFrom('rollup_dirty').selectAll().where('kind', '=', 'calls').orderBy('day').execute();
  expect(dirty.map((d) => d.day)).toEqual(['2026-11-19', '2026-11-20']);
});
