import request from 'supertest';
import { makeTestApp, type TestContext } from '../helpers/app';
import { buildOrg, type Org } from '../helpers/builders';
import { signIn } from '../helpers/http';
import { tokenFor } from '../helpers/scoring';

// Every date parameter goes through one parser (lib/date-range.ts): an impossible date is a 422
// naming the problem, never a 500 and never silently ignored.

let ctx: TestContext;
let org: Org;
let token: string;

beforeAll(async () => {
  ctx = makeTestApp();
  org = await buildOrg(ctx.deps);
  token = await tokenFor(ctx.deps, org.admin);
});
afterAll(async () => ctx.close());

const IMPOSSIBLE = ['2026-13-45', '2026-12-32', '2026-02-30', '2026-00-10'];
const ROUTES = ['/api/v1/calls', '/api/v1/evaluations', '/api/v1/disputes', '/api/v1/reports/scores'];

describe.each(ROUTES)('%s', (route) => {
  test.each(IMPOSSIBLE.flatMap((date) => [['from', date] as const, ['to', date] as const]))(
    '%s=%s is a 422 that says the date is not on the calendar',
    async (name, date) => {
      const res = await request(ctx.app).get(`${route}?${name}=${date}`).set('Authorization', `Bearer ${token}`);
      expect(res.status).toBe(422);
      expect(res.body.error.code).toBe('validation_failed');
      expect(JSON.stringify(res.body.error)).toMatch(/not on the calendar/);
    },
  );

  test('a real date is accepted', async () => {
    const res = await request(ctx.app)
      .get(`${route}?from=2026-02-28&to=2026-12-31`)
      .set('Authorization', `Bearer ${token}`);
    expect(res.status).toBe(200);
  });
});

test('the call list page answers an impossible date with the form and a message, not a 500', async () => {
  const page = await signIn(ctx.app, org.admin.username);
  const res = await page.get('/calls?to=2026-13-45');
  expect(res.status).toBe(422);
  expect(res.text).toMatch(/not on the calendar/);
});

test('an abandoned call pushed with a team that does not exist is a 422 naming team_id, not a 500', async () => {
  for (const team of ['999', '4294967296']) {
    const res = await request(ctx.app)
      .post('/api/v1/calls')
      .set('Authorization', `Bearer ${token}`)
      .field('external_id', `abandoned-${team}`)
      .field('started_at', '2026-11-02T09:00:00Z')
      .field('direction', 'inbound')
      .field('duration_s', '0')
      .field('abandoned', 'true')
      .field('team_id', team);
    expect(res.status).toBe(422);
    expect(res.body.error.details).toEqual([{ path: 'team_id', message: 'No such team.' }]);
  }
});
