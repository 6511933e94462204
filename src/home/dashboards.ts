import { budgetStatus } from '../budget';
import type { DB } from '../db/database';
import { periodRange } from '../lib/periods';
import {
  csatPerTeam,
  csrFigures,
  emptySums,
  meanInterval,
  scoreSummary,
  scoreSummaryByTeam,
  scoreTrend,
  scoreTrendChart,
  serviceLevelByTeam,
  serviceLevelTotal,
  type ReportFilter,
} from '../reports';
import { getSettings, type Settings } from '../settings';
import { localDateOf, localDayStartText } from '../lib/date-range';
import { addDays } from '../lib/zones';
import { departmentsWithIds, teamsWithCoachingCounts } from './home.queries';

/** A local month of the center's time zone as a report filter. */
function monthFilter(
  teamIds: number[] | 'all',
  which: 'this_month' | 'last_month',
  now: Date,
  timeZone: string,
  agentId?: number,
): ReportFilter {
  const { from, to, fromDate, toDate } = periodRange(which, now, timeZone);
  return { from, to, fromDate, toDate, teamIds, agentId, group: 'week', timeZone };
}

/** Fewer scorecards than this in a month make an average that says more about chance than about the team. */
export const MONTH_MIN_SCORECARDS = 3;

/**
 * Supervisor: team average (with its 95% interval) and pass rate this month against last, the local dates the
 * month covers so far, and the CSRs who need help most.
 */
export async function supervisorFigures(db: DB, teamIds: number[] | 'all', now: Date) {
  const timeZone = (await getSettings(db)).time_zone;
  const thisMonth = monthFilter(teamIds, 'this_month', now, timeZone);
  const period = { fromDate: thisMonth.fromDate, toDate: localDateOf(now.getTime(), timeZone) };
  const [current, previous, csrs] = await Promise.all([
    scoreSummary(db, thisMonth, 'staff'),
    scoreSummary(db, monthFilter(teamIds, 'last_month', now, timeZone), 'staff'),
    csrFigures(db, { ...thisMonth, from: new Date(now.getTime() - 90 * 86_400_000).toISOString() }, 'staff'),
  ]);
  return {
    current,
    previous,
    period,
    minimum: MONTH_MIN_SCORECARDS,
    needHelp: csrs.filter((c) => (c.pass_rate ?? 1) < 1 || c.critical_fails > 0).slice(0, 5),
  };
}

/** Manager: one row per team with quality, service, customer and coaching figures for this month. */
export async function managerTeamRows(db: DB, teamIds: number[], now: Date, settings: Settings) {
  if (teamIds.length === 0) return [];
  // One grouped query per figure for all the teams, not one per team: the cost follows the page, not the team count.
  const filter = monthFilter(teamIds, 'this_month', now, settings.time_zone);
  const nowIso = now.toISOString();
  const [scores, service, csat, teams] = await Promise.all([
    scoreSummaryByTeam(db, filter, 'staff'),
    serviceLevelByTeam(db, filter, settings.service_level_threshold_s),
    csatPerTeam(db, filter),
    teamsWithCoachingCounts(db, teamIds, nowIso),
  ]);
  const byId = new Map(teams.map((t) => [t.id, t]));
  const noScores = { ...meanInterval(0, 0, 0), pass_rate: null, critical_fails: 0 };
  const noCalls = serviceLevelTotal(emptySums());
  return teamIds.flatMap((teamId) => {
    const team = byId.get(teamId);
    if (!team) return [];
    return [
      {
        teamId,
        name: team.name,
        department_id: team.department_id,
        csat: csat.get(teamId)?.csat ?? null,
        open_coaching: Number(team.open_coaching),
        overdue_coaching: Number(team.overdue_coaching),
        scores: scores.get(teamId) ?? noScores,
        service: service.get(teamId) ?? noCalls,
      },
    ];
  });
}

export async function departmentBudgets(db: DB, departmentIds: number[], now: Date) {
  const departments = await departmentsWithIds(db, departmentIds);
  return Promise.all(departments.map(async (d) => ({ name: d.name, id: d.id, ...(await budgetStatus(db, d, now)) })));
}

/** A CSR's own trend: released scorecards only, so nothing unreleased ever shows in a figure. */
export async function csrTrend(db: DB, agentId: number, now: Date) {
  const timeZone = (await getSettings(db)).time_zone;
  const toDate = localDateOf(now.getTime(), timeZone);
  const fromDate = addDays(toDate, -12 * 7);
  const filter: ReportFilter = {
    from: localDayStartText(fromDate, timeZone),
    to: localDayStartText(toDate, timeZone, 1),
    fromDate,
    toDate,
    teamIds: 'all',
    agentId,
    group: 'week',
    timeZone,
  };
  const trend = await scoreTrend(db, filter, 'csr');
  return { trend, chart: scoreTrendChart(trend) };
}
