import { sql } from 'kysely';
import { copyDatabase, sqliteTables, tableChecksum, verifyCopy, type TableInfo } from '../../src/db/copy';
import type { PostgresHandle, SqliteHandle } from '../../src/db/database';
import { makeSqliteTestApp, type TestContext } from '../helpers/app';
import { buildOrg, type Org } from '../helpers/builders';
import { openTestPostgres } from '../helpers/pg-leg';

// db:copy from a SQLite installation into PostgreSQL (PGlite, or PG_TEST_URL's server): on the PostgreSQL leg only.

let source: TestContext;
let org: Org;
let target: PostgresHandle;

beforeEach(async () => {
  source = makeSqliteTestApp();
  org = await buildOrg(source.deps);
  await source.deps.db
    .insertInto('calls')
    .values({
      external_id: 'copy-1',
      source: 'default',
      agent_id: org.csrA.id,
      team_id: org.teamA,
      started_at: '2026-11-20T10:00:00.000Z',
      direction: 'inbound',
      duration_s: 125.5,
      queue_wait_s: 3,
      hold_s: 0,
      abandoned: 0,
      csat: 4,
      created_at: '2026-11-20T10:05:00.000Z',
    } as never)
    .execute();
  target = openTestPostgres(`copy-${Math.random()}`, true);
});

afterEach(async () => {
  await target.close();
  await source.close();
});

const sqliteOf = (ctx: TestContext) => ctx.database as SqliteHandle;

async function usersTable(): Promise<TableInfo> {
  const users = (await sqliteTables(sqliteOf(source))).find((t) => t.name === 'users');
  if (!users) throw new Error('no users table');
  return users;
}

test('copies every table in dependency order, verified by row counts and checksums, and ids continue', async () => {
  const lines: string[] = [];
  const reports = await copyDatabase(sqliteOf(source), target.db, { batch: 3, log: (l) => lines.push(l) });
  const tables = await sqliteTables(sqliteOf(source));
  expect(reports.map((r) => r.table).sort()).toEqual(tables.map((t) => t.name).sort());
  const users = reports.find((r) => r.table === 'users');
  expect(users?.rows).toBe(10);
  expect(reports.find((r) => r.table === 'calls')?.rows).toBe(1);
  // teams after departments, users after teams (users.team_id), team_supervisors after both.
  const order = lines.map((l) => l.split(':')[0]);
  expect(order.indexOf('teams')).toBeGreaterThan(order.indexOf('departments'));
  expect(order.indexOf('team_supervisors')).toBeGreaterThan(order.indexOf('users'));
  const copiedCall = await target.db.selectFrom('calls').selectAll().executeTakeFirstOrThrow();
  expect(copiedCall).toMatchObject({ external_id: 'copy-1', duration_s: 125.5, csat: 4, agent_id: org.csrA.id });
  const maxId = Math.max(...(await target.db.selectFrom('users').select('id').execute()).map((u) => u.id));
  const inserted = await target.db
    .insertInto('users')
    .values({
      username: 'after.copy',
      display_name: 'After Copy',
      password_hash: 'x',
      role: 'csr',
      active: 1,
      created_at: '2026-12-01T00:00:00.000Z',
      updated_at: '2026-12-01T00:00:00.000Z',
    } as never)
    .returning('id')
    .executeTakeFirstOrThrow();
  expect(inserted.id).toBe(maxId + 1);
});

test('refuses a target that already has users, and changes nothing there', async () => {
  await copyDatabase(sqliteOf(source), target.db);
  const before = await tableChecksum(target.db, await usersTable());
  expect(before.rows).toBe(10);
  await expect(copyDatabase(sqliteOf(source), target.db)).rejects.toThrow(/already has users/);
  expect(await tableChecksum(target.db, await usersTable())).toEqual(before);
});

test('verification names a table whose rows differ', async () => {
  await copyDatabase(sqliteOf(source), target.db);
  await sql`update users set display_name = 'Changed' where id = ${org.csrA.id}`.execute(target.db);
  const tables = await sqliteTables(sqliteOf(source));
  await expect(verifyCopy(source.deps.db, target.db, tables)).rejects.toThrow(/users: 10 rows .* → 10/);
});

test('case-insensitive usernames stay unique on PostgreSQL after the copy', async () => {
  await copyDatabase(sqliteOf(source), target.db);
  await expect(
    sql`insert into users (username, display_name, password_hash, role, active, created_at, updated_at)
      values (${org.csrA.username.toUpperCase()}, 'Dup', 'x', 'csr', 1, 'now', 'now')`.execute(target.db),
  ).rejects.toMatchObject({ code: '23505' });
});

test('text keys are compared in byte order on both sides, whatever collation the target gives them', async () => {
  // SQLite orders 'Beta' < 'Zed' < 'alpha' (bytes); ICU's root collation orders alpha < Beta < Zed. A managed
  // PostgreSQL created with en_US (or ICU) orders the same way, and a copy read in each side's own order would
  // fail its own checksum, or skip rows between batches.
  const sids = ['Zed', 'alpha', 'Beta', 'ab_c', 'aB', 'abc'];
  await source.deps.db
    .insertInto('login_throttle')
    .values(sids.map((key, i) => ({ key, failures: i, window_started_at: 1_700_000_000 + i })))
    .execute();
  await sql`alter table login_throttle alter column key type text collate "und-x-icu"`.execute(target.db);
  const reports = await copyDatabase(sqliteOf(source), target.db, { batch: 2 });
  expect(reports.find((r) => r.table === 'login_throttle')?.rows).toBe(sids.length);
  const copied = await target.db.selectFrom('login_throttle').select(['key', 'failures']).orderBy('key').execute();
  expect(copied.map((r) => r.key)).toEqual(['aB', 'ab_c', 'abc', 'alpha', 'Beta', 'Zed']);
});
