// A serializable unit of work that waits for another's lock must see what that one committed. With
// pg_advisory_xact_lock (a SELECT) the waiter's snapshot was fixed before its wait, so it read the world from
// before the holder's commit: the roll-up refresh that waited recomputed days already cleared and was rolled back
// as a serialization failure, again and again while the background refresh ran batch after batch, until a report
// request answered 503. lockTableForTransaction waits first and takes its snapshot after. On the PostgreSQL server
// leg the two units of work run on two connections at once; on PGlite and SQLite one connection runs them in turn.
import { lockTableForTransaction } from '../../src/db/exclusive';
import { inTransaction } from '../../src/db/transaction';
import { makeTestApp, type TestContext } from '../helpers/app';

let ctx: TestContext;

beforeAll(() => {
  ctx = makeTestApp();
});
afterAll(() => ctx.close());

const NO_RETRY = { maxWaitMs: 0, firstPauseMs: 1, maxPauseMs: 1 };

test('a unit of work that waited for the lock reads what the holder committed, and is not rolled back', async () => {
  await ctx.deps.db.deleteFrom('rollup_dirty').execute();
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  let locked!: () => void;
  const holding = new Promise<void>((resolve) => (locked = resolve));
  const holder = inTransaction(ctx.deps.db, async (trx) => {
    await lockTableForTransaction(trx, 'rollup_dirty');
    await trx.insertInto('rollup_dirty').values({ kind: 'calls', day: '2026-11-20' }).execute();
    locked();
    await gate;
  });
  await holding;
  const waiter = inTransaction(
    ctx.deps.db,
    async (trx) => {
      await lockTableForTransaction(trx, 'rollup_dirty');
      const seen = await trx.selectFrom('rollup_dirty').select('day').execute();
      await trx.deleteFrom('rollup_dirty').where('day', '=', '2026-11-20').execute();
      return seen.map((r) => r.day);
    },
    NO_RETRY,
  );
  // Let the waiter reach its lock (on a server it now waits for the holder's connection's lock).
  await new Promise((resolve) => setTimeout(resolve, 300));
  release();
  await holder;
  expect(await waiter).toEqual(['2026-11-20']);
  expect(await ctx.deps.db.selectFrom('rollup_dirty').selectAll().execute()).toEqual([]);
});
