import request from 'supertest';
import { makeTestApp, type TestContext } from '../helpers/app';

// Express caches compiled views only when process.env.NODE_ENV is 'production', and `npm start` sets none: the
// app's own setting decides instead, so only NODE_ENV=development compiles each view on every request.

let ctx: TestContext | undefined;
afterEach(async () => ctx?.close());

test.each([
  [{}, true],
  [{ NODE_ENV: 'production' }, true],
  [{ NODE_ENV: 'development' }, false],
])('with %j the compiled views are cached: %s', async (env, cached) => {
  const saved = process.env.NODE_ENV;
  delete process.env.NODE_ENV;
  try {
    ctx = makeTestApp(env);
  } finally {
    process.env.NODE_ENV = saved;
  }
  expect(ctx.app.enabled('view cache')).toBe(cached);
  const page = await request(ctx.app).get('/setup');
  expect(page.status).toBe(200);
});
