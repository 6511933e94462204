import { getSettings } from '../settings';
import { sql } from 'kysely';
import type { DB } from '../db/database';
import { dueAtOf, periodAt, plannedSoFar, type Period } from './period';
import { callDoneFlag, plansOf, type PlanWithTeam } from './sampling.queries';
import { idsIn } from '../db/ids';

/** One CSR's sampling progress in their team plan's period. */
export interface PlanProgressRow {
  plan_id: number;
  team_id: number;
  team_name: string;
  csr_id: number;
  csr_name: string;
  period_key: string;
  /** Picks are due by this instant (the last millisecond of the period). */
  due_at: string;
  /** ceil(N × elapsed fraction of the period): what the plan asks for by now. */
  planned_so_far: number;
  /** N, the plan's evaluations per CSR per period. */
  planned_total: number;
  /** Calls picked so far (fewer than planned when the CSR had too few eligible calls). */
  picked: number;
  /** Picks with a submitted evaluation, by anyone. */
  done: number;
}

/** Pick counts per CSR for one plan and period. */
async function pickCounts(db: DB, planId: number, periodKey: string) {
  const rows = await db
    .selectFrom('sampling_picks as p')
    .innerJoin('sampling_periods as sp', 'sp.id', 'p.period_id')
    .select([
      'p.csr_id',
      sql<number>`count(p.call_id)`.as('picked'),
      sql<number>`coalesce(sum(${callDoneFlag('p.call_id')}), 0)`.as('done'),
    ])
    .where('sp.plan_id', '=', planId)
    .where('sp.period_key', '=', periodKey)
    .groupBy('p.csr_id')
    .execute();
  return new Map(rows.map((r) => [r.csr_id, { picked: Number(r.picked), done: Number(r.done) }]));
}

/** The team's active CSRs, and anyone else who has picks in the period (e.g. moved to another team since). */
async function csrsOf(db: DB, teamId: number, alsoIds: number[]) {
  return db
    .selectFrom('users')
    .select(['id', 'display_name'])
    .where((eb) =>
      eb.or([
        eb.and([eb('team_id', '=', teamId), eb('role', '=', 'csr'), eb('active', '=', 1)]),
        eb('id', 'in', idsIn(alsoIds)),
      ]),
    )
    .orderBy('display_name')
    .orderBy('id')
    .execute();
}

/** Progress per CSR of one plan in one period, as of `at` (a past period counts as fully planned). */
export async function periodProgress(db: DB, plan: PlanWithTeam, period: Period, at: Date): Promise<PlanProgressRow[]> {
  const counts = await pickCounts(db, plan.id, period.key);
  const csrs = await csrsOf(db, plan.team_id, [...counts.keys()]);
  const plannedNow = plannedSoFar(plan.per_csr, period, at);
  return csrs.map((csr) => ({
    plan_id: plan.id,
    team_id: plan.team_id,
    team_name: plan.team_name,
    csr_id: csr.id,
    csr_name: csr.display_name,
    period_key: period.key,
    due_at: dueAtOf(period),
    planned_so_far: plannedNow,
    planned_total: plan.per_csr,
    picked: counts.get(csr.id)?.picked ?? 0,
    done: counts.get(csr.id)?.done ?? 0,
  }));
}

/**
 * Sampling progress per CSR (done vs planned) in the current period of each active plan of the given
 * teams, ordered by team and CSR. For the supervisor and manager dashboards: pass the viewer's teamScope
 * (never a CSR's: picks are invisible to them) and the current time as ISO text.
 */
export async function planProgress(db: DB, teamIds: number[] | 'all', now: string): Promise<PlanProgressRow[]> {
  const at = new Date(now);
  const { time_zone: timeZone } = await getSettings(db);
  const rows: PlanProgressRow[] = [];
  for (const plan of await plansOf(db, teamIds)) {
    rows.push(...(await periodProgress(db, plan, periodAt(plan.period, at, timeZone), at)));
  }
  return rows;
}

/** Submitted scores of the team's standard evaluations of calls made in the period (newest revision). */
export async function periodScores(db: DB, teamId: number, period: Period) {
  return db
    .selectFrom('evaluations as e')
    .innerJoin('calls', 'calls.id', 'e.call_id')
    .select(['e.agent_id', 'e.score'])
    .where('e.team_id', '=', teamId)
    .where('e.kind', '=', 'standard')
    .where('e.submitted_at', 'is not', null)
    .where('e.score', 'is not', null)
    .where('calls.started_at', '>=', period.start.toISOString())
    .where('calls.started_at', '<', period.end.toISOString())
    .orderBy('e.id')
    .execute() as Promise<Array<{ agent_id: number; score: number }>>;
}
