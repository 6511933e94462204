import { budgetStatus, periodKey } from '../../src/budget';
import { createManualTask } from '../../src/coaching/coaching.service';
import { periodAt, periodFromKey, periodLabel } from '../../src/sampling/period';
import { makeTestApp, type TestContext } from '../helpers/app';
import { buildOrg, type Org } from '../helpers/builders';
import { api, makeCall, publishedRubric, tokenFor, workedExampleRubric, type Api } from '../helpers/scoring';
import { failingAnswers } from '../disputes/fixtures';

// Budget periods, sampling periods, release after N days and coaching/training due dates follow the center's
// zone (DOMAIN.md, Time): 23:59 and 00:00 local fall in different periods in New York and in Kolkata (a
// half-hour offset), and "N days later" is N local days across a clock change (a 23-hour day is a day).

const at = (iso: string) => new Date(iso);

describe('budget periods are local months, quarters and years', () => {
  test.each([
    // 23:59 on 31 March in New York (EDT, UTC−4) is 03:59 on 1 April in UTC: still March, still Q1.
    ['2026-04-01T03:59:00Z', 'America/New_York', 'month', '2026-03'],
    ['2026-04-01T03:59:00Z', 'America/New_York', 'quarter', '2026-Q1'],
    ['2026-04-01T04:00:00Z', 'America/New_York', 'quarter', '2026-Q2'],
    ['2027-01-01T04:59:00Z', 'America/New_York', 'year', '2026'],
    ['2027-01-01T05:00:00Z', 'America/New_York', 'year', '2027'],
    // Midnight on 1 April in Kolkata (UTC+05:30) is 18:30 on 31 March in UTC: already April.
    ['2026-03-31T18:29:00Z', 'Asia/Kolkata', 'month', '2026-03'],
    ['2026-03-31T18:30:00Z', 'Asia/Kolkata', 'month', '2026-04'],
    ['2026-03-31T18:30:00Z', 'Asia/Kolkata', 'quarter', '2026-Q2'],
  ] as const)('%s in %s: the %s is %s', (instant, zone, period, key) => {
    expect(periodKey(at(instant), period, zone)).toBe(key);
  });
});

describe('sampling periods are local months and Monday weeks', () => {
  test('a New York month starts at local midnight and holds the 25-hour day of November', () => {
    const november = periodAt('month', at('2026-12-01T04:59:00Z'), 'America/New_York');
    expect(november.key).toBe('2026-11');
    expect(november.start.toISOString()).toBe('2026-11-01T04:00:00.000Z'); // EDT midnight
    expect(november.end.toISOString()).toBe('2026-12-01T05:00:00.000Z'); // EST midnight
    expect(periodAt('month', at('2026-12-01T05:00:00Z'), 'America/New_York').key).toBe('2026-12');
  });

  test('the week with the March clock change is 167 hours, Monday to Monday local', () => {
    const week = periodAt('week', at('2026-03-08T12:00:00Z'), 'America/New_York');
    expect(week.key).toBe('2026-W10');
    expect(week.start.toISOString()).toBe('2026-03-02T05:00:00.000Z');
    expect(week.end.toISOString()).toBe('2026-03-09T04:00:00.000Z');
    expect((week.end.getTime() - week.start.getTime()) / 3_600_000).toBe(167);
    expect(periodLabel(week, 'America/New_York')).toBe('Week 10 of 2026 (Mar 2 – Mar 8)');
  });

  test('Kolkata: 23:59 on Sunday is that week, 00:00 on Monday the next; keys name the local periods', () => {
    expect(periodAt('week', at('2026-11-29T18:29:00Z'), 'Asia/Kolkata').key).toBe('2026-W48');
    expect(periodAt('week', at('2026-11-29T18:30:00Z'), 'Asia/Kolkata').key).toBe('2026-W49');
    expect(periodFromKey('2026-W49', 'Asia/Kolkata')?.start.toISOString()).toBe('2026-11-29T18:30:00.000Z');
    expect(periodFromKey('2026-12', 'Asia/Kolkata')?.end.toISOString()).toBe('2026-12-31T18:30:00.000Z');
  });
});

describe('through the app, with the zone set on the settings', () => {
  let ctx: TestContext;
  let org: Org;
  let admin: Api;

  beforeEach(async () => {
    ctx = makeTestApp();
    org = await buildOrg(ctx.deps);
    admin = api(ctx.app, await tokenFor(ctx.deps, org.admin));
  });
  afterEach(async () => ctx.close());

  async function setSettings(body: Record<string, unknown>) {
    const res = await admin.patch('/api/v1/settings', body);
    expect(res.status).toBe(200);
  }

  async function moveClockTo(iso: string) {
    ctx.clock.advance(Date.parse(iso) - ctx.clock.now().getTime());
  }

  test('the budget status reads the local month of the center', async () => {
    const department = { id: org.departmentId, budget_cents: 100_000, budget_period: 'month' as const };
    expect((await budgetStatus(ctx.deps.db, department, at('2027-04-01T03:59:00Z'))).period_key).toBe('2027-04');
    await setSettings({ time_zone: 'America/New_York' });
    const status = await budgetStatus(ctx.deps.db, department, at('2027-04-01T03:59:00Z'));
    expect(status).toMatchObject({ period_key: '2027-03', period_label: 'March 2027' });
  });

  test('release after 1 day and coaching due in 1 day are the same local time the next day, over the spring change', async () => {
    await setSettings({ time_zone: 'America/New_York', coaching_due_days: 1 });
    // Noon EST on Saturday 13 March 2027; the clocks go forward that night, so noon on Sunday is 23 hours later.
    await moveClockTo('2027-03-13T17:00:00Z');
    const rubric = await publishedRubric(
      ctx.deps,
      workedExampleRubric({ release_mode: 'after_days', release_after_days: 1 }),
    );
    const call = await makeCall(ctx.deps, org.admin, org.csrA);
    const scorer = api(ctx.app, await tokenFor(ctx.deps, org.supervisorA));
    const res = await scorer.post('/api/v1/evaluations', {
      call_id: call.id,
      rubric_id: rubric.id,
      answers: failingAnswers(rubric),
      submit: true,
    });
    expect(res.status).toBe(201);
    const evaluation = await ctx.deps.db
      .selectFrom('evaluations')
      .select('release_due_at')
      .where('id', '=', res.body.id as number)
      .executeTakeFirstOrThrow();
    expect(evaluation.release_due_at).toBe('2027-03-14T16:00:00.000Z');
    const task = await ctx.deps.db
      .selectFrom('coaching_tasks')
      .select('due_at')
      .where('evaluation_id', '=', res.body.id as number)
      .executeTakeFirstOrThrow();
    expect(task.due_at).toBe('2027-03-14T16:00:00.000Z');
  });

  test('a coaching task due on a day is due by the end of that day in Kolkata', async () => {
    await setSettings({ time_zone: 'Asia/Kolkata' });
    const supervisor = { id: org.supervisorA.id, role: 'supervisor' as const };
    const id = await createManualTask(ctx.deps, supervisor, {
      csr_id: org.csrA.id,
      focus: 'Hold etiquette',
      due_at: '2026-12-20',
    });
    const task = await ctx.deps.db
      .selectFrom('coaching_tasks')
      .select('due_at')
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    expect(task.due_at).toBe('2026-12-20T18:29:59.999Z');
  });

  test('a training booking due on a day is due by the end of that day in New York', async () => {
    await setSettings({ time_zone: 'America/New_York' });
    const manager = api(ctx.app, await tokenFor(ctx.deps, org.manager));
    const course = await manager.post('/api/v1/training/courses', { title: 'De-escalation', cost_cents: 1000 });
    expect(course.status).toBe(201);
    const booking = await manager.post('/api/v1/training/bookings', {
      course_id: course.body.id,
      agents: [org.csrA.username],
      due_at: '2026-12-20',
    });
    expect(booking.status).toBe(201);
    const row = await ctx.deps.db
      .selectFrom('training_bookings')
      .select('due_at')
      .where('id', '=', booking.body.id as number)
      .executeTakeFirstOrThrow();
    expect(row.due_at).toBe('2026-12-21T04:59:59.999Z');
  });
});
