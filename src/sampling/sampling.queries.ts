import { inTeams } from '../db/fragments';
import { sql, type RawBuilder } from 'kysely';
import type { DB } from '../db/database';
import type { SamplingPlan } from '../db/schema/sampling';
import type { PlanInput } from './sampling.schemas';

/** True when an evaluation of the call has been submitted (by anyone, standard scoring only). */
export function callDone(callRef: string): RawBuilder<boolean> {
  return sql<boolean>`exists (select 1 from evaluations done_e where done_e.call_id = ${sql.ref(callRef)}
    and done_e.kind = 'standard' and done_e.submitted_at is not null)`;
}

/** `callDone` as 1 or 0, to select or sum on both engines (PostgreSQL has no sum(boolean)). */
export function callDoneFlag(callRef: string): RawBuilder<number> {
  return sql<number>`case when ${callDone(callRef)} then 1 else 0 end`;
}

export async function findPlanByTeam(db: DB, teamId: number): Promise<SamplingPlan | undefined> {
  return db.selectFrom('sampling_plans').selectAll().where('team_id', '=', teamId).executeTakeFirst();
}

export async function findPlan(db: DB, id: number): Promise<SamplingPlan | undefined> {
  return db.selectFrom('sampling_plans').selectAll().where('id', '=', id).executeTakeFirst();
}

export type PlanWithTeam = SamplingPlan & { team_name: string };

/** Plans of the given teams with their team's name; active ones only unless asked. */
export async function plansOf(db: DB, teamIds: number[] | 'all', activeOnly = true): Promise<PlanWithTeam[]> {
  let query = db
    .selectFrom('sampling_plans')
    .innerJoin('teams', 'teams.id', 'sampling_plans.team_id')
    .selectAll('sampling_plans')
    .select('teams.name as team_name')
    .orderBy('teams.name')
    .orderBy('sampling_plans.id');
  query = inTeams(query, 'sampling_plans.team_id', teamIds);
  if (activeOnly) query = query.where('sampling_plans.active', '=', 1);
  return query.execute();
}

function planColumns(input: PlanInput) {
  return {
    per_csr: input.per_csr,
    period: input.period,
    category: input.category,
    min_duration_s: input.min_duration_s,
    direction: input.direction,
    risk_share_pct: input.risk_share_pct,
    active: input.active ? 1 : 0,
  };
}

export async function insertPlan(db: DB, teamId: number, input: PlanInput, actorId: number, now: string) {
  const row = await db
    .insertInto('sampling_plans')
    .values({
      team_id: teamId,
      ...planColumns(input),
      created_by: actorId,
      created_at: now,
      updated_by: actorId,
      updated_at: now,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export async function updatePlan(db: DB, planId: number, input: PlanInput, actorId: number, now: string) {
  await db
    .updateTable('sampling_plans')
    .set({ ...planColumns(input), updated_by: actorId, updated_at: now })
    .where('id', '=', planId)
    .execute();
}

/** The periods of a plan that have a seed, newest first. */
export async function periodsOf(db: DB, planId: number) {
  return db
    .selectFrom('sampling_periods')
    .selectAll()
    .where('plan_id', '=', planId)
    .orderBy('starts_at', 'desc')
    .execute();
}

export async function findPeriod(db: DB, planId: number, periodKey: string) {
  return db
    .selectFrom('sampling_periods')
    .selectAll()
    .where('plan_id', '=', planId)
    .where('period_key', '=', periodKey)
    .executeTakeFirst();
}

/** Every pick of a period with what an audit needs: seed, draw index, candidate count, position, digest. */
export async function picksOfPeriod(db: DB, periodId: number) {
  return db
    .selectFrom('sampling_picks as p')
    .innerJoin('users as csr', 'csr.id', 'p.csr_id')
    .leftJoin('users as sup', 'sup.id', 'p.supervisor_id')
    .leftJoin('calls', 'calls.id', 'p.call_id')
    .select([
      'p.id',
      'p.csr_id',
      'p.call_id',
      'p.seed',
      'p.draw_index',
      'p.candidate_count',
      'p.position',
      'p.candidates_sha256',
      'p.risk_based',
      'p.picked_at',
      'p.due_at',
      'csr.display_name as csr_name',
      'sup.display_name as supervisor_name',
      'calls.external_id',
      'calls.started_at',
      'calls.category',
      'calls.duration_s',
      callDoneFlag('p.call_id').as('done'),
    ])
    .where('p.period_id', '=', periodId)
    .orderBy('p.picked_at')
    .orderBy('p.id')
    .execute();
}

export type PickRow = Awaited<ReturnType<typeof picksOfPeriod>>[number];

/**
 * The supervisor's picks still waiting for a submitted evaluation, soonest due first. Only picks of teams
 * they still see: a pick left behind in a team they no longer supervise is reassigned by the next top-up.
 */
export async function assignedPicks(db: DB, supervisorId: number, teamIds: number[] | 'all', now: string, limit = 50) {
  let query = db
    .selectFrom('sampling_picks as p')
    .innerJoin('calls', 'calls.id', 'p.call_id')
    .innerJoin('users as csr', 'csr.id', 'p.csr_id')
    .innerJoin('teams', 'teams.id', 'p.team_id')
    .select([
      'p.id',
      'p.due_at',
      'calls.id as call_id',
      'calls.external_id',
      'calls.started_at',
      'calls.category',
      'calls.duration_s',
      'csr.display_name as csr_name',
      'teams.name as team_name',
      sql<
        number | null
      >`(select d.id from evaluations d where d.call_id = p.call_id and d.evaluator_id = p.supervisor_id
        and d.status = 'draft' and d.kind = 'standard' order by d.id limit 1)`.as('draft_id'),
    ])
    .where('p.supervisor_id', '=', supervisorId)
    .where(sql<boolean>`not ${callDone('p.call_id')}`)
    .orderBy('p.due_at')
    .orderBy('calls.started_at')
    .limit(limit);
  query = inTeams(query, 'p.team_id', teamIds);
  const rows = await query.execute();
  return rows.map((row) => ({ ...row, overdue: row.due_at < now }));
}

export type AssignedPick = Awaited<ReturnType<typeof assignedPicks>>[number];

/** Categories the team's calls use, for the plan form's suggestions. */
export async function teamCategories(db: DB, teamId: number): Promise<string[]> {
  const rows = await db
    .selectFrom('calls')
    .select('category')
    .distinct()
    .where('team_id', '=', teamId)
    .where('category', 'is not', null)
    .orderBy('category')
    .limit(200)
    .execute();
  return rows.flatMap((r) => (r.category === null ? [] : [r.category]));
}

/** Teams in scope with their department and plan (if any), for the sampling overview. */
export async function teamsWithPlans(db: DB, teamIds: number[] | 'all') {
  let query = db
    .selectFrom('teams')
    .innerJoin('departments', 'departments.id', 'teams.department_id')
    .leftJoin('sampling_plans as plan', 'plan.team_id', 'teams.id')
    .select([
      'teams.id as team_id',
      'teams.name as team_name',
      'departments.name as department_name',
      'plan.id as plan_id',
      'plan.per_csr',
      'plan.period',
      'plan.category',
      'plan.min_duration_s',
      'plan.direction',
      'plan.active',
    ])
    .orderBy('departments.name')
    .orderBy('teams.name');
  query = inTeams(query, 'teams.id', teamIds);
  return query.execute();
}
