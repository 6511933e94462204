import { localDayStartText } from '../../src/lib/date-range';
import type { ReportFilter } from '../../src/reports/filters';
import { intradayAndForecast } from '../../src/reports/intraday-page';
import { getSettings } from '../../src/settings/settings.service';
import { makeTestApp, type TestContext } from '../helpers/app';
import { buildOrg } from '../helpers/builders';
import { insertCalls } from '../helpers/reports';
import { statementsDuring } from '../helpers/statements';

// How many times the service level page reads the slot roll-up for its intraday report and forecast: once when
// their ranges meet (test/reports/intraday-page.test.ts shows the figures are the same either way), else twice.

let ctx: TestContext;
const NOW = new Date('2026-11-25T15:00:00Z');

beforeAll(async () => {
  ctx = makeTestApp();
  const org = await buildOrg(ctx.deps);
  await insertCalls(ctx.deps, [
    { started_at: '2026-11-02T14:07:00Z', team_id: org.teamA, agent: org.csrA, queue_wait_s: 12 },
    { started_at: '2026-07-02T14:07:00Z', team_id: org.teamA, agent: org.csrA, queue_wait_s: 12 },
  ]);
});
afterAll(async () => ctx.close());

const filterOf = (fromDate: string, toDate: string): ReportFilter => ({
  from: localDayStartText(fromDate, 'UTC'),
  to: localDayStartText(toDate, 'UTC'),
  fromDate,
  toDate,
  teamIds: 'all',
  group: 'day',
  timeZone: 'UTC',
  intervalMinutes: 30,
});

async function slotReads(filter: ReportFilter): Promise<number> {
  const settings = await getSettings(ctx.deps.db);
  const seen = await statementsDuring(ctx, () => intradayAndForecast(ctx.deps.db, filter, 30, settings, NOW));
  return seen.filter((text) => /^select .* as "minute_of_week", .* from "rollup_call_slot_total"/.test(text)).length;
}

test('the last 90 days and the forecast weeks: one read of the slot roll-up', async () => {
  expect(await slotReads(filterOf('2026-08-28', '2026-11-26'))).toBe(1);
});

test('a range far from the forecast weeks: a read for each', async () => {
  expect(await slotReads(filterOf('2026-06-01', '2026-07-15'))).toBe(2);
});
