import { countRows } from '../db/fragments';
import type { Insertable } from 'kysely';
import type { DisputeItemsTable, DisputesTable, DisputeStatus } from '../db/schema';
import type { Executor } from '../db/transaction';
import type { ReviewerCandidates, TeamScope } from '../policy';
import { idsIn } from '../db/ids';

export async function findDispute(db: Executor, id: number) {
  return db.selectFrom('disputes').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function openDisputeOf(db: Executor, evaluationId: number) {
  return db
    .selectFrom('disputes')
    .selectAll()
    .where('evaluation_id', '=', evaluationId)
    .where('status', '=', 'open')
    .executeTakeFirst();
}

export async function countDisputes(db: Executor, evaluationId: number): Promise<number> {
  return countRows(db.selectFrom('disputes').where('evaluation_id', '=', evaluationId));
}

/** Items of the given disputes with their prompts, in rubric order. */
export async function itemsOfDisputes(db: Executor, disputeIds: number[]) {
  if (disputeIds.length === 0) return [];
  return db
    .selectFrom('dispute_items as d')
    .innerJoin('rubric_items as i', 'i.id', 'd.item_id')
    .innerJoin('rubric_sections as s', 's.id', 'i.section_id')
    .select([
      'd.dispute_id',
      'd.item_id',
      'd.value_before',
      'd.points_before',
      'd.max_points',
      'd.value_after',
      'd.points_after',
      'i.prompt',
      's.title as section',
    ])
    .where('d.dispute_id', 'in', disputeIds)
    .orderBy('s.position')
    .orderBy('i.position')
    .execute();
}

export type DisputeItemRow = Awaited<ReturnType<typeof itemsOfDisputes>>[number];

const DISPUTE_COLUMNS = [
  'd.id',
  'd.evaluation_id',
  'd.csr_id',
  'd.team_id',
  'd.evaluator_id',
  'd.assignee_id',
  'd.status',
  'd.reason',
  'd.score_before',
  'd.score_after',
  'd.opened_at',
  'd.resolved_at',
  'd.resolved_by',
  'd.resolution_reason',
] as const;

/** Disputes with the names of the people around them. */
function disputesWithNames(db: Executor) {
  return db
    .selectFrom('disputes as d')
    .innerJoin('users as csr', 'csr.id', 'd.csr_id')
    .innerJoin('users as evaluator', 'evaluator.id', 'd.evaluator_id')
    .leftJoin('users as assignee', 'assignee.id', 'd.assignee_id')
    .leftJoin('users as resolver', 'resolver.id', 'd.resolved_by')
    .innerJoin('evaluations as e', 'e.id', 'd.evaluation_id')
    .innerJoin('calls as c', 'c.id', 'e.call_id')
    .innerJoin('rubrics as r', 'r.id', 'e.rubric_id')
    .select([
      ...DISPUTE_COLUMNS,
      'csr.display_name as csr_name',
      'evaluator.display_name as evaluator_name',
      'assignee.display_name as assignee_name',
      'resolver.display_name as resolver_name',
      'c.external_id',
      'c.started_at as call_started_at',
      'r.name as rubric_name',
      'r.version as rubric_version',
      'e.score as current_score',
    ]);
}

export type DisputeRow = Awaited<ReturnType<ReturnType<typeof disputesWithNames>['execute']>>[number];

export async function disputeWithNames(db: Executor, id: number): Promise<DisputeRow | undefined> {
  return disputesWithNames(db).where('d.id', '=', id).executeTakeFirst();
}

export async function disputesOfEvaluation(db: Executor, evaluationId: number): Promise<DisputeRow[]> {
  return disputesWithNames(db).where('d.evaluation_id', '=', evaluationId).orderBy('d.id', 'desc').execute();
}

export interface DisputeListFilter {
  scope: TeamScope;
  /** Also disputes assigned to this person, whatever their team. */
  assigneeId?: number;
  statuses?: DisputeStatus[];
  /** Disputes opened in [openedFrom, openedBefore): UTC instants (lib/date-range.ts instantRange). */
  openedFrom?: string;
  openedBefore?: string;
  beforeId?: number;
  limit: number;
}

/** Disputes in scope (their teams', or assigned to the viewer), newest first (keyset on id). */
export async function listDisputes(db: Executor, filter: DisputeListFilter): Promise<DisputeRow[]> {
  let query = disputesWithNames(db).orderBy('d.id', 'desc').limit(filter.limit);
  if (!filter.scope.all) {
    const teamIds = idsIn(filter.scope.teamIds);
    const assigneeId = filter.assigneeId ?? -1;
    query = query.where((eb) => eb.or([eb('d.team_id', 'in', teamIds), eb('d.assignee_id', '=', assigneeId)]));
  }
  if (filter.statuses) query = query.where('d.status', 'in', filter.statuses);
  if (filter.openedFrom) query = query.where('d.opened_at', '>=', filter.openedFrom);
  if (filter.openedBefore) query = query.where('d.opened_at', '<', filter.openedBefore);
  if (filter.beforeId) query = query.where('d.id', '<', filter.beforeId);
  return query.execute();
}

/** Which of these scorecards have a dispute in review. */
export async function evaluationsInReview(db: Executor, evaluationIds: number[]): Promise<Set<number>> {
  if (evaluationIds.length === 0) return new Set();
  const rows = await db
    .selectFrom('disputes')
    .select('evaluation_id')
    .where('evaluation_id', 'in', evaluationIds)
    .where('status', '=', 'open')
    .execute();
  return new Set(rows.map((r) => r.evaluation_id));
}

/**
 * The people who could review a dispute of a scorecard of this team: its active supervisors, the
 * department's manager (when active) and the active admins, each list lowest id first. Who of them gets it is
 * decided in the policy room (disputeReviewer), which never picks the evaluator.
 */
export async function reviewerCandidates(db: Executor, teamId: number | null): Promise<ReviewerCandidates> {
  const supervisors = teamId
    ? await db
        .selectFrom('team_supervisors as ts')
        .innerJoin('users as u', 'u.id', 'ts.user_id')
        .select('u.id')
        .where('ts.team_id', '=', teamId)
        .where('u.active', '=', 1)
        .orderBy('u.id')
        .execute()
    : [];
  const department = teamId
    ? await db
        .selectFrom('teams')
        .innerJoin('departments', 'departments.id', 'teams.department_id')
        .innerJoin('users as m', 'm.id', 'departments.manager_id')
        .select('m.id')
        .where('teams.id', '=', teamId)
        .where('m.active', '=', 1)
        .executeTakeFirst()
    : undefined;
  const admins = await db
    .selectFrom('users')
    .select('id')
    .where('role', '=', 'admin')
    .where('active', '=', 1)
    .orderBy('id')
    .execute();
  return {
    supervisors: supervisors.map((s) => s.id),
    manager: department?.id ?? null,
    admins: admins.map((a) => a.id),
  };
}

export async function insertDispute(db: Executor, dispute: Insertable<DisputesTable>): Promise<number> {
  const row = await db.insertInto('disputes').values(dispute).returning('id').executeTakeFirstOrThrow();
  return row.id;
}

export async function insertDisputeItems(db: Executor, items: Array<Insertable<DisputeItemsTable>>): Promise<void> {
  await db.insertInto('dispute_items').values(items).execute();
}

/** The items a dispute is about. */
export async function disputedItemIds(db: Executor, disputeId: number): Promise<number[]> {
  const rows = await db.selectFrom('dispute_items').select('item_id').where('dispute_id', '=', disputeId).execute();
  return rows.map((r) => r.item_id);
}

/** Decides an open dispute; false when it was decided meanwhile. */
export async function decideOpenDispute(
  db: Executor,
  disputeId: number,
  decision: {
    status: 'upheld' | 'rescored';
    resolved_at: string;
    resolved_by: number;
    resolution_reason: string;
    score_after: number | null;
  },
): Promise<boolean> {
  const updated = await db
    .updateTable('disputes')
    .set(decision)
    .where('id', '=', disputeId)
    .where('status', '=', 'open')
    .executeTakeFirst();
  return Number(updated.numUpdatedRows) > 0;
}

/** The scorecard's score as it stands now (what an upheld dispute leaves it at). */
export async function currentScoreOf(db: Executor, evaluationId: number): Promise<number | null> {
  const evaluation = await db
    .selectFrom('evaluations')
    .select('score')
    .where('id', '=', evaluationId)
    .executeTakeFirstOrThrow();
  return evaluation.score;
}

/** Upheld: every disputed item keeps its answer. */
export async function keepItemAnswers(db: Executor, disputeId: number): Promise<void> {
  await db
    .updateTable('dispute_items')
    .set((eb) => ({ value_after: eb.ref('value_before'), points_after: eb.ref('points_before') }))
    .where('dispute_id', '=', disputeId)
    .execute();
}

export async function setItemAnswerAfter(
  db: Executor,
  disputeId: number,
  itemId: number,
  after: { value_after: string | null; points_after: number | null },
): Promise<void> {
  await db
    .updateTable('dispute_items')
    .set(after)
    .where('dispute_id', '=', disputeId)
    .where('item_id', '=', itemId)
    .execute();
}
