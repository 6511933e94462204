import type { User } from '../../src/db/schema';
import type { FullRubric } from '../../src/rubrics/rubrics.queries';
import { makeTestApp, type TestContext } from '../helpers/app';
import { buildOrg, buildUser, type Org } from '../helpers/builders';
import { csrfFrom, postForm, signIn, type Agent } from '../helpers/http';
import { publishedRubric, workedExampleRubric } from '../helpers/scoring';
import { clockTo, insertCall, planFor } from './fixtures';

// The plan form (bad input is a 422 with a message beside each field and saves nothing), saving a plan
// (audited, topped up at once), and the plan page's progress and certainty figures on a known case.

let ctx: TestContext;
let org: Org;
let manager: Agent;
let rubric: FullRubric;

beforeAll(async () => {
  ctx = makeTestApp();
  org = await buildOrg(ctx.deps);
  rubric = await publishedRubric(ctx.deps, workedExampleRubric());
  // Before signing in: moving the clock by weeks would end the session.
  clockTo(ctx, '2026-12-16T12:00:00Z');
  manager = await signIn(ctx.app, org.manager.username);
});
afterAll(async () => ctx.close());

async function postPlan(teamId: number, fields: Record<string, unknown>) {
  return postForm(manager, `/sampling/teams/${teamId}/plan`, fields, `/sampling/teams/${teamId}/plan`);
}

/** The message shown beside a field (partials/field-error), or null. */
function fieldError(html: string, field: string): string | null {
  const match = new RegExp(`<small id="${field}-error" class="field-error">([^<]*)</small>`).exec(html);
  return match ? match[1] : null;
}

const countRows = async (table: 'sampling_plans' | 'sampling_periods' | 'sampling_picks') =>
  Number(
    (
      await ctx.deps.db
        .selectFrom(table)
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow()
    ).n,
  );

describe('the plan form', () => {
  test('offers 4 per month by default', async () => {
    const res = await manager.get(`/sampling/teams/${org.teamB}/plan`);
    expect(res.status).toBe(200);
    expect(res.text).toMatch(/id="per_csr"[^>]*value="4"/);
    expect(res.text).toMatch(/id="period-month"[^>]*checked/);
    expect(res.text).toMatch(/id="active"[^>]*checked/);
  });

  test.each([
    ['N of 0', { per_csr: '0' }, 'per_csr', 'At least 1 evaluation per CSR.'],
    ['N of -3', { per_csr: '-3' }, 'per_csr', 'At least 1 evaluation per CSR.'],
    ['N over 100', { per_csr: '101' }, 'per_csr', 'At most 100 evaluations per CSR.'],
    ['N of 2.5', { per_csr: '2.5' }, 'per_csr', 'Use a whole number of evaluations.'],
    ['N not a number', { per_csr: 'four' }, 'per_csr', 'Enter how many evaluations each CSR gets per period.'],
    ['no N', { per_csr: '' }, 'per_csr', 'Enter how many evaluations each CSR gets per period.'],
    ['an unknown period', { period: 'year' }, 'period', 'Choose week or month.'],
    ['no period', { period: undefined }, 'period', 'Choose week or month.'],
    ['a negative minimum length', { min_duration_s: '-5' }, 'min_duration_s', 'Minimum length cannot be negative.'],
    [
      'a minimum length in words',
      { min_duration_s: 'long' },
      'min_duration_s',
      'Minimum length must be a number of seconds.',
    ],
    ['an unknown direction', { direction: 'sideways' }, 'direction', 'Direction is inbound, outbound or any.'],
    ['a category too long', { category: 'x'.repeat(101) }, 'category', 'Category must be at most 100 characters.'],
  ])('%s is a 422 with the message beside the field, and nothing is saved', async (_name, change, field, message) => {
    const before = await Promise.all([
      countRows('sampling_plans'),
      countRows('sampling_periods'),
      countRows('sampling_picks'),
    ]);
    const audits = (await ctx.deps.db.selectFrom('audit_log').select('id').execute()).length;
    const fields: Record<string, unknown> = { per_csr: '4', period: 'month', active: 'on', ...change };
    if ('period' in change && change.period === undefined) delete fields.period;
    const res = await postPlan(org.teamB, fields);
    expect(res.status).toBe(422);
    expect(fieldError(res.text, field)).toBe(message);
    expect(res.text).toMatch(new RegExp(`id="${field === 'period' ? 'period-week' : field}"[^>]*aria-invalid="true"`));
    // The form comes back with what was typed.
    if (typeof change === 'object' && 'per_csr' in change && change.per_csr) {
      expect(res.text).toContain(`value="${change.per_csr}"`);
    }
    expect(
      await Promise.all([countRows('sampling_plans'), countRows('sampling_periods'), countRows('sampling_picks')]),
    ).toEqual(before);
    expect((await ctx.deps.db.selectFrom('audit_log').select('id').execute()).length).toBe(audits);
  });

  test('a valid plan is saved, audited and topped up at once; then the plan page shows it', async () => {
    for (let d = 1; d <= 15; d += 1) {
      await insertCall(ctx.deps, org.csrB, {
        startedAt: `2026-12-${String(d).padStart(2, '0')}T10:00:00.000Z`,
        category: d % 2 ? 'returns' : 'billing',
        durationS: 200,
      });
    }
    const res = await postPlan(org.teamB, {
      per_csr: '6',
      period: 'month',
      category: 'returns',
      min_duration_s: '90',
      direction: '',
      active: 'on',
    });
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe(`/sampling/teams/${org.teamB}`);
    const plan = await ctx.deps.db
      .selectFrom('sampling_plans')
      .selectAll()
      .where('team_id', '=', org.teamB)
      .executeTakeFirstOrThrow();
    expect(plan).toMatchObject({
      per_csr: 6,
      period: 'month',
      category: 'returns',
      min_duration_s: 90,
      direction: null,
      active: 1,
      created_by: org.manager.id,
    });
    const actions = await ctx.deps.db
      .selectFrom('audit_log')
      .select(['action', 'actor_id'])
      .where('entity_type', '=', 'sampling_plan')
      .where('entity_id', '=', plan.id)
      .orderBy('id')
      .execute();
    expect(actions).toEqual([
      { action: 'sampling.plan_created', actor_id: org.manager.id },
      { action: 'sampling.topped_up', actor_id: org.manager.id },
    ]);
    // Half of December gone by 16 Dec 12:00: ceil(6 × 15.5/31) = 3 picks, all of "returns" calls.
    const picks = await ctx.deps.db
      .selectFrom('sampling_picks')
      .innerJoin('calls', 'calls.id', 'sampling_picks.call_id')
      .select(['calls.category', 'sampling_picks.supervisor_id'])
      .where('sampling_picks.team_id', '=', org.teamB)
      .execute();
    expect(picks).toEqual(Array(3).fill({ category: 'returns', supervisor_id: org.supervisorB.id }));

    const page = await manager.get(res.headers.location);
    expect(page.status).toBe(200);
    expect(page.text).toContain('Sampling plan saved. 3 calls picked so far this period.');
    expect(page.text).toContain(
      '6 evaluations per CSR per month, from calls with a recording in category “returns” at least 1:30 long',
    );
    const picksPage = await manager.get(`/sampling/teams/${org.teamB}/picks`);
    expect(picksPage.status).toBe(200);
    expect(picksPage.text.match(/✓ matches/g)).toHaveLength(3);
    expect(picksPage.text).not.toContain('does not match');
    const seed = await ctx.deps.db
      .selectFrom('sampling_periods')
      .select('seed')
      .where('plan_id', '=', plan.id)
      .executeTakeFirstOrThrow();
    expect(picksPage.text).toContain(seed.seed);
  });

  test('editing keeps the picks made and changes only the plan', async () => {
    const res = await postPlan(org.teamB, { per_csr: '2', period: 'month' });
    expect(res.status).toBe(303);
    const plan = await ctx.deps.db
      .selectFrom('sampling_plans')
      .selectAll()
      .where('team_id', '=', org.teamB)
      .executeTakeFirstOrThrow();
    expect(plan).toMatchObject({ per_csr: 2, category: null, min_duration_s: null, active: 0 });
    expect(await countRows('sampling_picks')).toBe(3);
    const updated = await ctx.deps.db
      .selectFrom('audit_log')
      .select('details')
      .where('action', '=', 'sampling.plan_updated')
      .executeTakeFirstOrThrow();
    expect(JSON.parse(updated.details!)).toMatchObject({
      before: { per_csr: 6, category: 'returns' },
      after: { per_csr: 2 },
    });
    const form = await manager.get(`/sampling/teams/${org.teamB}/plan`);
    expect(form.text).toMatch(/id="per_csr"[^>]*value="2"/);
    expect(form.text).not.toMatch(/id="active"[^>]*checked/);
  });

  test('a request without the CSRF token is refused', async () => {
    const res = await manager
      .post(`/sampling/teams/${org.teamB}/plan`)
      .type('form')
      .send({ per_csr: '4', period: 'month' });
    expect(res.status).toBe(403);
    expect(await csrfFrom(manager, `/sampling/teams/${org.teamB}/plan`)).toBeTruthy();
  });
});

describe('the plan page on a known case', () => {
  let csrs: { steady: User; single: User; none: User };

  /** A submitted, released standard evaluation with this score, of a fresh call of the CSR's. */
  async function scored(csr: User, score: number | null, startedAt = '2026-12-05T10:00:00.000Z') {
    const callId = await insertCall(ctx.deps, csr, { startedAt, recording: null });
    const now = ctx.clock.now().toISOString();
    await ctx.deps.db
      .insertInto('evaluations')
      .values({
        call_id: callId,
        rubric_id: rubric.id,
        agent_id: csr.id,
        team_id: csr.team_id,
        evaluator_id: org.supervisorA.id,
        status: 'released',
        score,
        raw_score: score,
        passed: score === null ? null : score >= 75 ? 1 : 0,
        created_at: now,
        updated_at: now,
        submitted_at: now,
        released_at: now,
      })
      .execute();
  }

  beforeAll(async () => {
    const teamA = { team_id: org.teamA };
    csrs = {
      steady: await buildUser(ctx.deps, 'csr', { ...teamA, username: 'known.steady' }),
      single: await buildUser(ctx.deps, 'csr', { ...teamA, username: 'known.single' }),
      none: await buildUser(ctx.deps, 'csr', { ...teamA, username: 'known.none' }),
    };
    for (const score of [70, 80, 90]) await scored(csrs.steady, score);
    await scored(csrs.single, 60);
    // Not this period's: a November call, and an evaluation with no score (all N/A).
    await scored(csrs.steady, 10, '2026-11-20T10:00:00.000Z');
    await scored(csrs.steady, null);
    await planFor(ctx.deps, org.admin, org.teamA, { per_csr: 4 });
  });

  /** The cells of the certainty table's row for a CSR. */
  async function certaintyRow(user: User, query = ''): Promise<string[]> {
    const res = await manager.get(`/sampling/teams/${org.teamA}${query}`);
    expect(res.status).toBe(200);
    const table = res.text.slice(res.text.indexOf('id="certainty-heading"'));
    const row = new RegExp(`<tr>\\s*<td>${user.display_name}</td>([\\s\\S]*?)</tr>`).exec(table);
    if (!row) throw new Error(`no row for ${user.display_name}`);
    return [...row[1].matchAll(/<td class="num">([\s\S]*?)<\/td>/g)].map((m) =>
      m[1]
        .replace(/<[^>]+>/g, '')
        .replace(/\s+/g, ' ')
        .trim(),
    );
  }

  test('scores 70, 80, 90: average 80.0, interval 55.2–100.0 (±24.8), sd 10.0, 72 more for ±5', async () => {
    expect(await certaintyRow(csrs.steady)).toEqual(['3', '80.0%', '55.2–100.0 (±24.8)', '10.0', '72']);
  });

  test("one score: no interval yet, and the team's spread (60, 70, 80, 90) asks for 67 more", async () => {
    expect(await certaintyRow(csrs.single)).toEqual(['1', '60.0%', 'needs 2 scores', '—', '67 (team SD)']);
  });

  test('no scores: n/a, and 68 more', async () => {
    expect(await certaintyRow(csrs.none)).toEqual(['0', 'n/a', 'needs 2 scores', '—', '68 (team SD)']);
  });

  test('the progress table shows planned so far, planned in all, picked and done per CSR', async () => {
    const res = await manager.get(`/sampling/teams/${org.teamA}`);
    const progress = res.text.slice(
      res.text.indexOf('id="progress-heading"'),
      res.text.indexOf('id="certainty-heading"'),
    );
    // 16 Dec 12:00: ceil(4 × 15.5/31) = 2 planned; the known CSRs' calls have no recording, so none picked.
    const row = new RegExp(`<td>${csrs.steady.display_name}</td>([\\s\\S]*?)</tr>`).exec(progress)!;
    const cells = [...row[1].matchAll(/<td class="num">([\s\S]*?)<\/td>/g)].map((m) =>
      m[1]
        .replace(/<[^>]+>/g, '')
        .replace(/\s+/g, ' ')
        .trim(),
    );
    expect(cells).toEqual(['2', '4', '0 (too few calls)', '0 behind']);
  });

  test('an earlier period can be chosen, and one of another kind cannot', async () => {
    const res = await manager.get(`/sampling/teams/${org.teamA}?period=2026-11`);
    expect(res.status).toBe(200);
    expect(res.text).toContain('Progress, November 2026');
    // November has only the 10-point score of the steady CSR; all of it has gone by, so 4 are planned.
    expect(await certaintyRow(csrs.steady, '?period=2026-11')).toEqual([
      '1',
      '10.0%',
      'needs 2 scores',
      '—',
      '34 (assumed SD)',
    ]);
    expect(res.text).toMatch(/<td class="num">4<\/td>\s*<td class="num">4<\/td>/);
    expect((await manager.get(`/sampling/teams/${org.teamA}?period=2026-W45`)).status).toBe(404);
  });
});
