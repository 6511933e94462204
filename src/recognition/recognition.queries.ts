import { inTeams } from '../db/fragments';
import type { Insertable } from 'kysely';
import type { AwardsTable } from '../db/schema';
import type { Executor } from '../db/transaction';
import type { DepartmentScope } from '../policy';
import { COUNTED_IN_FIGURES } from '../policy';
import { idsIn } from '../db/ids';

export interface PerformerRow {
  agent_id: number;
  name: string;
  team_id: number;
  team_name: string;
  average: number;
  evaluations: number;
}

/** Whose scorecards count for recognition: the teams, the submission period [from, to), the fewest scorecards. */
export interface PerformerPeriod {
  teamIds: number[] | 'all';
  from: string;
  to: string;
  minEvaluations: number;
}

/** Each active CSR's average score over counted scorecards submitted in [from, to), with at least `min` of them. */
export async function performerAverages(db: Executor, period: PerformerPeriod): Promise<PerformerRow[]> {
  const { teamIds, from, to, minEvaluations } = period;
  let query = db
    .selectFrom('evaluations as e')
    .innerJoin('users as u', 'u.id', 'e.agent_id')
    .innerJoin('teams as t', 't.id', 'u.team_id')
    .select((eb) => [
      'e.agent_id',
      'u.display_name as name',
      't.id as team_id',
      't.name as team_name',
      eb.fn.avg<number>('e.score').as('average'),
      eb.fn.count<number>('e.id').as('evaluations'),
    ])
    .where('e.kind', '=', 'standard')
    .where('e.status', 'in', COUNTED_IN_FIGURES)
    .where('e.score', 'is not', null)
    .where('e.submitted_at', '>=', from)
    .where('e.submitted_at', '<', to)
    .where('u.active', '=', 1)
    .groupBy(['e.agent_id', 'u.display_name', 't.id', 't.name'])
    .having((eb) => eb.fn.count('e.id'), '>=', minEvaluations);
  query = inTeams(query, 't.id', teamIds);
  return query.execute();
}

export async function departmentOptions(db: Executor, departments: DepartmentScope) {
  let query = db.selectFrom('departments').select(['id', 'name']).orderBy('name');
  if (departments !== 'all') query = query.where('id', 'in', idsIn(departments));
  return query.execute();
}

/** How many of these people are CSRs of the department (an award goes to a department's own CSRs only). */
export async function countDepartmentCsrs(db: Executor, userIds: number[], departmentId: number): Promise<number> {
  const rows = await db
    .selectFrom('users')
    .innerJoin('teams', 'teams.id', 'users.team_id')
    .select('users.id')
    .where('users.id', 'in', userIds)
    .where('users.role', '=', 'csr')
    .where('teams.department_id', '=', departmentId)
    .execute();
  return rows.length;
}

export async function awardByIdempotencyKey(db: Executor, key: string) {
  return db.selectFrom('awards').select(['id', 'total_cents']).where('idempotency_key', '=', key).executeTakeFirst();
}

export async function insertAward(
  db: Executor,
  values: Insertable<AwardsTable>,
  recipients: number[],
): Promise<number> {
  const award = await db.insertInto('awards').values(values).returning('id').executeTakeFirstOrThrow();
  await db
    .insertInto('award_recipients')
    .values(recipients.map((csr_id) => ({ award_id: award.id, csr_id })))
    .execute();
  return award.id;
}

export async function awardsOf(db: Executor, csrId: number) {
  return db
    .selectFrom('award_recipients as r')
    .innerJoin('awards as a', 'a.id', 'r.award_id')
    .select(['a.id', 'a.title', 'a.note', 'a.amount_cents', 'a.created_at'])
    .where('r.csr_id', '=', csrId)
    .orderBy('a.id', 'desc')
    .execute();
}
