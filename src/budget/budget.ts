import type { Executor } from '../db/transaction';
import type { BudgetPeriod, Department } from '../db/schema';
import { localDateOf } from '../lib/zones';
import { getSettings } from '../settings';
import { committedCents } from './budget.queries';

export { committedCents, departmentCharges } from './budget.queries';

/**
 * The budget period a moment falls in: "2026-11" (month), "2026-Q4" (quarter) or "2026" (year), by the local
 * date in the center's time zone (a booking at 20:00 on 31 March in New York is March's, not April's).
 */
export function periodKey(at: Date, period: BudgetPeriod, timeZone: string): string {
  const date = localDateOf(at.getTime(), timeZone);
  const year = date.slice(0, 4);
  const month = Number(date.slice(5, 7));
  if (period === 'year') return year;
  if (period === 'quarter') return `${year}-Q${Math.floor((month - 1) / 3) + 1}`;
  return `${year}-${String(month).padStart(2, '0')}`;
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

export async function budgetStatus(
  db: Executor,
  department: Pick<Department, 'id' | 'budget_cents' | 'budget_period'>,
  at: Date,
): Promise<BudgetStatus> {
  const { time_zone: timeZone } = await getSettings(db);
  const key = periodKey(at, department.budget_period, timeZone);
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
