import { makeTestApp, type TestContext } from '../helpers/app';
import { sessionSecret } from '../../src/auth';
import { readSetting, writeSetting, writeSettingIfNone } from '../../src/lib/settings-store.queries';

// The session-signing secret is made once per installation and kept in the settings table; a secret already
// stored (by this process earlier, or by another that won the race) is kept, never overwritten.

let ctx: TestContext;
beforeEach(() => {
  ctx = makeTestApp();
});
afterEach(async () => ctx.close());

test('is made once, stored under session_secret, and the same on every later call', async () => {
  expect(await readSetting(ctx.deps.db, 'session_secret')).toBeUndefined();
  const first = await sessionSecret(ctx.deps.db);
  expect(first).toMatch(/^[A-Za-z0-9_-]{43}$/);
  expect(await readSetting(ctx.deps.db, 'session_secret')).toBe(first);
  expect(await sessionSecret(ctx.deps.db)).toBe(first);
});

test('a secret already stored is the one used, and storing another if none does not replace it', async () => {
  await writeSetting(ctx.deps.db, 'session_secret', 'stored-by-another-process');
  expect(await sessionSecret(ctx.deps.db)).toBe('stored-by-another-process');
  await writeSettingIfNone(ctx.deps.db, 'session_secret', 'a-later-one');
  expect(await readSetting(ctx.deps.db, 'session_secret')).toBe('stored-by-another-process');
  await writeSettingIfNone(ctx.deps.db, 'not_set_before', 'first');
  expect(await readSetting(ctx.deps.db, 'not_set_before')).toBe('first');
});
