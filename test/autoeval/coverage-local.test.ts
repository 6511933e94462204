import request from 'supertest';
import { AutoEvaluationRunner } from '../../src/autoeval';
import { coverageReport, coverageSpans, type CoverageInput, type CoverageReport } from '../../src/autoeval/coverage';
import { localDayStartText } from '../../src/lib/date-range';
import type { FullRubric } from '../../src/rubrics';
import { makeTestApp, type TestContext } from '../helpers/app';
import { buildOrg, type Org } from '../helpers/builders';
import { rubricJson, section, yesNo } from '../helpers/scoring';
import {
  GREETING,
  MANAGER,
  as,
  callWithTranscript,
  greeted,
  itemId,
  notGreeted,
  publish,
  sendTranscript,
  tokensFor,
  type Tokens,
} from './fixtures';

// The coverage report over the center's local days (issue 16, Performance): over whole local days it reads the
// coverage roll-up (whole local weeks from week rows, the edge days from day rows), and it must give exactly the
// figures of the stored automatic answers (the oracle: the same period read row by row) in a zone that is not
// UTC, over the November clock change, for all teams, one team and one agent, after an automatic evaluation is
// replaced, after a call's agent changes, and after the zone changes. The human side (counted scorecards' answers
// on the same calls, from the human coverage roll-up) must agree the same way: a draft and the calls outside the
// period count for nothing, a scorecard submitted after its day was rolled up counts at once.

jest.setTimeout(120_000);

let ctx: TestContext;
let org: Org;
let tokens: Tokens;
let rubric: FullRubric;

const ZONE = 'America/New_York';
// Wed 21 Oct – Wed 18 Nov 2026 local: days 21–25 Oct, weeks of 26 Oct (clocks go back 1 Nov), 2 and 9 Nov,
// days 16–18 Nov.
const DAYS = { fromDay: '2026-10-21', toDay: '2026-11-19' };

/** Local wall-clock instants of New York, as UTC ISO text (EDT until 1 Nov 02:00, EST after). */
const CALLS: Array<{ at: string; who: 'csrA' | 'csrA2' | 'csrB'; lines: object[] | null }> = [
  { at: '2026-10-21T03:30:00Z', who: 'csrA', lines: greeted }, // 20 Oct 23:30 EDT: before the period
  { at: '2026-10-21T04:30:00Z', who: 'csrA', lines: notGreeted }, // 21 Oct 00:30 EDT: first day
  { at: '2026-10-25T23:00:00Z', who: 'csrB', lines: greeted }, // 25 Oct 19:00 EDT: last edge day
  { at: '2026-10-26T03:59:00Z', who: 'csrA2', lines: notGreeted }, // 25 Oct 23:59 EDT: last edge day
  { at: '2026-10-26T04:00:00Z', who: 'csrA', lines: greeted }, // 26 Oct 00:00 EDT: first week
  { at: '2026-11-01T04:30:00Z', who: 'csrA', lines: notGreeted }, // 1 Nov 00:30 EDT
  { at: '2026-11-01T05:30:00Z', who: 'csrB', lines: greeted }, // 1 Nov 01:30 EDT
  { at: '2026-11-01T06:30:00Z', who: 'csrB', lines: notGreeted }, // 1 Nov 01:30 EST (the hour again)
  { at: '2026-11-02T04:30:00Z', who: 'csrA2', lines: greeted }, // 1 Nov 23:30 EST: still the first week
  { at: '2026-11-02T05:00:00Z', who: 'csrA', lines: notGreeted }, // 2 Nov 00:00 EST: second week
  { at: '2026-11-10T15:00:00Z', who: 'csrA', lines: greeted },
  { at: '2026-11-10T16:00:00Z', who: 'csrA', lines: null }, // not analysed
  { at: '2026-11-16T04:30:00Z', who: 'csrB', lines: notGreeted }, // 15 Nov 23:30 EST: third week
  { at: '2026-11-16T05:30:00Z', who: 'csrA', lines: greeted }, // 16 Nov 00:30 EST: edge days after the weeks
  { at: '2026-11-19T04:30:00Z', who: 'csrA', lines: notGreeted }, // 18 Nov 23:30 EST: last day
  { at: '2026-11-19T05:00:00Z', who: 'csrB', lines: greeted }, // 19 Nov 00:00 EST: after the period
];

const callIds: number[] = [];

/** Human scorecards: [call index, greeted, manager asked for?, submitted]. */
const SCORED: Array<[number, 'yes' | 'no', 'yes' | 'no', boolean]> = [
  [0, 'yes', 'yes', true], // before the period
  [1, 'no', 'yes', true],
  [2, 'yes', 'no', true],
  [4, 'yes', 'yes', true],
  [6, 'no', 'no', true],
  [8, 'yes', 'yes', true],
  [9, 'no', 'yes', true],
  [10, 'yes', 'yes', false], // a draft: not counted
  [11, 'no', 'yes', true], // a call not analysed: its scorecard still counts on the human side
  [13, 'yes', 'no', true],
  [14, 'no', 'yes', true],
  [15, 'yes', 'yes', true], // after the period
];

async function score(index: number, greetedValue: string, manager: string, submit: boolean) {
  const token = CALLS[index]?.who === 'csrB' ? tokens.supervisorB : tokens.supervisorA;
  const res = await as(ctx, token).post('/api/v1/evaluations', {
    call_id: callIds[index],
    rubric_id: rubric.id,
    submit,
    answers: [
      { item_id: itemId(rubric, 'Greeted'), value: greetedValue },
      { item_id: itemId(rubric, 'No manager asked for'), value: manager },
      { item_id: itemId(rubric, 'Was kind'), value: 'yes' },
    ],
  });
  expect(res.status).toBe(201);
}

async function setZone(zone: string) {
  const res = await request(ctx.app)
    .patch('/api/v1/settings')
    .set('Authorization', `Bearer ${tokens.admin ?? ''}`)
    .send({ time_zone: zone });
  expect(res.status).toBe(200);
}

beforeAll(async () => {
  ctx = makeTestApp();
  org = await buildOrg(ctx.deps);
  tokens = await tokensFor(ctx, org, ['admin', 'supervisorA', 'supervisorB']);
  await setZone(ZONE);
  rubric = await publish(
    ctx,
    tokens.admin ?? '',
    rubricJson(
      [
        section('All', 1, [
          { ...yesNo('Greeted'), auto: GREETING } as never,
          { ...yesNo('No manager asked for'), auto: MANAGER } as never,
          yesNo('Was kind'),
        ]),
      ],
      { auto_mode: 'auto' } as never,
    ),
  );
  for (const call of CALLS) {
    const token = call.who === 'csrB' ? tokens.supervisorB : tokens.supervisorA;
    const id = await callWithTranscript(ctx, token ?? '', org[call.who].username, call.lines, {
      started_at: call.at,
    });
    callIds.push(id);
  }
  await new AutoEvaluationRunner().run(ctx.deps);
  for (const [index, greetedValue, manager, submit] of SCORED) await score(index, greetedValue, manager, submit);
});
afterAll(async () => ctx.close());

async function both(zone: string, scope: Pick<CoverageInput, 'teamIds' | 'agentId'>) {
  const input = {
    rubricId: rubric.id,
    from: localDayStartText(DAYS.fromDay, zone),
    to: localDayStartText(DAYS.toDay, zone),
    ...scope,
  };
  const rollup = await coverageReport(ctx.deps.db, { ...input, days: DAYS });
  const rows = await coverageReport(ctx.deps.db, { ...input, days: null });
  expect(rollup.source).toBe('rollup');
  expect(rows.source).toBe('rows');
  return { rollup, rows };
}

const withoutSource = (r: CoverageReport) => ({ ...r, source: undefined });

/** The roll-up's figures equal the oracle's for all teams, team A, and CSR A; returns the all-team report. */
async function agreeEverywhere(zone = ZONE): Promise<CoverageReport> {
  const all = await both(zone, { teamIds: 'all' });
  expect(withoutSource(all.rollup)).toEqual(withoutSource(all.rows));
  const teamA = await both(zone, { teamIds: [org.teamA] });
  expect(withoutSource(teamA.rollup)).toEqual(withoutSource(teamA.rows));
  const csrA = await both(zone, { teamIds: 'all', agentId: org.csrA.id });
  expect(withoutSource(csrA.rollup)).toEqual(withoutSource(csrA.rows));
  return all.rollup;
}

const greetedItem = (r: CoverageReport) => r.items.find((i) => i.prompt === 'Greeted');
const csr = (r: CoverageReport, id: number) => r.csrs.find((c) => c.id === id);

test('the period is read as edge days and whole local weeks, and the week rows exist', async () => {
  expect(coverageSpans(DAYS)).toEqual([
    { period: 'day', fromDay: '2026-10-21', toDay: '2026-10-26' },
    { period: 'week', fromDay: '2026-10-26', toDay: '2026-11-16' },
    { period: 'day', fromDay: '2026-11-16', toDay: '2026-11-19' },
  ]);
  await agreeEverywhere();
  const weeks = await ctx.deps.db
    .selectFrom('rollup_coverage')
    .select(['day', 'evaluated'])
    .where('period', '=', 'week')
    .where('rubric_id', '=', rubric.id)
    .execute();
  const perWeek = new Map<string, number>();
  for (const w of weeks) perWeek.set(w.day, (perWeek.get(w.day) ?? 0) + w.evaluated);
  // 26 Oct week: 00:00 26 Oct, three on 1 Nov (the 25-hour day), 23:30 1 Nov; 2 Nov week: 00:00 2 Nov;
  // 9 Nov week: 10 Nov (one of its two calls analysed) and 15 Nov 23:30.
  expect(perWeek.get('2026-10-26')).toBe(5);
  expect(perWeek.get('2026-11-02')).toBe(1);
  expect(perWeek.get('2026-11-09')).toBe(2);
});

test('all teams, one team, one agent: the roll-up equals the stored rows over local days across the clock change', async () => {
  const report = await agreeEverywhere();
  // 14 calls in the local period (not the 20 Oct 23:30 and 19 Nov 00:00 ones), 13 analysed.
  expect(report.calls).toBe(14);
  expect(report.analysed).toBe(13);
  expect(report.answered).toBe(13);
  // Not greeted: 21 Oct, 25 Oct 23:59, 1 Nov 00:30, 1 Nov 01:30 EST, 2 Nov, 15 Nov, 18 Nov.
  expect(greetedItem(report)?.auto).toMatchObject({ answered: 13, failed: 7 });
  expect(csr(report, org.csrA.id)?.analysed).toBe(7);
  expect(csr(report, org.csrB.id)?.analysed).toBe(4);
  // Scorecards in the period: calls 1, 2, 4, 6, 8, 9, 11, 13, 14; not greeted on 1, 6, 9, 11, 14.
  expect(greetedItem(report)?.human).toMatchObject({ answered: 9, failed: 5 });
  expect(report.items.find((i) => i.prompt === 'No manager asked for')?.human).toMatchObject({
    answered: 9,
    failed: 3,
  });
  expect(csr(report, org.csrB.id)?.items.find((i) => i.prompt === 'Greeted')?.human).toMatchObject({
    answered: 2,
    failed: 1,
  });
});

test('a scorecard submitted after its days were rolled up counts at once, on an edge day and in a week', async () => {
  await score(3, 'no', 'no', true); // 25 Oct 23:59 EDT, CSR A2: an edge day
  await score(5, 'no', 'yes', true); // 1 Nov 00:30 EDT, CSR A: the first week
  const report = await agreeEverywhere();
  expect(greetedItem(report)?.human).toMatchObject({ answered: 11, failed: 7 });
});

test('after an automatic evaluation is replaced (a new transcript), both paths move together', async () => {
  const firstWeekCall = callIds[4] ?? 0; // 26 Oct 00:00 EDT, greeted
  await sendTranscript(ctx, tokens.supervisorA ?? '', firstWeekCall, notGreeted);
  await new AutoEvaluationRunner().run(ctx.deps);
  const report = await agreeEverywhere();
  expect(greetedItem(report)?.auto).toMatchObject({ answered: 13, failed: 8 });
});

test("after a call's agent (and team) changes, both paths count it under its new agent", async () => {
  const moved = callIds[14] ?? 0; // 18 Nov 23:30 EST, CSR A: an edge day
  const movedInWeek = callIds[8] ?? 0; // 1 Nov 23:30 EST, CSR A2: the first week
  await ctx.deps.db
    .updateTable('calls')
    .set({ agent_id: org.csrB.id, team_id: org.teamB })
    .where('id', '=', moved)
    .execute();
  await ctx.deps.db.updateTable('calls').set({ agent_id: org.csrA.id }).where('id', '=', movedInWeek).execute();
  const report = await agreeEverywhere();
  expect(csr(report, org.csrA.id)?.analysed).toBe(7);
  expect(csr(report, org.csrB.id)?.analysed).toBe(5);
  expect(csr(report, org.csrA2.id)?.analysed).toBe(1);
});

test('after the zone changes the roll-up starts over in the new zone and still agrees', async () => {
  await setZone('Asia/Kolkata');
  await agreeEverywhere('Asia/Kolkata');
  await setZone(ZONE);
  await agreeEverywhere(ZONE);
});
