import { sql } from 'kysely';
import type { DB } from '../db/database';
import type { BudgetPeriod, Department } from '../db/schema';

/** The budget period a moment falls in: "2026-11" (month), "2026-Q4" (quarter) or "2026" (year), in UTC. */
export function periodKey(at: Date, period: BudgetPeriod): string {
  const year = at.getUTCFullYear();
  if (period === 'year') return String(year);
  if (period === 'quarter') return `${year}-Q${Math.floor(at.getUTCMonth() / 3) + 1}`;
  return `${year}-${String(at.getUTCMonth() + 1).padStart(2, '0')}`;
}

/** A period key in words, e.g. "Q4 2026", "November 2026". */
export function periodLabel(key: string): string {
  const quarter = /^(\d{4})-Q(\d)$/.exec(key);
  if (quarter) return `Q${quarter[2]} ${quarter[1]}`;
  const month = /^(\d{4})-(\d{2})$/.exec(key);
  if (month)
    return new Date(Date.UTC(Number(month[1]), Number(month[2]) - 1, 1)).toLocaleString('en-US', {
      month: 'long',
      year: 'numeric',
      timeZone: 'UTC',
    });
  return key;
}

export interface BudgetStatus {
  department_id: number;
  period_key: string;
  period_label: string;
  budget_cents: number;
  committed_cents: number;
  remaining_cents: number;
}

/** Committed spend in a period: every training booking and recognition award charged to the department. */
export async function committedCents(db: DB, departmentId: number, key: string): Promise<number> {
  const row = await db
    .selectFrom(
      db
        .selectFrom('training_bookings')
        .select('total_cents as cents')
        .where('department_id', '=', departmentId)
        .where('period_key', '=', key)
        .unionAll(
          db
            .selectFrom('awards')
            .select('total_cents as cents')
            .where('department_id', '=', departmentId)
            .where('period_key', '=', key),
        )
        .as('charges'),
    )
    .select(sql<number>`coalesce(sum(cents), 0)`.as('total'))
    .executeTakeFirstOrThrow();
  return Number(row.total);
}

export async function budgetStatus(
  db: DB,
  department: Pick<Department, 'id' | 'budget_cents' | 'budget_period'>,
  at: Date,
): Promise<BudgetStatus> {
  const key = periodKey(at, department.budget_period);
  const committed = await committedCents(db, department.id, key);
  return {
    department_id: department.id,
    period_key: key,
    period_label: periodLabel(key),
    budget_cents: department.budget_cents,
    committed_cents: committed,
    remaining_cents: department.budget_cents - committed,
  };
}

/** Every charge to a department (its P&L for training and recognition), newest first. */
export async function departmentCharges(db: DB, departmentId: number, key?: string) {
  let bookings = db
    .selectFrom('training_bookings as b')
    .innerJoin('training_courses as c', 'c.id', 'b.course_id')
    .leftJoin('users as u', 'u.id', 'b.booked_by')
    .select([
      sql<string>`'training'`.as('kind'),
      'b.id',
      'b.created_at',
      'b.period_key',
      sql<string>`c.title || ' × ' || b.seats || ' seat' || case when b.seats = 1 then '' else 's' end || case when b.free_seats > 0 then ' (' || b.free_seats || ' free)' else '' end`.as(
        'description',
      ),
      'b.total_cents',
      'b.over_budget',
      'u.display_name as by_name',
    ])
    .where('b.department_id', '=', departmentId);
  let awards = db
    .selectFrom('awards as a')
    .leftJoin('users as u', 'u.id', 'a.awarded_by')
    .select([
      sql<string>`'recognition'`.as('kind'),
      'a.id',
      'a.created_at',
      'a.period_key',
      sql<string>`a.title || ' for ' || (select count(*) from award_recipients r where r.award_id = a.id) || ' CSR(s)'`.as(
        'description',
      ),
      'a.total_cents',
      'a.over_budget',
      'u.display_name as by_name',
    ])
    .where('a.department_id', '=', departmentId);
  if (key) {
    bookings = bookings.where('b.period_key', '=', key);
    awards = awards.where('a.period_key', '=', key);
  }
  return db
    .selectFrom(bookings.unionAll(awards).as('charges'))
    .selectAll()
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .execute();
}
