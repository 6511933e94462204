import { z } from 'zod';
import { recordAudit } from '../audit';
import { budgetStatus, periodKey } from '../budget';
import type { DB } from '../db/database';
import type { AppDeps } from '../deps';
import { isoNow } from '../lib/clock';
import { Conflict, Validation } from '../lib/errors';
import { parseInput } from '../lib/validation';
import { managedDepartmentIds, type Actor } from '../policy';
import { formatCents } from '../training';

export interface Performer {
  agent_id: number;
  name: string;
  team_id: number;
  team_name: string;
  average: number;
  evaluations: number;
  rank: number;
}

/**
 * Top performers per team: highest average score over submitted scorecards in the period, among CSRs with at
 * least `minEvaluations` of them. Equal averages (to one decimal, as shown) share a rank.
 */
export async function topPerformers(
  db: DB,
  teamIds: number[] | 'all',
  from: string,
  to: string,
  minEvaluations: number,
): Promise<Performer[]> {
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
    .where('e.status', 'in', ['submitted', 'released', 'acknowledged'])
    .where('e.score', 'is not', null)
    .where('e.submitted_at', '>=', from)
    .where('e.submitted_at', '<', to)
    .where('u.active', '=', 1)
    .groupBy(['e.agent_id', 'u.display_name', 't.id', 't.name'])
    .having((eb) => eb.fn.count('e.id'), '>=', minEvaluations);
  if (teamIds !== 'all') query = query.where('t.id', 'in', teamIds.length ? teamIds : [-1]);
  const rows = await query.execute();
  const byTeam = new Map<number, Performer[]>();
  for (const row of rows) {
    const performer = { ...row, average: Number(row.average), evaluations: Number(row.evaluations), rank: 0 };
    byTeam.set(row.team_id, [...(byTeam.get(row.team_id) ?? []), performer]);
  }
  const ranked: Performer[] = [];
  for (const list of byTeam.values()) {
    list.sort((a, b) => b.average - a.average || a.name.localeCompare(b.name));
    list.forEach((p, i) => {
      const shown = Math.round(p.average * 10);
      p.rank = i > 0 && Math.round(list[i - 1].average * 10) === shown ? list[i - 1].rank : i + 1;
    });
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

/** Records an award (e.g. a gift card) to selected CSRs, charged to the department's budget. */
export async function recordAward(
  deps: AppDeps,
  actor: Actor,
  raw: unknown,
  ip?: string,
): Promise<{ id: number; total_cents: number; created: boolean }> {
  const input = parseInput(awardSchema, raw);
  const allowed = actor.role === 'admin' ? null : await managedDepartmentIds(deps.db, actor.id);
  const department = await deps.db
    .selectFrom('departments')
    .selectAll()
    .where('id', '=', input.department_id)
    .executeTakeFirst();
  if (!department || (allowed && !allowed.includes(department.id)))
    throw new Validation([{ path: 'department_id', message: 'No such department of yours.' }]);
  const ids = [...new Set(input.agent_ids)];
  const csrs = await deps.db
    .selectFrom('users')
    .innerJoin('teams', 'teams.id', 'users.team_id')
    .select('users.id')
    .where('users.id', 'in', ids)
    .where('users.role', '=', 'csr')
    .where('teams.department_id', '=', department.id)
    .execute();
  if (csrs.length !== ids.length)
    throw new Validation([{ path: 'agent_ids', message: 'Choose CSRs of this department.' }]);
  const total = input.amount_cents * ids.length;
  const now = isoNow(deps.clock);
  return deps.db.transaction().execute(async (trx) => {
    if (input.idempotency_key) {
      const earlier = await trx
        .selectFrom('awards')
        .select(['id', 'total_cents'])
        .where('idempotency_key', '=', input.idempotency_key)
        .executeTakeFirst();
      if (earlier) return { ...earlier, created: false };
    }
    const budget = await budgetStatus(trx, department, deps.clock.now());
    const over = total > budget.remaining_cents;
    if (over && !input.override_budget) {
      throw new Conflict(
        `Over budget: this award costs ${formatCents(total, deps.config.currency)} and ${formatCents(budget.remaining_cents, deps.config.currency)} is left for ${budget.period_label}. Tick the override to record it anyway.`,
        'over_budget',
      );
    }
    const award = await trx
      .insertInto('awards')
      .values({
        department_id: department.id,
        awarded_by: actor.id,
        title: input.title,
        note: input.note ?? null,
        amount_cents: input.amount_cents,
        total_cents: total,
        period_key: periodKey(deps.clock.now(), department.budget_period),
        over_budget: over ? 1 : 0,
        idempotency_key: input.idempotency_key ?? null,
        created_at: now,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await trx
      .insertInto('award_recipients')
      .values(ids.map((csr_id) => ({ award_id: award.id, csr_id })))
      .execute();
    await recordAudit(trx, now, {
      actorId: actor.id,
      action: over ? 'award.recorded_over_budget' : 'award.recorded',
      entityType: 'award',
      entityId: award.id,
      details: { title: input.title, recipients: ids.length, total_cents: total, override: over },
      ip,
    });
    return { id: award.id, total_cents: total, created: true };
  });
}

export async function awardsOf(db: DB, csrId: number) {
  return db
    .selectFrom('award_recipients as r')
    .innerJoin('awards as a', 'a.id', 'r.award_id')
    .select(['a.id', 'a.title', 'a.note', 'a.amount_cents', 'a.created_at'])
    .where('r.csr_id', '=', csrId)
    .orderBy('a.id', 'desc')
    .execute();
}
