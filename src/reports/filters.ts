import type { DB } from '../db/database';
import { NotFound } from '../lib/errors';
import { parseInput } from '../lib/validation';
import { canSeeUser, inTeamScope, isCsrPerson, teamScope, type Actor } from '../policy';
import { findUserByUsername } from '../users';
import { reportQuerySchema } from './reports.schemas';
import { scopedIds } from '../db/ids';

/** Which scorecards a figure may include: staff see submitted ones; a CSR only what was released to them. */
export type Audience = 'staff' | 'csr';

export interface ReportFilter {
  from: string;
  to: string;
  fromDate: string;
  toDate: string;
  teamIds: number[] | 'all';
  teamId?: number;
  agentId?: number;
  agent?: string;
  group: 'day' | 'week';
  thresholdS?: number;
}

function dayAfter(date: string): string {
  const d = new Date(`${date}T00:00:00.000Z`);
  d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString();
}

/**
 * Reads a report's filters (dates inclusive, UTC; the last 30 days by default) and narrows them to the
 * actor's scope. A team or agent outside the scope is not found.
 */
export async function reportFilter(
  db: DB,
  actor: Actor,
  query: unknown,
  now: Date,
  defaultDays = 30,
): Promise<ReportFilter> {
  const input = parseInput(reportQuerySchema, query);
  const toDate = input.to ?? now.toISOString().slice(0, 10);
  const fromDate =
    input.from ??
    new Date(Date.parse(`${toDate}T00:00:00Z`) - (defaultDays - 1) * 86_400_000).toISOString().slice(0, 10);
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
    from: `${fromDate}T00:00:00.000Z`,
    to: dayAfter(toDate),
    fromDate,
    toDate,
    teamIds,
    teamId: input.team_id,
    agentId,
    agent: input.agent,
    group: input.group,
    thresholdS: input.threshold_s,
  };
}

/** The teams a report is narrowed to, or null for all; an empty scope matches nothing (-1 is no team's id). */
export function teamFilterOf(filter: Pick<ReportFilter, 'teamIds'>): readonly number[] | null {
  return scopedIds(filter.teamIds);
}

/** Every bucket label from..to, so empty days or weeks show as gaps, not missing rows. */
export function bucketLabels(fromDate: string, toDate: string, group: 'day' | 'week'): string[] {
  const labels: string[] = [];
  const start = new Date(`${fromDate}T00:00:00Z`);
  if (group === 'week') start.setUTCDate(start.getUTCDate() - ((start.getUTCDay() + 6) % 7));
  const end = Date.parse(`${toDate}T00:00:00Z`);
  for (
    let d = start;
    d.getTime() <= end && labels.length < 400;
    d.setUTCDate(d.getUTCDate() + (group === 'week' ? 7 : 1))
  ) {
    labels.push(d.toISOString().slice(0, 10));
  }
  return labels;
}
