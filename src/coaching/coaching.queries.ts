import type { DB } from '../db/database';
import type { CoachingStatus } from '../db/schema';

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
  if (filter.teamIds !== 'all') query = query.where('t.team_id', 'in', filter.teamIds.length ? filter.teamIds : [-1]);
  if (filter.csrId) query = query.where('t.csr_id', '=', filter.csrId);
  if (filter.assigneeId) query = query.where('t.assignee_id', '=', filter.assigneeId);
  if (filter.statuses) query = query.where('t.status', 'in', filter.statuses);
  if (filter.overdueAt)
    query = query.where('t.due_at', '<', filter.overdueAt).where('t.status', 'in', ['open', 'scheduled']);
  if (filter.releasedOnly) {
    query = query.where((eb) =>
      eb.or([eb('t.evaluation_id', 'is', null), eb('e.status', 'in', ['released', 'acknowledged'])]),
    );
  }
  if (filter.beforeId) query = query.where('t.id', '<', filter.beforeId);
  const rows = await query.execute();
  const items = rows.slice(0, filter.limit);
  return { items, nextBeforeId: rows.length > filter.limit ? items.at(-1)!.id : null };
}

export async function countOverdue(db: DB, teamIds: number[] | 'all', now: string): Promise<number> {
  let query = db
    .selectFrom('coaching_tasks')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('due_at', '<', now)
    .where('status', 'in', ['open', 'scheduled']);
  if (teamIds !== 'all') query = query.where('team_id', 'in', teamIds.length ? teamIds : [-1]);
  return Number((await query.executeTakeFirstOrThrow()).n);
}
