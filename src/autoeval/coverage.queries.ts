import type { Executor } from '../db/transaction';
import { scopedIds } from '../db/ids';

// The coverage report's reads: calls in the period, the automatic answers (from the daily sums when the period
// is whole UTC days, else from the stored answers), and the human scorecards' answers on the same items.

export interface CoverageScope {
  from: string;
  to: string;
  teamIds: number[] | 'all';
  agentId?: number;
}

/** Calls taken by an agent in the period and scope. */
export async function callCount(db: Executor, scope: CoverageScope): Promise<number> {
  const teams = scopedIds(scope.teamIds);
  let query = db
    .selectFrom('calls')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('started_at', '>=', scope.from)
    .where('started_at', '<', scope.to)
    .where('agent_id', 'is not', null);
  if (teams) query = query.where('team_id', 'in', teams);
  if (scope.agentId) query = query.where('agent_id', '=', scope.agentId);
  const row = await query.executeTakeFirst();
  return Number(row?.n ?? 0);
}

export interface CallSums {
  team_id: number;
  agent_id: number;
  evaluated: number;
  answered: number;
}

export interface ItemSums {
  team_id: number;
  agent_id: number;
  item_id: number;
  answered: number;
  failed: number;
}

/** The automatic evaluations' call counts per team and agent, from the daily sums of [fromDay, toDay). */
export async function callSumsByDay(
  db: Executor,
  rubricId: number,
  days: { fromDay: string; toDay: string },
  scope: CoverageScope,
): Promise<CallSums[]> {
  const teams = scopedIds(scope.teamIds);
  let query = db
    .selectFrom('auto_call_day')
    .select((eb) => [
      'team_id',
      'agent_id',
      eb.fn.sum<number>('evaluated').as('evaluated'),
      eb.fn.sum<number>('answered').as('answered'),
    ])
    .where('rubric_id', '=', rubricId)
    .where('day', '>=', days.fromDay)
    .where('day', '<', days.toDay)
    .groupBy(['team_id', 'agent_id']);
  if (teams) query = query.where('team_id', 'in', teams);
  if (scope.agentId) query = query.where('agent_id', '=', scope.agentId);
  return (await query.execute()).map((r) => ({ ...r, evaluated: Number(r.evaluated), answered: Number(r.answered) }));
}

/** The automatic answers per team, agent and item, from the daily sums of [fromDay, toDay). */
export async function itemSumsByDay(
  db: Executor,
  rubricId: number,
  days: { fromDay: string; toDay: string },
  scope: CoverageScope,
): Promise<ItemSums[]> {
  const teams = scopedIds(scope.teamIds);
  let query = db
    .selectFrom('auto_item_day')
    .select((eb) => [
      'team_id',
      'agent_id',
      'item_id',
      eb.fn.sum<number>('answered').as('answered'),
      eb.fn.sum<number>('failed').as('failed'),
    ])
    .where('rubric_id', '=', rubricId)
    .where('day', '>=', days.fromDay)
    .where('day', '<', days.toDay)
    .groupBy(['team_id', 'agent_id', 'item_id']);
  if (teams) query = query.where('team_id', 'in', teams);
  if (scope.agentId) query = query.where('agent_id', '=', scope.agentId);
  return (await query.execute()).map((r) => ({ ...r, answered: Number(r.answered), failed: Number(r.failed) }));
}

/** The same sums from the stored automatic evaluations of calls in [from, to) (periods not of whole days). */
export async function autoRowsInRange(db: Executor, rubricId: number, scope: CoverageScope) {
  const teams = scopedIds(scope.teamIds);
  let query = db
    .selectFrom('auto_evaluations as e')
    .innerJoin('calls as c', 'c.id', 'e.call_id')
    .leftJoin('auto_evaluation_answers as a', 'a.auto_evaluation_id', 'e.id')
    .select(['e.id', 'e.team_id', 'e.agent_id', 'e.answered as call_answered', 'a.item_id', 'a.failed'])
    .where('e.rubric_id', '=', rubricId)
    .where('c.started_at', '>=', scope.from)
    .where('c.started_at', '<', scope.to);
  if (teams) query = query.where('e.team_id', 'in', teams);
  if (scope.agentId) query = query.where('e.agent_id', '=', scope.agentId);
  return query.execute();
}

/** Answers of counted human scorecards by this rubric version on calls of the period. */
export async function humanAnswers(db: Executor, rubricId: number, scope: CoverageScope) {
  const teams = scopedIds(scope.teamIds);
  let query = db
    .selectFrom('evaluations as e')
    .innerJoin('calls as c', 'c.id', 'e.call_id')
    .innerJoin('evaluation_answers as a', 'a.evaluation_id', 'e.id')
    .select(['c.team_id', 'c.agent_id', 'a.item_id', 'a.value'])
    .where('e.rubric_id', '=', rubricId)
    .where('e.kind', '=', 'standard')
    .where('e.status', 'in', ['submitted', 'released', 'acknowledged'])
    .where('c.started_at', '>=', scope.from)
    .where('c.started_at', '<', scope.to);
  if (teams) query = query.where('c.team_id', 'in', teams);
  if (scope.agentId) query = query.where('c.agent_id', '=', scope.agentId);
  return query.execute();
}

/** Rubric versions a coverage report can be about: published or retired, auto-mode ones first. */
export async function coverageRubrics(db: Executor) {
  return db
    .selectFrom('rubrics')
    .select(['id', 'name', 'version', 'status', 'auto_mode'])
    .where('status', 'in', ['published', 'retired'])
    .orderBy('status', 'asc')
    .orderBy('name')
    .orderBy('version', 'desc')
    .execute();
}

export async function names(db: Executor, teamIds: number[], userIds: number[]) {
  const [teams, users] = await Promise.all([
    teamIds.length ? db.selectFrom('teams').select(['id', 'name']).where('id', 'in', teamIds).execute() : [],
    userIds.length
      ? db.selectFrom('users').select(['id', 'display_name', 'username']).where('id', 'in', userIds).execute()
      : [],
  ]);
  return { teams, users };
}
