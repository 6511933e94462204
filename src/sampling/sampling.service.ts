import { recordChange } from '../audit';
import type { SamplingPlan } from '../db/schema/sampling';
import { inTransaction } from '../db/transaction';
import type { AppDeps } from '../deps';
import { isoNow } from '../lib/clock';
import { Forbidden, NotFound } from '../lib/errors';
import { parseInput } from '../lib/validation';
import { findTeam } from '../org';
import { inTeamScope, mayEditSamplingPlans, teamScope, type Actor } from '../policy';
import { periodAt, periodFromKey, type Period } from './period';
import { periodProgress, periodScores, type PlanProgressRow } from './progress.queries';
import { drawPosition } from './random';
import { findPeriod, findPlanByTeam, insertPlan, picksOfPeriod, updatePlan } from './sampling.queries';
import { planSchema } from './sampling.schemas';
import { certaintyOf, fallbackSpread, type Certainty } from './stats';
import { topUpPlan, type TopUpOptions, type TopUpResult } from './topup.service';

/** A team the actor may see (admin: any; manager: their departments'; supervisor: theirs), else 404. */
export async function visibleTeamOr404(deps: AppDeps, actor: Actor, teamId: number) {
  const team = await findTeam(deps.db, teamId);
  if (!team || !inTeamScope(await teamScope(deps.db, actor), team.id)) throw new NotFound('No such team.');
  return team;
}

/**
 * Creates or changes the team's plan (one per team), then tops it up at once so a plan set mid-period
 * picks what it asks for by now instead of waiting for the daily run.
 */
export async function savePlan(
  deps: AppDeps,
  actor: Actor,
  teamId: number,
  raw: unknown,
  ip?: string,
  options: TopUpOptions = {},
): Promise<{ plan: SamplingPlan; topUp: TopUpResult | null }> {
  const team = await visibleTeamOr404(deps, actor, teamId);
  if (!mayEditSamplingPlans(actor))
    throw new Forbidden('Only an administrator or the department manager sets the plan.');
  const input = parseInput(planSchema, raw);
  const now = isoNow(deps.clock);
  const planId = await inTransaction(deps.db, async (trx) => {
    const before = await findPlanByTeam(trx, team.id);
    const id = before ? before.id : await insertPlan(trx, team.id, input, actor.id, now);
    if (before) await updatePlan(trx, before.id, input, actor.id, now);
    const action = before ? 'sampling.plan_updated' : 'sampling.plan_created';
    await recordChange(trx, now, { actorId: actor.id, ip }, action, ['sampling_plan', id], {
      team_id: team.id,
      before: before ? planSummary(before) : null,
      after: { ...input, active: input.active ? 1 : 0 },
    });
    return id;
  });
  const topUp = await topUpPlan(deps, planId, { ...options, actorId: actor.id, ip });
  const plan = await findPlanByTeam(deps.db, team.id);
  if (!plan) throw new Error(`The sampling plan of team ${team.id} was saved but could not be read back.`);
  return { plan, topUp };
}

function planSummary(plan: SamplingPlan) {
  const { per_csr, period, category, min_duration_s, direction, risk_share_pct, active } = plan;
  return { per_csr, period, category, min_duration_s, direction, risk_share_pct, active };
}

export interface CsrCertainty extends PlanProgressRow {
  certainty: Certainty;
}

/**
 * The period to show: ?period=<key>, else the current one. The plan page takes keys of the plan's kind; the
 * picks page any kind, so periods sampled before the plan changed from months to weeks stay listed.
 */
export function chosenPeriod(
  plan: SamplingPlan,
  key: string | undefined,
  at: Date,
  timeZone: string,
  anyKind = false,
): Period {
  const requested = key ? periodFromKey(key, timeZone) : null;
  if (key && (!requested || (!anyKind && requested.kind !== plan.period))) throw new NotFound('No such period.');
  return requested ?? periodAt(plan.period, at, timeZone);
}

/** Progress and score certainty per CSR for a plan's period. */
export async function planCertainty(
  deps: AppDeps,
  plan: SamplingPlan,
  teamName: string,
  period: Period,
): Promise<CsrCertainty[]> {
  const at = deps.clock.now();
  const rows = await periodProgress(deps.db, { ...plan, team_name: teamName }, period, at);
  const scores = await periodScores(deps.db, plan.team_id, period);
  const fallback = fallbackSpread(scores.map((s) => s.score));
  return rows.map((row) => ({
    ...row,
    certainty: certaintyOf(
      scores.filter((s) => s.agent_id === row.csr_id).map((s) => s.score),
      fallback,
    ),
  }));
}

/** A period's picks, each re-drawn from its seed so the page can show the draw checks out. */
export async function picksWithCheck(deps: AppDeps, planId: number, periodKey: string) {
  const period = await findPeriod(deps.db, planId, periodKey);
  if (!period) return { period: null, picks: [] };
  const picks = await picksOfPeriod(deps.db, period.id);
  return {
    period,
    picks: picks.map((pick) => ({
      ...pick,
      verified: drawPosition(pick.seed, pick.csr_id, pick.draw_index, pick.candidate_count) === pick.position,
    })),
  };
}
