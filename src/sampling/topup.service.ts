import { getSettings } from '../settings';
import { recordChange } from '../audit';
import { riskLimits } from '../risk';
import type { DB } from '../db/database';
import { inTransaction } from '../db/transaction';
import type { SamplingPeriodRow, SamplingPlan } from '../db/schema/sampling';
import type { AppDeps } from '../deps';
import { dueAtOf, periodAt, plannedSoFar, type Period } from './period';
import { candidatesDigest, drawPosition, newSeed } from './random';
import { findPlan, plansOf } from './sampling.queries';
import {
  assignPick,
  candidateCallIds,
  csrDrawState,
  ensurePeriod,
  insertPick,
  orphanedPicks,
  supervisorLoads,
  teamCsrIds,
  type SupervisorLoad,
} from './topup.queries';

// The top-up job: on each run a CSR's target so far is ceil(N × elapsed fraction of the period); the
// difference is drawn at random from their eligible calls and each pick goes to the team's supervisor with
// the fewest open picks. One transaction and one audit entry per plan and run.

export interface TopUpOptions {
  /** Seed for a period sampled for the first time; a random one by default. Tests pass a fixed one. */
  newSeed?: () => string;
  actorId?: number | null;
  ip?: string;
}

export interface DrawnPick {
  pick_id: number;
  csr_id: number;
  call_id: number;
  supervisor_id: number | null;
  draw_index: number;
  candidate_count: number;
  position: number;
  /** Drawn from the CSR's flagged calls (the plan's risk share) rather than from all of them. */
  risk_based: boolean;
}

export interface TopUpResult {
  plan_id: number;
  team_id: number;
  period_key: string;
  target: number;
  picks: DrawnPick[];
  /** CSRs who had too few eligible calls to reach the target, and by how many. */
  short: Array<{ csr_id: number; missing: number }>;
  reassigned: number;
}

/** Fewest open picks first, then fewest this period, then lowest id: the same inputs give the same choice. */
function leastLoaded(supervisors: SupervisorLoad[]): SupervisorLoad | null {
  let best: SupervisorLoad | null = null;
  for (const s of supervisors) {
    if (!best || s.open < best.open || (s.open === best.open && s.assigned < best.assigned)) best = s;
  }
  return best;
}

function charge(supervisor: SupervisorLoad | null, samePeriod: boolean): number | null {
  if (!supervisor) return null;
  supervisor.open += 1;
  if (samePeriod) supervisor.assigned += 1;
  return supervisor.id;
}

/** Open picks whose supervisor left the team (or never had one) go to whoever has the fewest open picks. */
async function reassignOrphans(trx: DB, teamId: number, periodId: number, supervisors: SupervisorLoad[]) {
  if (supervisors.length === 0) return 0;
  const orphans = await orphanedPicks(
    trx,
    teamId,
    supervisors.map((s) => s.id),
  );
  for (const orphan of orphans) {
    // Some supervisor is always least loaded: the list is not empty.
    const supervisorId = charge(leastLoaded(supervisors), orphan.period_id === periodId);
    if (supervisorId === null) throw new Error(`No supervisor to take over pick ${orphan.id}.`);
    await assignPick(trx, orphan.id, supervisorId);
  }
  return orphans.length;
}

interface DrawContext {
  plan: SamplingPlan;
  period: Period;
  periodRow: SamplingPeriodRow;
  target: number;
  supervisors: SupervisorLoad[];
  now: string;
}

/**
 * Whether draw number `index` of a CSR is risk-based under a share of `pct` percent: the risk-based draws are
 * spread evenly, the first draw being one whenever the share is above 0 (25% → draws 0, 4, 8, …).
 */
export function isRiskDraw(index: number, pct: number): boolean {
  return Math.ceil(((index + 1) * pct) / 100) > Math.ceil((index * pct) / 100);
}

async function drawForCsr(trx: DB, ctx: DrawContext, csrId: number) {
  const state = await csrDrawState(trx, ctx.periodRow.id, csrId);
  const wanted = ctx.target - state.picked;
  const picks: DrawnPick[] = [];
  if (wanted <= 0) return { picks, missing: 0 };
  const candidates = await candidateCallIds(trx, ctx.plan, csrId, ctx.period, ctx.now);
  const share = ctx.plan.risk_share_pct;
  const flagged =
    share > 0 ? await candidateCallIds(trx, ctx.plan, csrId, ctx.period, ctx.now, await riskLimits(trx)) : [];
  while (picks.length < wanted && candidates.length > 0) {
    const drawIndex = state.nextDraw + picks.length;
    // A risk-based draw with no flagged call left falls back to the whole list (and is logged as random).
    const riskBased = flagged.length > 0 && isRiskDraw(drawIndex, share);
    const list = riskBased ? flagged : candidates;
    const draw = {
      csr_id: csrId,
      draw_index: drawIndex,
      candidate_count: list.length,
      candidates_sha256: candidatesDigest(list),
      position: drawPosition(ctx.periodRow.seed, csrId, drawIndex, list.length),
    };
    const callId = list[draw.position];
    if (callId === undefined) throw new Error(`Draw position ${draw.position} is outside the candidates.`);
    for (const pool of [candidates, flagged]) {
      const at = pool.indexOf(callId);
      if (at >= 0) pool.splice(at, 1);
    }
    const supervisorId = charge(leastLoaded(ctx.supervisors), true);
    const pickId = await insertPick(trx, {
      ...draw,
      period_id: ctx.periodRow.id,
      team_id: ctx.plan.team_id,
      call_id: callId,
      supervisor_id: supervisorId,
      seed: ctx.periodRow.seed,
      picked_at: ctx.now,
      due_at: dueAtOf(ctx.period),
      risk_based: riskBased ? 1 : 0,
    });
    const { candidates_sha256: _digest, ...logged } = draw;
    picks.push({ pick_id: pickId, call_id: callId, supervisor_id: supervisorId, ...logged, risk_based: riskBased });
  }
  return { picks, missing: wanted - picks.length };
}

/** What the audit entry of a run keeps: the plan as it stood, the seed, and every draw. */
function runDetails(plan: SamplingPlan, periodRow: SamplingPeriodRow, result: TopUpResult) {
  const { per_csr, period, category, min_duration_s, direction, risk_share_pct } = plan;
  return {
    team_id: plan.team_id,
    period: result.period_key,
    seed: periodRow.seed,
    plan: { per_csr, period, category, min_duration_s, direction, risk_share_pct },
    target: result.target,
    picks: result.picks,
    short: result.short,
    reassigned: result.reassigned,
  };
}

/** Tops up one plan's current period. Returns null for a missing or paused plan. */
export async function topUpPlan(
  deps: AppDeps,
  planId: number,
  options: TopUpOptions = {},
): Promise<TopUpResult | null> {
  const at = deps.clock.now();
  const now = at.toISOString();
  // Made before the transaction; used only if this run opens the period.
  const seed = (options.newSeed ?? newSeed)();
  const { time_zone: timeZone } = await getSettings(deps.db);
  return inTransaction(deps.db, async (trx) => {
    const plan = await findPlan(trx, planId);
    if (!plan || !plan.active) return null;
    const period = periodAt(plan.period, at, timeZone);
    const periodRow = await ensurePeriod(trx, plan.id, period, seed, now);
    const target = plannedSoFar(plan.per_csr, period, at);
    const supervisors = await supervisorLoads(trx, plan.team_id, periodRow.id);
    const reassigned = await reassignOrphans(trx, plan.team_id, periodRow.id, supervisors);
    const ctx: DrawContext = { plan, period, periodRow, target, supervisors, now };
    const result: TopUpResult = {
      plan_id: plan.id,
      team_id: plan.team_id,
      period_key: period.key,
      target,
      picks: [],
      short: [],
      reassigned,
    };
    for (const csrId of await teamCsrIds(trx, plan.team_id)) {
      const outcome = await drawForCsr(trx, ctx, csrId);
      result.picks.push(...outcome.picks);
      if (outcome.missing > 0) result.short.push({ csr_id: csrId, missing: outcome.missing });
    }
    await recordChange(
      trx,
      now,
      { actorId: options.actorId ?? null, ip: options.ip },
      'sampling.topped_up',
      ['sampling_plan', plan.id],
      runDetails(plan, periodRow, result),
    );
    return result;
  });
}

/** The daily job: tops up every active plan; one plan failing does not stop the others. */
export async function runSamplingTopUp(deps: AppDeps, options: TopUpOptions = {}): Promise<TopUpResult[]> {
  const results: TopUpResult[] = [];
  for (const plan of await plansOf(deps.db, 'all')) {
    try {
      const result = await topUpPlan(deps, plan.id, options);
      if (result) results.push(result);
    } catch (err) {
      deps.logger.error({ err, planId: plan.id }, 'sampling top-up failed');
    }
  }
  return results;
}
