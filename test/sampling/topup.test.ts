import type { User } from '../../src/db/schema';
import { deleteCall } from '../../src/calls/calls.service';
import { isUniqueViolation } from '../../src/db/errors';
import { startEvaluation } from '../../src/evaluations/evaluations.service';
import { periodAt, plannedSoFar } from '../../src/sampling/period';
import { planProgress } from '../../src/sampling/progress.queries';
import { candidatesDigest, drawPosition } from '../../src/sampling/random';
import { runSamplingTopUp } from '../../src/sampling/topup.service';
import { makeTestApp, type TestContext } from '../helpers/app';
import { buildOrg, buildUser, type Org } from '../helpers/builders';
import { publishedRubric, workedExampleRubric } from '../helpers/scoring';
import { SEED, addSupervisor, clockTo, countBy, insertCall, picksOf, planFor, submitEvaluation } from './fixtures';

// The daily top-up, run day by day through December 2026 (31 days) with a fixed seed and the test clock.

const PER_CSR = 4;
const days = Array.from({ length: 31 }, (_, i) => String(i + 1).padStart(2, '0'));
// A simulated month is some 800 inserts and 31 runs: allow for a loaded machine.
const SIMULATION_TIMEOUT_MS = 60_000;
const run = (ctx: TestContext) => runSamplingTopUp(ctx.deps, { newSeed: () => SEED });

interface Month {
  ctx: TestContext;
  org: Org;
  csrs: User[];
  supervisors: User[];
  /** Picks per CSR after each day's run. */
  daily: Array<Map<number, number>>;
}

/**
 * Team A with five CSRs and three supervisors. Every day each CSR makes five calls: three with a recording,
 * one whose recording is missing and one with none. At 23:00 the top-up runs.
 */
async function simulateMonth(externalPrefix = 'dec'): Promise<Month> {
  const ctx = makeTestApp();
  const org = await buildOrg(ctx.deps);
  const csrs = [org.csrA, org.csrA2];
  for (let i = 0; i < 3; i += 1) csrs.push(await buildUser(ctx.deps, 'csr', { team_id: org.teamA }));
  const supervisors = [
    org.supervisorA,
    await addSupervisor(ctx.deps, org.teamA),
    await addSupervisor(ctx.deps, org.teamA),
  ];
  clockTo(ctx, '2026-12-01T00:00:00Z');
  await planFor(ctx.deps, org.admin, org.teamA, { per_csr: PER_CSR });
  const daily: Array<Map<number, number>> = [];
  for (const day of days) {
    for (const [c, csr] of csrs.entries()) {
      for (const [hour, recording] of [
        ['09', 'stored'],
        ['11', 'missing'],
        ['13', 'stored'],
        ['15', null],
        ['17', 'stored'],
      ] as const) {
        const externalId = `${externalPrefix}-${day}-${c}-${hour}`;
        await insertCall(ctx.deps, csr, { startedAt: `2026-12-${day}T${hour}:00:00.000Z`, recording, externalId });
      }
    }
    clockTo(ctx, `2026-12-${day}T23:00:00Z`);
    await run(ctx);
    daily.push(countBy(await picksOf(ctx.deps, org.teamA), (p) => p.csr_id) as Map<number, number>);
  }
  return { ctx, org, csrs, supervisors, daily };
}

describe('a month of daily top-ups', () => {
  let month: Month;
  beforeAll(async () => {
    month = await simulateMonth();
  }, SIMULATION_TIMEOUT_MS);
  afterAll(async () => month.ctx.close());

  test('each day every CSR has exactly ceil(N × elapsed fraction) picks, never more than N', () => {
    const december = periodAt('month', new Date('2026-12-15T00:00:00Z'), 'UTC');
    month.daily.forEach((counts, i) => {
      const expected = plannedSoFar(PER_CSR, december, new Date(`2026-12-${days[i]}T23:00:00Z`));
      for (const csr of month.csrs)
        expect({ day: i + 1, picks: counts.get(csr.id) ?? 0 }).toEqual({ day: i + 1, picks: expected });
    });
    expect(month.daily[30].get(month.csrs[0].id)).toBe(PER_CSR);
  });

  test('picks spread over the month: one in each quarter, on days 1, 8, 16 and 24', async () => {
    const picks = await picksOf(month.ctx.deps, month.org.teamA);
    for (const csr of month.csrs) {
      const pickDays = picks.filter((p) => p.csr_id === csr.id).map((p) => Number(p.picked_at.slice(8, 10)));
      expect(pickDays).toEqual([1, 8, 16, 24]);
    }
  });

  test('every pick is a call of its CSR and team, from the month so far, with a stored recording', async () => {
    const picks = await picksOf(month.ctx.deps, month.org.teamA);
    expect(picks).toHaveLength(PER_CSR * month.csrs.length);
    for (const pick of picks) {
      expect(pick.recording_status).toBe('stored');
      expect(pick.agent_id).toBe(pick.csr_id);
      expect(pick.call_team_id).toBe(month.org.teamA);
      expect(pick.started_at! >= '2026-12-01T00:00:00.000Z' && pick.started_at! < pick.picked_at).toBe(true);
      expect(pick.due_at).toBe('2026-12-31T23:59:59.999Z');
      expect(pick.seed).toBe(SEED);
    }
  });

  test('no call is picked twice, and the database refuses a second pick of a call in the period', async () => {
    const picks = await picksOf(month.ctx.deps, month.org.teamA);
    expect(new Set(picks.map((p) => p.call_id)).size).toBe(picks.length);
    const { id: _id, ...first } = await month.ctx.deps.db
      .selectFrom('sampling_picks')
      .selectAll()
      .where('id', '=', picks[0].id)
      .executeTakeFirstOrThrow();
    const duplicate = month.ctx.deps.db
      .insertInto('sampling_picks')
      .values({ ...first, draw_index: 99 })
      .execute();
    const refused = await duplicate.then(
      () => null,
      (err: unknown) => err,
    );
    expect(isUniqueViolation(refused)).toBe(true);
  });

  test('picks are shared among the three supervisors: counts differ by at most one', async () => {
    const picks = await picksOf(month.ctx.deps, month.org.teamA);
    const counts = month.supervisors.map((s) => picks.filter((p) => p.supervisor_id === s.id).length);
    expect(counts.reduce((a, b) => a + b, 0)).toBe(picks.length);
    expect(Math.max(...counts) - Math.min(...counts)).toBeLessThanOrEqual(1);
  });

  test('each draw is logged: its position re-draws from the seed and its list fingerprint rebuilds', async () => {
    const picks = await picksOf(month.ctx.deps, month.org.teamA);
    for (const pick of picks) {
      expect(drawPosition(pick.seed, pick.csr_id, pick.draw_index, pick.candidate_count)).toBe(pick.position);
    }
    // The first draw of a CSR chose from every recorded call they made on 1 December before 23:00.
    const first = picks.find((p) => p.csr_id === month.csrs[0].id && p.draw_index === 0)!;
    const candidates = await month.ctx.deps.db
      .selectFrom('calls')
      .select('id')
      .where('agent_id', '=', month.csrs[0].id)
      .where('recording_status', '=', 'stored')
      .where('started_at', '<', first.picked_at)
      .orderBy('started_at')
      .orderBy('id')
      .execute();
    expect(first.candidate_count).toBe(3);
    expect(first.candidates_sha256).toBe(candidatesDigest(candidates.map((c) => c.id)));
  });

  test('one audit entry per plan and run, with the seed and what was drawn', async () => {
    const entries = await month.ctx.deps.db
      .selectFrom('audit_log')
      .selectAll()
      .where('action', '=', 'sampling.topped_up')
      .orderBy('id')
      .execute();
    // The run when the plan was saved (nothing to pick at midnight on the 1st), then 31 daily runs.
    expect(entries).toHaveLength(32);
    const details = entries.map((e) => JSON.parse(e.details!) as { seed: string; period: string; picks: unknown[] });
    expect(details.every((d) => d.seed === SEED && d.period === '2026-12')).toBe(true);
    expect(details.reduce((n, d) => n + d.picks.length, 0)).toBe(PER_CSR * month.csrs.length);
  });

  test('running again the same day picks nothing more', async () => {
    const before = (await picksOf(month.ctx.deps, month.org.teamA)).length;
    const [result] = await run(month.ctx);
    expect(result.picks).toEqual([]);
    expect((await picksOf(month.ctx.deps, month.org.teamA)).length).toBe(before);
  });
});

test(
  'the same seed and the same calls give the same picks; another seed gives others',
  async () => {
    const summary = async (month: Month) =>
      (await picksOf(month.ctx.deps, month.org.teamA)).map((p) => [
        month.csrs.findIndex((c) => c.id === p.csr_id),
        p.external_id,
        p.draw_index,
        p.candidate_count,
        p.position,
        month.supervisors.findIndex((s) => s.id === p.supervisor_id),
      ]);
    const first = await simulateMonth('repro');
    const second = await simulateMonth('repro');
    try {
      expect(await summary(second)).toEqual(await summary(first));
      // Re-drawn with another seed from the same candidate lists, the positions differ.
      const picks = await picksOf(first.ctx.deps, first.org.teamA);
      const other = picks.map((p) => drawPosition('another seed', p.csr_id, p.draw_index, p.candidate_count));
      expect(other).not.toEqual(picks.map((p) => p.position));
    } finally {
      await first.ctx.close();
      await second.ctx.close();
    }
  },
  2 * SIMULATION_TIMEOUT_MS,
);

describe('filters, shortfalls and supervisors', () => {
  let ctx: TestContext;
  let org: Org;
  beforeEach(async () => {
    ctx = makeTestApp();
    org = await buildOrg(ctx.deps);
    clockTo(ctx, '2026-12-01T00:00:00Z');
  });
  afterEach(async () => ctx.close());

  test('only calls matching category, minimum length and direction are picked', async () => {
    await planFor(ctx.deps, org.admin, org.teamA, {
      per_csr: 6,
      category: 'returns',
      min_duration_s: 120,
      direction: 'outbound',
    });
    for (let d = 1; d <= 28; d += 1) {
      const startedAt = `2026-12-${String(d).padStart(2, '0')}T10:00:00.000Z`;
      await insertCall(ctx.deps, org.csrA, { startedAt, category: 'returns', durationS: 120, direction: 'outbound' });
      await insertCall(ctx.deps, org.csrA, { startedAt, category: 'billing', durationS: 300, direction: 'outbound' });
      await insertCall(ctx.deps, org.csrA, { startedAt, category: 'returns', durationS: 119, direction: 'outbound' });
      await insertCall(ctx.deps, org.csrA, { startedAt, category: 'returns', durationS: 300, direction: 'inbound' });
      await insertCall(ctx.deps, org.csrA, { startedAt, category: null, durationS: 300, direction: 'outbound' });
    }
    clockTo(ctx, '2026-12-31T12:00:00Z');
    await run(ctx);
    const picks = (await picksOf(ctx.deps, org.teamA)).filter((p) => p.csr_id === org.csrA.id);
    expect(picks).toHaveLength(6);
    for (const pick of picks) {
      expect([pick.category, pick.duration_s! >= 120, pick.direction]).toEqual(['returns', true, 'outbound']);
    }
  });

  test('a CSR with too few eligible calls gets what there is, and the shortfall is logged', async () => {
    await planFor(ctx.deps, org.admin, org.teamA, { per_csr: 4 });
    await insertCall(ctx.deps, org.csrA, { startedAt: '2026-12-02T10:00:00.000Z' });
    await insertCall(ctx.deps, org.csrA, { startedAt: '2026-12-03T10:00:00.000Z', recording: 'deleted' });
    await insertCall(ctx.deps, org.csrA, { startedAt: '2026-11-30T10:00:00.000Z' }); // last month
    clockTo(ctx, '2026-12-31T12:00:00Z');
    const [result] = await run(ctx);
    expect(result.picks.filter((p) => p.csr_id === org.csrA.id)).toHaveLength(1);
    expect(result.short).toEqual(
      expect.arrayContaining([
        { csr_id: org.csrA.id, missing: 3 },
        { csr_id: org.csrA2.id, missing: 4 },
      ]),
    );
  });

  test('calls already evaluated (or being scored) are not picked', async () => {
    const rubric = await publishedRubric(ctx.deps, workedExampleRubric());
    await planFor(ctx.deps, org.admin, org.teamA, { per_csr: 3 });
    const scored = await insertCall(ctx.deps, org.csrA, { startedAt: '2026-12-02T10:00:00.000Z' });
    const drafted = await insertCall(ctx.deps, org.csrA, { startedAt: '2026-12-02T11:00:00.000Z' });
    const free = await insertCall(ctx.deps, org.csrA, { startedAt: '2026-12-02T12:00:00.000Z' });
    await submitEvaluation(ctx.deps, org.supervisorA, scored, rubric);
    await startEvaluation(ctx.deps, { id: org.supervisorA.id, role: 'supervisor' }, drafted, rubric.id);
    clockTo(ctx, '2026-12-31T12:00:00Z');
    await run(ctx);
    const picks = (await picksOf(ctx.deps, org.teamA)).filter((p) => p.csr_id === org.csrA.id);
    expect(picks.map((p) => p.call_id)).toEqual([free]);
  });

  test('a new pick goes to the supervisor with the fewest open picks; a done pick no longer counts', async () => {
    const rubric = await publishedRubric(ctx.deps, workedExampleRubric());
    const second = await addSupervisor(ctx.deps, org.teamA);
    await planFor(ctx.deps, org.admin, org.teamA, { per_csr: 4 });
    for (let d = 1; d <= 28; d += 1) {
      for (const csr of [org.csrA, org.csrA2]) {
        await insertCall(ctx.deps, csr, { startedAt: `2026-12-${String(d).padStart(2, '0')}T10:00:00.000Z` });
      }
    }
    clockTo(ctx, '2026-12-05T12:00:00Z');
    await run(ctx); // one pick each for two CSRs: one per supervisor
    let picks = await picksOf(ctx.deps, org.teamA);
    expect(countBy(picks, (p) => p.supervisor_id)).toEqual(
      new Map([
        [org.supervisorA.id, 1],
        [second.id, 1],
      ]),
    );
    // Anyone may do a pick: the manager scores supervisorA's.
    const mine = picks.find((p) => p.supervisor_id === org.supervisorA.id)!;
    await submitEvaluation(ctx.deps, org.manager, mine.call_id!, rubric);
    clockTo(ctx, '2026-12-10T12:00:00Z');
    await run(ctx); // two new picks: the first to supervisorA (0 open), the second to either (1 open each)
    picks = await picksOf(ctx.deps, org.teamA);
    const newest = picks.slice(2);
    expect(newest).toHaveLength(2);
    expect(newest[0].supervisor_id).toBe(org.supervisorA.id);
    const progress = await planProgress(ctx.deps.db, [org.teamA], ctx.clock.now().toISOString());
    expect(progress.map((r) => [r.csr_id, r.planned_so_far, r.picked, r.done])).toEqual(
      expect.arrayContaining([
        [mine.csr_id, 2, 2, 1],
        [mine.csr_id === org.csrA.id ? org.csrA2.id : org.csrA.id, 2, 2, 0],
      ]),
    );
  });

  test("when a supervisor leaves the team their open picks go to the team's other supervisor", async () => {
    const second = await addSupervisor(ctx.deps, org.teamA);
    await planFor(ctx.deps, org.admin, org.teamA, { per_csr: 4 });
    for (const csr of [org.csrA, org.csrA2]) await insertCall(ctx.deps, csr, { startedAt: '2026-12-02T10:00:00.000Z' });
    clockTo(ctx, '2026-12-03T12:00:00Z');
    await run(ctx);
    await ctx.deps.db
      .deleteFrom('team_supervisors')
      .where('team_id', '=', org.teamA)
      .where('user_id', '=', second.id)
      .execute();
    clockTo(ctx, '2026-12-04T12:00:00Z');
    const [result] = await run(ctx);
    expect(result.reassigned).toBe(1);
    const picks = await picksOf(ctx.deps, org.teamA);
    expect(picks.map((p) => p.supervisor_id)).toEqual([org.supervisorA.id, org.supervisorA.id]);
  });

  test('a weekly plan picks N per CSR in each ISO week, with a new seed per week', async () => {
    let seeds = 0;
    const options = { newSeed: () => `week-seed-${(seeds += 1)}` };
    await planFor(ctx.deps, org.admin, org.teamA, { per_csr: 2, period: 'week' });
    for (let d = 1; d <= 20; d += 1) {
      await insertCall(ctx.deps, org.csrA, { startedAt: `2026-12-${String(d).padStart(2, '0')}T08:00:00.000Z` });
      clockTo(ctx, `2026-12-${String(d).padStart(2, '0')}T20:00:00Z`);
      await runSamplingTopUp(ctx.deps, options);
    }
    const picks = (await picksOf(ctx.deps, org.teamA)).filter((p) => p.csr_id === org.csrA.id);
    const periods = await ctx.deps.db.selectFrom('sampling_periods').select(['id', 'period_key', 'seed']).execute();
    const byPeriod = countBy(picks, (p) => periods.find((x) => x.id === p.period_id)!.period_key);
    // 1–6 Dec is the end of week 49 (from Monday 30 Nov); weeks 50 and 51 are whole; 20 Dec is a Sunday.
    expect(byPeriod).toEqual(
      new Map([
        ['2026-W49', 2],
        ['2026-W50', 2],
        ['2026-W51', 2],
      ]),
    );
    expect(new Set(periods.map((p) => p.seed)).size).toBe(periods.length);
  });

  test('a deleted call leaves its pick in the log, and the next run draws a replacement', async () => {
    await planFor(ctx.deps, org.admin, org.teamA, { per_csr: 1 });
    for (const hour of ['09', '10', '11']) {
      await insertCall(ctx.deps, org.csrA, { startedAt: `2026-12-02T${hour}:00:00.000Z` });
    }
    clockTo(ctx, '2026-12-03T12:00:00Z');
    await run(ctx);
    const [first] = await picksOf(ctx.deps, org.teamA);
    const call = await ctx.deps.db
      .selectFrom('calls')
      .selectAll()
      .where('id', '=', first.call_id!)
      .executeTakeFirstOrThrow();
    await deleteCall(ctx.deps, { id: org.admin.id, role: 'admin' }, call);
    clockTo(ctx, '2026-12-04T12:00:00Z');
    await run(ctx);
    const picks = await picksOf(ctx.deps, org.teamA);
    expect(picks.map((p) => [p.call_id === null, p.draw_index, p.candidate_count])).toEqual([
      [true, 0, 3],
      [false, 1, 2],
    ]);
  });

  test('a paused plan picks nothing', async () => {
    await planFor(ctx.deps, org.admin, org.teamA, { per_csr: 4, active: undefined });
    await insertCall(ctx.deps, org.csrA, { startedAt: '2026-12-02T10:00:00.000Z' });
    clockTo(ctx, '2026-12-20T12:00:00Z');
    expect(await run(ctx)).toEqual([]);
    expect(await picksOf(ctx.deps, org.teamA)).toEqual([]);
  });
});
