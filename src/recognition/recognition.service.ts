import { z } from 'zod';
import { recordChange } from '../audit';
import { budgetStatus } from '../budget';
import type { DB } from '../db/database';
import type { Department } from '../db/schema';
import { inTransaction, type Tx } from '../db/transaction';
import type { AppDeps } from '../deps';
import { isoNow } from '../lib/clock';
import { Conflict, Validation } from '../lib/errors';
import { formatCents } from '../lib/money';
import { parseInput } from '../lib/validation';
import { findDepartment } from '../org';
import { inDepartments, managedDepartments, type Actor } from '../policy';
import {
  awardByIdempotencyKey,
  countDepartmentCsrs,
  insertAward,
  performerAverages,
  type PerformerPeriod,
  type PerformerRow,
} from './recognition.queries';

export interface Performer extends PerformerRow {
  rank: number;
}

/** Ranks one team's performers; equal averages (to one decimal, as shown) share a rank. */
function rankTeam(list: Performer[]): void {
  list.sort((a, b) => b.average - a.average || a.name.localeCompare(b.name));
  let previous: Performer | undefined;
  list.forEach((p, i) => {
    const shown = Math.round(p.average * 10);
    p.rank = previous && Math.round(previous.average * 10) === shown ? previous.rank : i + 1;
    previous = p;
  });
}

/**
 * Top performers per team: highest average score over submitted scorecards in the period, among CSRs with at
 * least `minEvaluations` of them. Equal averages (to one decimal, as shown) share a rank.
 */
export async function topPerformers(db: DB, period: PerformerPeriod): Promise<Performer[]> {
  const rows = await performerAverages(db, period);
  const byTeam = new Map<number, Performer[]>();
  for (const row of rows) {
    const performer = { ...row, average: Number(row.average), evaluations: Number(row.evaluations), rank: 0 };
    byTeam.set(row.team_id, [...(byTeam.get(row.team_id) ?? []), performer]);
  }
  const ranked: Performer[] = [];
  for (const list of byTeam.values()) {
    rankTeam(list);
    ranked.push(...list);
  }
  return ranked.sort((a, b) => a.team_name.localeCompare(b.team_name) || a.rank - b.rank);
}

const awardSchema = z.object({
  department_id: z.coerce.number({ error: 'Choose a department.' }).int().positive(),
  agent_ids: z.array(z.coerce.number().int().positive()).min(1, 'Choose at least one CSR.').max(200),
  title: z.string({ error: 'Name the award.' }).trim().min(1, 'Name the award.').max(200),
  note: z.preprocess((v) => (v === '' ? undefined : v), z.string().trim().max(1000).optional()),
  amount_cents: z
    .number({ error: 'Amount must be a number.' })
    .int('Amount must be whole cents.')
    .min(0, 'Amount cannot be negative.')
    .max(10_000_000, 'Amount is too large.'),
  override_budget: z.boolean().default(false),
  idempotency_key: z.string().trim().min(8).max(100).optional(),
});
type AwardInput = z.infer<typeof awardSchema>;

interface AwardPlan {
  input: AwardInput;
  department: Department;
  ids: number[];
  total: number;
}

/** Checks the department is the actor's and every recipient one of its CSRs. */
async function planAward(deps: AppDeps, actor: Actor, raw: unknown): Promise<AwardPlan> {
  const input = parseInput(awardSchema, raw);
  const allowed = await managedDepartments(deps.db, actor);
  const department = await findDepartment(deps.db, input.department_id);
  if (!department || !inDepartments(allowed, department.id))
    throw new Validation([{ path: 'department_id', message: 'No such department of yours.' }]);
  const ids = [...new Set(input.agent_ids)];
  if ((await countDepartmentCsrs(deps.db, ids, department.id)) !== ids.length)
    throw new Validation([{ path: 'agent_ids', message: 'Choose CSRs of this department.' }]);
  return { input, department, ids, total: input.amount_cents * ids.length };
}

/** Inside the award's unit of work: checks the budget, then records the award and its recipients. */
async function chargeAward(deps: AppDeps, trx: Tx, actor: Actor, plan: AwardPlan, now: string, ip?: string) {
  const { input, department, ids, total } = plan;
  const budget = await budgetStatus(trx, department, deps.clock.now());
  const over = total > budget.remaining_cents;
  if (over && !input.override_budget) {
    throw new Conflict(
      `Over budget: this award costs ${formatCents(total, deps.config.currency)} and ${formatCents(budget.remaining_cents, deps.config.currency)} is left for ${budget.period_label}. Tick the override to record it anyway.`,
      'over_budget',
    );
  }
  const awardValues = {
    department_id: department.id,
    awarded_by: actor.id,
    title: input.title,
    note: input.note ?? null,
    amount_cents: input.amount_cents,
    total_cents: total,
    period_key: budget.period_key,
    over_budget: over ? 1 : 0,
    idempotency_key: input.idempotency_key ?? null,
    created_at: now,
  };
  const id = await insertAward(trx, awardValues, ids);
  const action = over ? 'award.recorded_over_budget' : 'award.recorded';
  await recordChange(trx, now, { actorId: actor.id, ip }, action, ['award', id], {
    title: input.title,
    recipients: ids.length,
    total_cents: total,
    override: over,
  });
  return { id, total_cents: total, created: true };
}

/** Records an award (e.g. a gift card) to selected CSRs, charged to the department's budget. */
export async function recordAward(
  deps: AppDeps,
  actor: Actor,
  raw: unknown,
  ip?: string,
): Promise<{ id: number; total_cents: number; created: boolean }> {
  const plan = await planAward(deps, actor, raw);
  const now = isoNow(deps.clock);
  return inTransaction(deps.db, async (trx) => {
    const key = plan.input.idempotency_key;
    const earlier = key ? await awardByIdempotencyKey(trx, key) : undefined;
    if (earlier) return { ...earlier, created: false };
    return chargeAward(deps, trx, actor, plan, now, ip);
  });
}
