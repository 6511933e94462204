import { sql } from 'kysely';
import { localDayStartText } from '../../src/lib/date-range';
import type { ReportFilter } from '../../src/reports/filters';
import { rollupRangeOf } from '../../src/reports/rollups';
import { saveSettings } from '../../src/settings/settings.service';
import { csrFigures, scoreSummary, scoreTrend } from '../../src/reports';
import { evaluatorFigures, peopleFigures, scoreOverview } from '../../src/reports/quality';
import { makeTestApp, type TestContext } from '../helpers/app';
import { buildOrg, buildUser, type Org } from '../helpers/builders';
import { signIn } from '../helpers/http';
import { csvRows, insertCalls, tableAfter, tenPointRubric, textOf } from '../helpers/reports';

// The quality page reads its trend, summary and distribution from the daily scorecard roll-up (whole local days,
// staff view, no agent) or else in one statement from the scorecards (per bucket and band), and its per-CSR and
// per-evaluator figures in another (per CSR and evaluator pair): each must equal the figure read alone from the
// scorecards, which the other pages, the API and the CSV exports still use. Scores are halves, so the sums are
// exact whatever the order they are added in. On both engines.

let ctx: TestContext;
let org: Org;
let rubricId: number;
const cards: Array<{ score: number | null; status: string; kind: string; submitted: string | null }> = [];

const STATUSES = ['submitted', 'released', 'acknowledged', 'released', 'draft'] as const;

beforeAll(async () => {
  ctx = makeTestApp();
  org = await buildOrg(ctx.deps);
  const rubric = await tenPointRubric(ctx.deps);
  rubricId = rubric.id;
  const agents = [org.csrA, org.csrA2, org.csrB, org.otherCsr];
  const evaluators = [org.supervisorA, org.supervisorB, org.manager];
  const n = 240;
  const started = (i: number) => new Date(Date.UTC(2026, 8, 1) + i * 9 * 3_600_000).toISOString();
  const callIds = await insertCalls(
    ctx.deps,
    Array.from({ length: n }, (_, i) => ({ started_at: started(i), agent: agents[i % agents.length] })),
  );
  for (const [i, callId] of callIds.entries()) {
    const agent = agents[i % agents.length]!;
    const score = i % 17 === 0 ? null : ((i * 37) % 201) / 2; // 0 to 100 in halves, some all N/A
    const status = STATUSES[i % STATUSES.length]!;
    const kind = i % 13 === 0 ? 'calibration' : 'standard';
    const submitted = status === 'draft' ? null : new Date(Date.parse(started(i)) + 3_600_000).toISOString();
    cards.push({ score, status, kind, submitted });
    await ctx.deps.db
      .insertInto('evaluations')
      .values({
        call_id: callId,
        rubric_id: rubric.id,
        agent_id: agent.id,
        team_id: agent.team_id,
        evaluator_id: evaluators[(i * 7) % evaluators.length]!.id,
        kind,
        status,
        score,
        raw_score: score,
        passed: score === null ? null : score >= 75 ? 1 : 0,
        critical_failed: i % 23 === 0 ? 1 : 0,
        time_spent_s: (i % 9) * 30 + 5,
        created_at: started(i),
        updated_at: started(i),
        updated_by: org.supervisorA.id,
        submitted_at: submitted,
      })
      .execute();
  }
});
afterAll(async () => ctx.close());

function filter(group: 'week' | 'day', timeZone: string): ReportFilter {
  return {
    from: '2026-09-07T00:00:00.000Z',
    to: '2026-12-01T00:00:00.000Z',
    fromDate: '2026-09-07',
    toDate: '2026-11-30',
    teamIds: 'all',
    group,
    timeZone,
  };
}

const byId = <T extends { id: number }>(rows: T[]) => [...rows].sort((a, b) => a.id - b.id);

test.each([
  ['week', 'UTC'],
  ['day', 'America/New_York'],
] as const)('trend, summary and distribution by %s in %s equal each figure read alone', async (group, zone) => {
  const f = filter(group, zone);
  const overview = await scoreOverview(ctx.deps.db, f, 'staff');
  expect(overview.trend).toEqual(await scoreTrend(ctx.deps.db, f, 'staff'));
  expect(overview.summary).toEqual(await scoreSummary(ctx.deps.db, f, 'staff'));
  expect(overview.summary.n).toBeGreaterThan(50);
  expect(overview.trend.filter((t) => t.n > 0).length).toBeGreaterThan(group === 'week' ? 10 : 40);
  // Ten-point bands, 100 in the last; counted scorecards with a score only.
  const bands = overview.distribution.map((b) => b.value);
  expect(bands.reduce((a, b) => a + b, 0)).toBe(overview.summary.n);
  expect(bands.filter((v) => v > 0).length).toBe(10);
});

test('the distribution counts each band as counted here from the cards written', async () => {
  const f = filter('week', 'UTC');
  const { distribution } = await scoreOverview(ctx.deps.db, f, 'staff');
  const expected = Array.from({ length: 10 }, () => 0);
  for (const c of cards) {
    const counted = ['submitted', 'released', 'acknowledged'].includes(c.status) && c.kind === 'standard';
    if (!counted || c.score === null || !c.submitted || c.submitted < f.from || c.submitted >= f.to) continue;
    expected[Math.min(9, Math.floor(c.score / 10))]! += 1;
  }
  expect(distribution.map((b) => b.label)).toEqual([
    '0–9', '10–19', '20–29', '30–39', '40–49', '50–59', '60–69', '70–79', '80–89', '90–100',
  ]); // prettier-ignore
  expect(distribution.map((b) => b.value)).toEqual(expected);
});

test('per-CSR and per-evaluator figures equal csrFigures and evaluatorFigures', async () => {
  for (const f of [filter('week', 'UTC'), { ...filter('week', 'UTC'), teamIds: [org.teamA] }]) {
    const people = await peopleFigures(ctx.deps.db, f);
    expect(byId(people.csrs)).toEqual(byId(await csrFigures(ctx.deps.db, f, 'staff')));
    expect(people.evaluators).toEqual(await evaluatorFigures(ctx.deps.db, f));
    expect(people.csrs.length).toBeGreaterThan(0);
    expect(people.evaluators.evaluators.length).toBeGreaterThan(0);
  }
});

/** The same instants written so that no roll-up can answer them: the scorecards' path. */
const rawPath = (f: ReportFilter): ReportFilter => ({
  ...f,
  from: f.from.replace(/Z$/, '+00:00'),
  to: f.to.replace(/Z$/, '+00:00'),
});

/** Whole local days of the zone, 7 September to 30 November (New York changes its clocks on 1 November). */
function wholeDays(group: 'week' | 'day', timeZone: string, teamIds: ReportFilter['teamIds']): ReportFilter {
  return {
    from: localDayStartText('2026-09-07', timeZone),
    to: localDayStartText('2026-12-01', timeZone),
    fromDate: '2026-09-07',
    toDate: '2026-11-30',
    teamIds,
    group,
    timeZone,
  };
}

describe('from the daily roll-up', () => {
  afterAll(async () => {
    await saveSettings(ctx.deps, { id: org.admin.id, role: 'admin' }, { time_zone: 'UTC' });
  });

  test.each(['UTC', 'America/New_York', 'Asia/Kolkata'])(
    'whole local days in %s equal the sums from the scorecards, for all teams and for one',
    async (zone) => {
      await saveSettings(ctx.deps, { id: org.admin.id, role: 'admin' }, { time_zone: zone });
      for (const group of ['week', 'day'] as const) {
        for (const teams of ['all', [org.teamA]] as const) {
          const f = wholeDays(group, zone, teams === 'all' ? 'all' : [...teams]);
          expect(rollupRangeOf(f)).not.toBeNull();
          expect(rollupRangeOf(rawPath(f))).toBeNull();
          const overview = await scoreOverview(ctx.deps.db, f, 'staff');
          expect(overview).toEqual(await scoreOverview(ctx.deps.db, rawPath(f), 'staff'));
          expect(overview.trend).toEqual(await scoreTrend(ctx.deps.db, f, 'staff'));
          expect(overview.summary.n).toBeGreaterThan(teams === 'all' ? 50 : 10);
          expect(overview.summary.critical_fails).toBeGreaterThan(0);
        }
      }
    },
  );

  test('the roll-up is what is read: a band changed in it shows, and a rescored card makes its day stale', async () => {
    await saveSettings(ctx.deps, { id: org.admin.id, role: 'admin' }, { time_zone: 'UTC' });
    const f = wholeDays('week', 'UTC', 'all');
    const before = await scoreOverview(ctx.deps.db, f, 'staff');
    // Over every team the report reads the day's sums over the teams (rollup_score_total_day).
    await sql`update rollup_score_total_day set b3 = b3 + 1`.execute(ctx.deps.db);
    const shifted = await scoreOverview(ctx.deps.db, f, 'staff');
    expect(shifted.distribution[3]!.value).toBeGreaterThan(before.distribution[3]!.value);
    expect(shifted.summary).toEqual(before.summary);
    await sql`update rollup_score_total_day set b3 = b3 - 1`.execute(ctx.deps.db);
    // A counted scorecard in the range moved from its band to 100: the stale-day mark brings the roll-up along.
    const card = await ctx.deps.db
      .selectFrom('evaluations')
      .select(['id', 'score'])
      .where('kind', '=', 'standard')
      .where('status', '=', 'released')
      .where('score', '<', 50)
      .where('submitted_at', '>=', f.from)
      .where('submitted_at', '<', f.to)
      .orderBy('id')
      .executeTakeFirstOrThrow();
    await ctx.deps.db.updateTable('evaluations').set({ score: 100 }).where('id', '=', card.id).execute();
    try {
      const after = await scoreOverview(ctx.deps.db, f, 'staff');
      expect(after).toEqual(await scoreOverview(ctx.deps.db, rawPath(f), 'staff'));
      expect(after.distribution[9]!.value).toBe(before.distribution[9]!.value + 1);
      expect(after.summary.mean).toBeGreaterThan(before.summary.mean!);
    } finally {
      await ctx.deps.db.updateTable('evaluations').set({ score: card.score }).where('id', '=', card.id).execute();
    }
  });
});

test('the page lists the 50 CSRs with the lowest average, and says the CSV has every one', async () => {
  // 55 more CSRs of team A, one released scorecard each, scored 0.25 to 13.75: under every other CSR's average.
  const csrs: Awaited<ReturnType<typeof buildUser>>[] = [];
  for (let i = 0; i < 55; i += 1) csrs.push(await buildUser(ctx.deps, 'csr', { team_id: org.teamA }));
  const started = (i: number) => new Date(Date.UTC(2026, 10, 2, 9) + i * 60_000).toISOString();
  const callIds = await insertCalls(
    ctx.deps,
    csrs.map((agent, i) => ({ started_at: started(i), agent })),
  );
  await ctx.deps.db
    .insertInto('evaluations')
    .values(
      callIds.map((callId, i) => ({
        call_id: callId,
        rubric_id: rubricId,
        agent_id: csrs[i]!.id,
        team_id: org.teamA,
        evaluator_id: org.supervisorA.id,
        kind: 'standard',
        status: 'released',
        score: (i + 1) / 4,
        raw_score: (i + 1) / 4,
        passed: 0,
        time_spent_s: 60,
        created_at: started(i),
        updated_at: started(i),
        updated_by: org.supervisorA.id,
        submitted_at: started(i),
      })),
    )
    .execute();
  const page = await signIn(ctx.app, org.admin.username);
  const query = 'from=2026-09-07&to=2026-11-30';
  const res = await page.get(`/reports/quality?${query}`);
  expect(res.status).toBe(200);
  const shown = tableAfter(res.text, 'CSRs, lowest average first').slice(1);
  const all = csvRows((await page.get(`/reports/table/quality-csrs.csv?${query}`)).text).slice(1);
  expect(all.length).toBeGreaterThan(55);
  expect(shown.length).toBe(50);
  expect(shown.map((row) => row[0])).toEqual(csrs.slice(0, 50).map((c) => c.display_name));
  expect(textOf(res.text)).toContain(`The 50 lowest of ${all.length} CSRs; the CSV has all of them.`);
});

test('the customer page lists the 50 CSRs with the lowest CSAT, and says the CSV has every one', async () => {
  // 55 more CSRs of team A, one call each with a CSAT of 1: under every other CSR's average, tied among themselves
  // (ties are listed by CSR id, so the first 50 made are the ones shown).
  const csrs: Awaited<ReturnType<typeof buildUser>>[] = [];
  for (let i = 0; i < 55; i += 1) csrs.push(await buildUser(ctx.deps, 'csr', { team_id: org.teamA }));
  await insertCalls(
    ctx.deps,
    csrs.map((agent, i) => ({
      started_at: new Date(Date.UTC(2026, 10, 3, 9) + i * 60_000).toISOString(),
      agent,
      csat: 1,
    })),
  );
  const page = await signIn(ctx.app, org.admin.username);
  const query = 'from=2026-09-07&to=2026-11-30';
  const res = await page.get(`/reports/customers?${query}`);
  expect(res.status).toBe(200);
  const shown = tableAfter(res.text, 'CSAT per CSR (lowest first)').slice(1);
  const csv = await page.get(`/reports/table/customer-csrs.csv?${query}`);
  expect(csv.status).toBe(200);
  const all = csvRows(csv.text);
  expect(all[0]).toEqual(['csr', 'csat', 'calls']);
  expect(all.length - 1).toBeGreaterThanOrEqual(55);
  expect(shown.length).toBe(50);
  expect(shown.map((row) => row[0])).toEqual(csrs.slice(0, 50).map((c) => c.display_name));
  expect(all.slice(1, 56).map((row) => row[0])).toEqual(csrs.map((c) => c.display_name));
  expect(textOf(res.text)).toContain(`The 50 lowest of ${all.length - 1} CSRs; the CSV has all of them.`);
});
