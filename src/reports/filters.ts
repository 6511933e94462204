import type { DB } from '../db/database';
import { NotFound } from '../lib/errors';
import { instantRange, localDateOf } from '../lib/date-range';
import { parseInput } from '../lib/validation';
import { canSeeUser, inTeamScope, isCsrPerson, teamScope, type Actor } from '../policy';
import { findUserByUsername } from '../users';
import { reportQuerySchema } from './reports.schemas';
import { scopedIds } from '../db/ids';
import { addDays, mondayOf } from '../lib/zones';
import { getSettings } from '../settings';

/** Which scorecards a figure may include: staff see submitted ones; a CSR only what was released to them. */
export type Audience = 'staff' | 'csr';

export interface ReportFilter {
  /** [from, to): UTC instants. */
  from: string;
  to: string;
  /** The first and last local day the range touches (bucket labels, file names). */
  fromDate: string;
  toDate: string;
  /** `from` and `to` as read from a query (a date or a date-time, else the default dates): links, answers. */
  fromParam?: string;
  toParam?: string;
  teamIds: number[] | 'all';
  teamId?: number;
  agentId?: number;
  agent?: string;
  group: 'day' | 'week';
  thresholdS?: number;
  /** The center's IANA time zone: days, weeks and intervals are local ones (DOMAIN.md, Time). */
  timeZone: string;
  /** Intraday service level: minutes per local interval (15, 30, 60), when asked for. */
  intervalMinutes?: 15 | 30 | 60;
  /** The `interval` asked for (API buckets), as given. */
  interval?: '15m' | '30m' | '60m' | 'day' | 'week';
}

/**
 * Reads a report's filters and narrows them to the actor's scope. `from`/`to` are dates (whole days, `to`
 * inclusive) or date-times with offset (`to` exclusive), read by lib/date-range.ts; the last 30 days by
 * default. A team or agent outside the scope is not found.
 */
export async function reportFilter(
  db: DB,
  actor: Actor,
  query: unknown,
  now: Date,
  defaultDays = 30,
): Promise<ReportFilter> {
  const input = parseInput(reportQuerySchema, query);
  const timeZone = (await getSettings(db)).time_zone;
  const { range, fromParam, toParam } = rangeOf(input, now, defaultDays, timeZone);
  const scope = await teamScope(db, actor);
  let teamIds: number[] | 'all' = scope.all ? 'all' : scope.teamIds;
  if (input.team_id) {
    if (!inTeamScope(scope, input.team_id)) throw new NotFound('No such team.');
    teamIds = [input.team_id];
  }
  let agentId: number | undefined;
  if (input.agent) {
    const user = await findUserByUsername(db, input.agent);
    if (!user || !isCsrPerson(user) || !(await canSeeUser(db, actor, user))) throw new NotFound('No such CSR.');
    agentId = user.id;
  }
  return {
    from: range.start,
    to: range.end,
    fromDate: localDateOf(Date.parse(range.start), timeZone),
    // The last instant of the half-open range names the last day it touches.
    toDate: localDateOf(Date.parse(range.end) - 1, timeZone),
    fromParam,
    toParam,
    teamIds,
    teamId: input.team_id,
    agentId,
    agent: input.agent,
    group: input.interval === 'day' || input.interval === 'week' ? input.interval : input.group,
    thresholdS: input.threshold_s,
    timeZone,
    intervalMinutes: INTERVAL_MINUTES[input.interval ?? ''],
    interval: input.interval,
  };
}

const INTERVAL_MINUTES: Record<string, 15 | 30 | 60> = { '15m': 15, '30m': 30, '60m': 60 };

/** The range a report covers: as given, else ending today (local) and `defaultDays` days long. */
function rangeOf(input: { from?: string; to?: string }, now: Date, defaultDays: number, timeZone: string) {
  const toParam = input.to ?? localDateOf(now.getTime(), timeZone);
  const defaultFrom = () => {
    const end = instantRange({ to: toParam }, timeZone).end ?? now.toISOString();
    return addDays(localDateOf(Date.parse(end) - 1, timeZone), 1 - defaultDays);
  };
  const fromParam = input.from ?? defaultFrom();
  const range = instantRange({ from: fromParam, to: toParam }, timeZone);
  return { range: { start: range.start ?? '', end: range.end ?? '' }, fromParam, toParam };
}

/** The teams a report is narrowed to, or null for all; an empty scope matches nothing (-1 is no team's id). */
export function teamFilterOf(filter: Pick<ReportFilter, 'teamIds'>): readonly number[] | null {
  return scopedIds(filter.teamIds);
}

/** Every bucket label from..to, so empty days or weeks show as gaps, not missing rows. */
export function bucketLabels(fromDate: string, toDate: string, group: 'day' | 'week'): string[] {
  // Local dates are calendar dates: stepping them needs no zone (a 23- or 25-hour day is still one label).
  const labels: string[] = [];
  for (
    let d = group === 'week' ? mondayOf(fromDate) : fromDate;
    d <= toDate && labels.length < 400;
    d = addDays(d, group === 'week' ? 7 : 1)
  ) {
    labels.push(d);
  }
  return labels;
}
