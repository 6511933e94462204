import { createMigrator, migrateToLatest } from '../../src/db/migrate';
import { DEFAULT_TOPICS } from '../../src/topics';
import { makeTestApp, type TestContext } from '../helpers/app';
import { buildOrg } from '../helpers/builders';

// Installations set up before call topics existed get the default topics once, from a migration
// (20261208T0200_default_topics): only when set up, with no topic, and never having had one.

jest.setTimeout(60_000);

const BEFORE = '20261207T0300_recordings_inbox';
const defaults = DEFAULT_TOPICS.map((t) => ({ name: t.name, rule: JSON.stringify(t.rule), active: 1 }));

const contexts: TestContext[] = [];
afterAll(async () => Promise.all(contexts.map((c) => c.close())));

function app(): TestContext {
  const ctx = makeTestApp();
  contexts.push(ctx);
  return ctx;
}

/** Runs the migration again, as on an installation upgraded from before it. */
async function upgrade(ctx: TestContext): Promise<void> {
  const back = await createMigrator(ctx.deps.db).migrateTo(BEFORE);
  expect(back.error).toBeUndefined();
  const forward = await migrateToLatest(ctx.deps.db);
  expect(forward.results?.map((r) => r.migrationName)).toContain('20261208T0200_default_topics');
}

const topics = (ctx: TestContext) =>
  ctx.deps.db.selectFrom('topics').select(['name', 'rule', 'active']).orderBy('id').execute();

test('an installation with people and no topic ever gets the defaults (as a fresh setup has them), once', async () => {
  const ctx = app();
  await buildOrg(ctx.deps);
  expect(await topics(ctx)).toEqual([]);
  await upgrade(ctx);
  expect(await topics(ctx)).toEqual(defaults);
  await upgrade(ctx);
  expect(await topics(ctx)).toEqual(defaults);
});

test('topics an admin deleted are not added back; topics an admin keeps are left as they are', async () => {
  const ctx = app();
  await buildOrg(ctx.deps);
  const now = ctx.clock.now().toISOString();
  const own = { name: 'Refund', rule: JSON.stringify({ phrase: { any_of: ['refund'] } }), active: 0 };
  await ctx.deps.db
    .insertInto('topics')
    .values({ ...own, created_at: now, updated_at: now })
    .execute();
  await upgrade(ctx);
  expect(await topics(ctx)).toEqual([own]);
  await ctx.deps.db.deleteFrom('topics').execute();
  await upgrade(ctx);
  expect(await topics(ctx)).toEqual([]);
});

test('a database not set up yet gets none from the migration (its setup adds them)', async () => {
  const ctx = app();
  await upgrade(ctx);
  expect(await topics(ctx)).toEqual([]);
});
