import type { Insertable, Updateable } from 'kysely';
import type { DB } from '../db/database';
import type { CoachingStatus, CoachingTask, CoachingTasksTable } from '../db/schema';
import type { Executor } from '../db/transaction';
import { COACHING_ACTIVE, CSR_VISIBLE } from '../policy';
import { countRows, inTeams } from '../db/fragments';
import { keysetPage } from '../lib/pages';

export interface CoachingFilter {
  teamIds: number[] | 'all';
  csrId?: number;
  assigneeId?: number;
  statuses?: CoachingStatus[];
  overdueAt?: string;
  /** For a CSR: only tasks whose scorecard they can already see (silent monitoring). */
  releasedOnly?: boolean;
  beforeId?: number;
  limit: number;
}

export async function listCoachingTasks(db: DB, filter: CoachingFilter) {
  let query = db
    .selectFrom('coaching_tasks as t')
    .innerJoin('users as csr', 'csr.id', 't.csr_id')
    .leftJoin('users as assignee', 'assignee.id', 't.assignee_id')
    .leftJoin('evaluations as e', 'e.id', 't.evaluation_id')
    .leftJoin('rubrics', 'rubrics.id', 'e.rubric_id')
    .select([
      't.id',
      't.csr_id',
      't.assignee_id',
      't.team_id',
      't.evaluation_id',
      't.status',
      't.focus',
      't.due_at',
      't.scheduled_at',
      't.completed_at',
      't.acknowledged_at',
      't.created_at',
      't.cancel_note',
      'csr.display_name as csr_name',
      'csr.username as csr_username',
      'assignee.display_name as assignee_name',
      'e.score as evaluation_score',
      'rubrics.name as rubric_name',
    ])
    .orderBy('t.id', 'desc')
    .limit(filter.limit + 1);
  query = inTeams(query, 't.team_id', filter.teamIds);
  if (filter.csrId) query = query.where('t.csr_id', '=', filter.csrId);
  if (filter.assigneeId) query = query.where('t.assignee_id', '=', filter.assigneeId);
  if (filter.statuses) query = query.where('t.status', 'in', filter.statuses);
  if (filter.overdueAt) query = query.where('t.due_at', '<', filter.overdueAt).where('t.status', 'in', COACHING_ACTIVE);
  if (filter.releasedOnly) {
    query = query.where((eb) => eb.or([eb('t.evaluation_id', 'is', null), eb('e.status', 'in', CSR_VISIBLE)]));
  }
  if (filter.beforeId) query = query.where('t.id', '<', filter.beforeId);
  const rows = await query.execute();
  const { items, last } = keysetPage(rows, filter.limit);
  return { items, nextBeforeId: last?.id ?? null };
}

export async function countOverdue(db: DB, teamIds: number[] | 'all', now: string): Promise<number> {
  const overdue = db.selectFrom('coaching_tasks').where('due_at', '<', now).where('status', 'in', COACHING_ACTIVE);
  return countRows(inTeams(overdue, 'team_id', teamIds));
}

export async function findCoachingTask(db: Executor, id: number): Promise<CoachingTask | undefined> {
  return db.selectFrom('coaching_tasks').selectAll().where('id', '=', id).executeTakeFirst();
}

/** The task a scorecard opened, if any (one per evaluation). */
export async function taskOfEvaluation(db: Executor, evaluationId: number): Promise<CoachingTask | undefined> {
  return db.selectFrom('coaching_tasks').selectAll().where('evaluation_id', '=', evaluationId).executeTakeFirst();
}

/** The re-coaching tasks opened from this one. */
export async function childTasks(db: Executor, parentId: number) {
  return db.selectFrom('coaching_tasks').select(['id', 'status']).where('parent_task_id', '=', parentId).execute();
}

export async function insertCoachingTask(db: Executor, values: Insertable<CoachingTasksTable>): Promise<number> {
  const row = await db.insertInto('coaching_tasks').values(values).returning('id').executeTakeFirstOrThrow();
  return row.id;
}

export async function updateCoachingTask(
  db: Executor,
  id: number,
  values: Updateable<CoachingTasksTable>,
): Promise<void> {
  await db.updateTable('coaching_tasks').set(values).where('id', '=', id).execute();
}

/** The supervisors of a team, lowest id first. */
export async function teamSupervisorIds(db: Executor, teamId: number): Promise<number[]> {
  const rows = await db
    .selectFrom('team_supervisors')
    .select('user_id')
    .where('team_id', '=', teamId)
    .orderBy('user_id')
    .execute();
  return rows.map((r) => r.user_id);
}
