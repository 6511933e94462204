import { sql } from 'kysely';
import type { DB } from '../db/database';
import type { SamplingPeriodRow, SamplingPicksTable, SamplingPlan } from '../db/schema/sampling';
import type { Period } from './period';
import { callDone } from './sampling.queries';
import { idsIn } from '../db/ids';
import { anyRisk, type RiskLimits } from '../risk';

/** The plan's seed row for the period, created with `seed` the first time the period is sampled. */
export async function ensurePeriod(
  db: DB,
  planId: number,
  period: Period,
  seed: string,
  now: string,
): Promise<SamplingPeriodRow> {
  await db
    .insertInto('sampling_periods')
    .values({
      plan_id: planId,
      period_key: period.key,
      starts_at: period.start.toISOString(),
      ends_at: period.end.toISOString(),
      seed,
      created_at: now,
    })
    .onConflict((oc) => oc.columns(['plan_id', 'period_key']).doNothing())
    .execute();
  return db
    .selectFrom('sampling_periods')
    .selectAll()
    .where('plan_id', '=', planId)
    .where('period_key', '=', period.key)
    .executeTakeFirstOrThrow();
}

/** Active CSRs of the team, in id order so every run walks them the same way. */
export async function teamCsrIds(db: DB, teamId: number): Promise<number[]> {
  const rows = await db
    .selectFrom('users')
    .select('id')
    .where('team_id', '=', teamId)
    .where('role', '=', 'csr')
    .where('active', '=', 1)
    .orderBy('id')
    .execute();
  return rows.map((r) => r.id);
}

export interface SupervisorLoad {
  id: number;
  /** Picks of this team assigned to them and not yet done (any period). */
  open: number;
  /** Picks of this team assigned to them in the current period. */
  assigned: number;
}

/** The team's active supervisors with their open and current-period picks. */
export async function supervisorLoads(db: DB, teamId: number, periodId: number): Promise<SupervisorLoad[]> {
  const rows = await db
    .selectFrom('team_supervisors as ts')
    .innerJoin('users', 'users.id', 'ts.user_id')
    .select([
      'users.id',
      sql<number>`(select count(*) from sampling_picks p where p.team_id = ts.team_id and p.supervisor_id = users.id
        and p.call_id is not null and not ${callDone('p.call_id')})`.as('open'),
      sql<number>`(select count(*) from sampling_picks p where p.period_id = ${periodId}
        and p.supervisor_id = users.id)`.as('assigned'),
    ])
    .where('ts.team_id', '=', teamId)
    .where('users.active', '=', 1)
    .where('users.role', '=', 'supervisor')
    .orderBy('users.id')
    .execute();
  return rows.map((r) => ({ id: r.id, open: Number(r.open), assigned: Number(r.assigned) }));
}

/** Open picks of the team whose supervisor is gone (none, left the team, or deactivated). */
export async function orphanedPicks(db: DB, teamId: number, supervisorIds: number[]) {
  const rows = await db
    .selectFrom('sampling_picks as p')
    .select(['p.id', 'p.period_id'])
    .where('p.team_id', '=', teamId)
    .where('p.call_id', 'is not', null)
    .where(sql<boolean>`not ${callDone('p.call_id')}`)
    .where((eb) => eb.or([eb('p.supervisor_id', 'is', null), eb('p.supervisor_id', 'not in', idsIn(supervisorIds))]))
    .orderBy('p.id')
    .execute();
  return rows;
}

export async function assignPick(db: DB, pickId: number, supervisorId: number): Promise<void> {
  await db.updateTable('sampling_picks').set({ supervisor_id: supervisorId }).where('id', '=', pickId).execute();
}

/** How many live picks the CSR has in the period and the next free draw index. */
export async function csrDrawState(db: DB, periodId: number, csrId: number) {
  const row = await db
    .selectFrom('sampling_picks')
    .select([sql<number>`count(call_id)`.as('picked'), sql<number | null>`max(draw_index)`.as('last_draw')])
    .where('period_id', '=', periodId)
    .where('csr_id', '=', csrId)
    .executeTakeFirstOrThrow();
  return { picked: Number(row.picked), nextDraw: row.last_draw === null ? 0 : Number(row.last_draw) + 1 };
}

/**
 * The CSR's calls a draw may choose from, in a fixed order (start time, then id): calls of the plan's team
 * in the period up to now, with a stored recording, matching the plan's filters, never picked before and
 * with no standard evaluation (not even a draft). `flaggedOver`: only those with a risk flag under these limits
 * (src/risk); null for every call.
 */
export async function candidateCallIds(
  db: DB,
  plan: SamplingPlan,
  csrId: number,
  period: Period,
  until: string,
  flaggedOver: RiskLimits | null = null,
): Promise<number[]> {
  const end = period.end.toISOString();
  let query = db
    .selectFrom('calls')
    .select('calls.id')
    .where('calls.agent_id', '=', csrId)
    .where('calls.team_id', '=', plan.team_id)
    .where('calls.recording_status', '=', 'stored')
    .where('calls.started_at', '>=', period.start.toISOString())
    .where('calls.started_at', '<', until < end ? until : end)
    .where('calls.evaluation_count', '=', 0)
    .where(sql<boolean>`not exists (select 1 from evaluations e where e.call_id = calls.id and e.kind = 'standard')`)
    .where(sql<boolean>`not exists (select 1 from sampling_picks sp where sp.call_id = calls.id)`)
    .orderBy('calls.started_at')
    .orderBy('calls.id');
  if (plan.category !== null) query = query.where('calls.category', '=', plan.category);
  if (plan.min_duration_s !== null) query = query.where('calls.duration_s', '>=', plan.min_duration_s);
  if (plan.direction !== null) query = query.where('calls.direction', '=', plan.direction);
  if (flaggedOver) query = query.where(anyRisk(flaggedOver));
  const rows = await query.execute();
  return rows.map((r) => r.id);
}

/** A pick as a draw inserts it: always of a call. */
export type NewPick = Omit<SamplingPicksTable, 'id' | 'call_id' | 'risk_based'> & {
  call_id: number;
  risk_based: number;
};

export async function insertPick(db: DB, pick: NewPick): Promise<number> {
  const row = await db.insertInto('sampling_picks').values(pick).returning('id').executeTakeFirstOrThrow();
  return row.id;
}
