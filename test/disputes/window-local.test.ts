import { makeTestApp, type TestContext } from '../helpers/app';
import { buildOrg, type Org } from '../helpers/builders';
import { api, publishedRubric, tokenFor, type Api } from '../helpers/scoring';
import { disputeRubric, itemsByName, scoredCall } from './fixtures';

// The dispute window is counted in the center's local days (DOMAIN.md, Time), like release-after-N-days: a 1-day
// window opened at 18:00 local closes at 18:00 local the next day, 23 hours later across the spring change and 25
// across the autumn one, not after 24 fixed hours.

let ctx: TestContext;
let org: Org;
let sup: Api;
let csr: Api;

const HOUR = 3_600_000;
const MINUTE = 60_000;

beforeEach(async () => {
  ctx = makeTestApp();
  org = await buildOrg(ctx.deps);
  sup = api(ctx.app, await tokenFor(ctx.deps, org.supervisorA));
  csr = api(ctx.app, await tokenFor(ctx.deps, org.csrA));
  const admin = api(ctx.app, await tokenFor(ctx.deps, org.admin));
  expect((await admin.patch('/api/v1/settings', { time_zone: 'America/New_York' })).status).toBe(200);
});
afterEach(async () => ctx.close());

/** Moves the test clock forward to an instant. */
function clockTo(iso: string) {
  const ms = Date.parse(iso) - ctx.clock.now().getTime();
  if (ms < 0) throw new Error(`the clock is already past ${iso}`);
  ctx.clock.advance(ms);
}

/** Two scorecards released at the same instant, on a rubric with a 1-day dispute window. */
async function twoReleased() {
  const rubric = await publishedRubric(ctx.deps, disputeRubric({ dispute_window_days: 1 }));
  const first = await scoredCall(ctx, org, sup, rubric);
  const second = await scoredCall(ctx, org, sup, rubric);
  expect([first.status, second.status]).toEqual(['released', 'released']);
  const body = { item_ids: [itemsByName(rubric).name.id], reason: 'I did give my name.' };
  return { first, second, body };
}

test('spring forward in New York: released 18:00 EST, the window closes at 18:00 EDT, 23 hours later', async () => {
  clockTo('2027-03-13T23:00:00Z'); // Saturday 18:00 EST; clocks go forward at 02:00 on Sunday
  const { first, second, body } = await twoReleased();
  ctx.clock.advance(23 * HOUR - MINUTE); // Sunday 17:59 EDT
  expect((await csr.post(`/api/v1/evaluations/${first.id}/disputes`, body)).status).toBe(201);
  ctx.clock.advance(2 * MINUTE); // Sunday 18:01 EDT: 23 h 01 min after release, under 24 fixed hours
  const late = await csr.post(`/api/v1/evaluations/${second.id}/disputes`, body);
  expect(late.status).toBe(409);
  expect(late.body.error.code).toBe('dispute_window_closed');
});

test('fall back in New York: released 18:00 EDT, the window is open 24.5 hours later, until 18:00 EST', async () => {
  clockTo('2027-11-06T22:00:00Z'); // Saturday 18:00 EDT; clocks go back at 02:00 on Sunday
  const { first, second, body } = await twoReleased();
  ctx.clock.advance(24 * HOUR + 30 * MINUTE); // Sunday 17:30 EST: past 24 fixed hours, still the same local day
  expect((await csr.post(`/api/v1/evaluations/${first.id}/disputes`, body)).status).toBe(201);
  ctx.clock.advance(31 * MINUTE); // Sunday 18:01 EST
  const late = await csr.post(`/api/v1/evaluations/${second.id}/disputes`, body);
  expect(late.status).toBe(409);
  expect(late.body.error.code).toBe('dispute_window_closed');
});
