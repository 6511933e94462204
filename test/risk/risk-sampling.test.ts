import { candidatesDigest, drawPosition } from '../../src/sampling/random';
import { isRiskDraw, runSamplingTopUp } from '../../src/sampling/topup.service';
import { makeTestApp, type TestContext } from '../helpers/app';
import { api, tokenFor } from '../helpers/scoring';
import { buildOrg, type Org } from '../helpers/builders';
import { postForm, signIn } from '../helpers/http';
import { SEED, clockTo, insertCall, picksOf, planFor } from '../sampling/fixtures';

// Sampling plans may draw a share of their picks from flagged calls (low CSAT here, CSAT <= 2): default 0 keeps
// the sample purely random; the draw log (sampling_picks.risk_based, the audit entry, the picks page) says which
// picks were risk-based, and each risk-based position is reproducible over the flagged list alone.

let ctx: TestContext;
let org: Org;
const flagged = new Set<number>();
const calls: number[] = [];

beforeAll(async () => {
  ctx = makeTestApp();
  org = await buildOrg(ctx.deps);
  clockTo(ctx, '2026-12-31T12:00:00Z');
  // 20 calls of CSR A in December, every fifth with CSAT 1 (flagged), the others CSAT 4.
  for (let i = 0; i < 20; i += 1) {
    const startedAt = new Date(Date.parse('2026-12-01T09:00:00Z') + i * 86_400_000).toISOString();
    const id = await insertCall(ctx.deps, org.csrA, { startedAt, externalId: `risk-sample-${i}` });
    await ctx.deps.db
      .updateTable('calls')
      .set({ csat: i % 5 === 0 ? 1 : 4 })
      .where('id', '=', id)
      .execute();
    calls.push(id);
    if (i % 5 === 0) flagged.add(id);
  }
});
afterAll(async () => ctx.close());

test('risk-based draws are spread evenly and start with the first', () => {
  const draws = (pct: number) => Array.from({ length: 8 }, (_, i) => isRiskDraw(i, pct));
  expect(draws(0)).toEqual([false, false, false, false, false, false, false, false]);
  expect(draws(25)).toEqual([true, false, false, false, true, false, false, false]);
  expect(draws(50)).toEqual([true, false, true, false, true, false, true, false]);
  expect(draws(100)).toEqual([true, true, true, true, true, true, true, true]);
  // Over any number of draws the share is met to within one pick.
  for (const pct of [10, 33, 60, 90])
    expect(Math.abs(Array.from({ length: 100 }, (_, i) => isRiskDraw(i, pct)).filter(Boolean).length - pct)).toBe(0);
});

test('a plan with 50% draws picks 0 and 2 from flagged calls, logged as risk-based and checkable', async () => {
  const { plan } = await planFor(ctx.deps, org.admin, org.teamA, { per_csr: 4, risk_share_pct: '50' });
  expect(plan.risk_share_pct).toBe(50);
  const picks = (await picksOf(ctx.deps, org.teamA)).filter((p) => p.csr_id === org.csrA.id);
  expect(picks.map((p) => [p.draw_index, p.risk_based])).toEqual([
    [0, 1],
    [1, 0],
    [2, 1],
    [3, 0],
  ]);
  // Risk-based picks are flagged calls, drawn over the flagged list (in call order, minus earlier picks).
  const flaggedList = calls.filter((id) => flagged.has(id));
  const first = picks[0];
  expect(flagged.has(first.call_id!)).toBe(true);
  expect(first.candidate_count).toBe(flaggedList.length);
  expect(first.candidates_sha256).toBe(candidatesDigest(flaggedList));
  expect(first.position).toBe(drawPosition(SEED, org.csrA.id, 0, flaggedList.length));
  expect(flaggedList[first.position]).toBe(first.call_id);
  expect(flagged.has(picks[2].call_id!)).toBe(true);
  expect(picks[2].candidate_count).toBe(flaggedList.length - 1);
  // Random draws choose from every candidate left (20 less the picks before them).
  expect(picks[1].candidate_count).toBe(19);
  expect(picks[3].candidate_count).toBe(17);
  const audit = await ctx.deps.db
    .selectFrom('audit_log')
    .select('details')
    .where('action', '=', 'sampling.topped_up')
    .orderBy('id', 'desc')
    .executeTakeFirstOrThrow();
  const details = JSON.parse(audit.details!) as {
    plan: { risk_share_pct: number };
    picks: Array<{ risk_based: boolean }>;
  };
  expect(details.plan.risk_share_pct).toBe(50);
  expect(details.picks.filter((p) => p.risk_based)).toHaveLength(2);

  const manager = await signIn(ctx.app, org.manager.username);
  const page = await manager.get(`/sampling/teams/${org.teamA}/picks`);
  expect(page.status).toBe(200);
  expect(page.text.match(/flagged calls \(risk-based\)/g)).toHaveLength(2);
  expect(page.text).not.toContain('✗ does not match');
});

test('the default share is 0: a plan saved without it draws every pick at random', async () => {
  for (let i = 0; i < 4; i += 1) {
    const startedAt = `2026-12-0${i + 1}T09:00:00.000Z`;
    const id = await insertCall(ctx.deps, org.csrB, { startedAt, externalId: `risk-sample-b${i}` });
    // Every call of CSR B is flagged (CSAT 1): a share of 0 still logs each pick as random.
    await ctx.deps.db.updateTable('calls').set({ csat: 1 }).where('id', '=', id).execute();
  }
  const { plan } = await planFor(ctx.deps, org.admin, org.teamB, { per_csr: 2 });
  expect(plan.risk_share_pct).toBe(0);
  await runSamplingTopUp(ctx.deps, { newSeed: () => SEED });
  const picks = await picksOf(ctx.deps, org.teamB);
  expect(picks).toHaveLength(2);
  expect(picks.every((p) => p.risk_based === 0)).toBe(true);
});

test.each([
  ['101', 'The share of picks from flagged calls is at most 100%.'],
  ['-1', 'The share of picks from flagged calls is at least 0%.'],
  ['12.5', 'Use a whole percentage.'],
  ['lots', 'The share of picks from flagged calls must be a whole percentage.'],
])('a share of %s is refused with a 422 beside the field and saves nothing', async (value, message) => {
  const manager = await signIn(ctx.app, org.manager.username);
  const before = await ctx.deps.db.selectFrom('sampling_plans').selectAll().where('team_id', '=', org.teamA).execute();
  const res = await postForm(
    manager,
    `/sampling/teams/${org.teamA}/plan`,
    { per_csr: '4', period: 'month', risk_share_pct: value, active: 'on' },
    `/sampling/teams/${org.teamA}/plan`,
  );
  expect(res.status).toBe(422);
  expect(res.text).toContain(`<small id="risk_share_pct-error" class="field-error">${message}</small>`);
  const after = await ctx.deps.db.selectFrom('sampling_plans').selectAll().where('team_id', '=', org.teamA).execute();
  expect(after).toEqual(before);
});

test('the risk-based draws follow the low-CSAT limit set in the settings', async () => {
  const adminApi = api(ctx.app, await tokenFor(ctx.deps, org.admin));
  const csat3: number[] = [];
  for (let i = 0; i < 4; i += 1) {
    const startedAt = `2026-12-1${i}T09:00:00.000Z`;
    const id = await insertCall(ctx.deps, org.otherCsr, { startedAt, externalId: `risk-limit-${i}` });
    // CSAT 3: not low under the default limit (2 or below), low once the limit is 3.
    await ctx.deps.db
      .updateTable('calls')
      .set({ csat: i < 2 ? 3 : 5 })
      .where('id', '=', id)
      .execute();
    if (i < 2) csat3.push(id);
  }
  expect((await adminApi.patch('/api/v1/settings', { risk_low_csat_max: 3 })).status).toBe(200);
  try {
    await planFor(ctx.deps, org.admin, org.otherTeam, { per_csr: 2, risk_share_pct: '100' });
    const picks = await picksOf(ctx.deps, org.otherTeam);
    expect(picks.map((p) => p.risk_based)).toEqual([1, 1]);
    expect(picks.map((p) => p.call_id).sort()).toEqual([...csat3].sort());
  } finally {
    expect((await adminApi.patch('/api/v1/settings', { risk_low_csat_max: 2 })).status).toBe(200);
  }
});
