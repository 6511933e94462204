import type { SamplingPeriodKind } from '../db/schema/sampling';

import { addDays, localDateOf, localMidnightMs, mondayOf } from '../lib/zones';

// Sampling periods are local calendar months ("2026-11") or ISO weeks starting Monday ("2026-W48") in the
// center's time zone (DOMAIN.md, Time): a period starts at local midnight, whatever the clocks do inside it.

export interface Period {
  kind: SamplingPeriodKind;
  key: string;
  /** First instant of the period (local midnight of its first day). */
  start: Date;
  /** First instant after the period (exclusive). */
  end: Date;
}

const DAY_MS = 86_400_000;

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

/** The local month a local date is in. */
function monthOf(date: string, timeZone: string): Period {
  const year = Number(date.slice(0, 4));
  const month = Number(date.slice(5, 7));
  const next = month === 12 ? `${year + 1}-01-01` : `${year}-${pad(month + 1)}-01`;
  return {
    kind: 'month',
    key: `${year}-${pad(month)}`,
    start: new Date(localMidnightMs(`${year}-${pad(month)}-01`, timeZone)),
    end: new Date(localMidnightMs(next, timeZone)),
  };
}

/** The local ISO week (Monday first) a local date is in. */
function weekOf(date: string, timeZone: string): Period {
  const monday = mondayOf(date);
  // The ISO week belongs to the year of its Thursday (calendar arithmetic on dates: no zone involved).
  const thursday = addDays(monday, 3);
  const isoYear = Number(thursday.slice(0, 4));
  const week = Math.floor((Date.parse(thursday) - Date.UTC(isoYear, 0, 1)) / (7 * DAY_MS)) + 1;
  return {
    kind: 'week',
    key: `${isoYear}-W${pad(week)}`,
    start: new Date(localMidnightMs(monday, timeZone)),
    end: new Date(localMidnightMs(addDays(monday, 7), timeZone)),
  };
}

/** The period of this kind that contains the instant, in the center's zone. */
export function periodAt(kind: SamplingPeriodKind, at: Date, timeZone: string): Period {
  const date = localDateOf(at.getTime(), timeZone);
  return kind === 'month' ? monthOf(date, timeZone) : weekOf(date, timeZone);
}

/** The period a key names ("2026-11", "2026-W48") in the center's zone, or null when the key is not one. */
export function periodFromKey(key: string, timeZone: string): Period | null {
  const month = /^(\d{4})-(\d{2})$/.exec(key);
  if (month) {
    const m = Number(month[2]);
    return m >= 1 && m <= 12 ? monthOf(`${month[1]}-${pad(m)}-01`, timeZone) : null;
  }
  const week = /^(\d{4})-W(\d{2})$/.exec(key);
  if (!week) return null;
  // 4 January is always in ISO week 1.
  const firstMonday = mondayOf(`${week[1]}-01-04`);
  const period = weekOf(addDays(firstMonday, (Number(week[2]) - 1) * 7), timeZone);
  return period.key === key ? period : null;
}

/** How many picks each CSR should have by `at`: ceil(N × elapsed fraction), so picks spread over the period. */
export function plannedSoFar(perCsr: number, period: Period, at: Date): number {
  const length = period.end.getTime() - period.start.getTime();
  const elapsed = Math.min(Math.max(at.getTime() - period.start.getTime(), 0), length);
  return Math.min(perCsr, Math.ceil((perCsr * elapsed) / length));
}

/** Picks are due by the last millisecond of their period. */
export function dueAtOf(period: Period): string {
  return new Date(period.end.getTime() - 1).toISOString();
}

/** "November 2026" or "Week 48 of 2026 (23–29 Nov)" for headings. */
export function periodLabel(period: Period, timeZone: string): string {
  const first = localDateOf(period.start.getTime(), timeZone);
  const asDate = (date: string) => new Date(`${date}T12:00:00Z`);
  if (period.kind === 'month') {
    return asDate(first).toLocaleDateString('en-US', { month: 'long', year: 'numeric', timeZone: 'UTC' });
  }
  const day = (date: string) =>
    asDate(date).toLocaleDateString('en-US', { day: 'numeric', month: 'short', timeZone: 'UTC' });
  const last = addDays(first, 6);
  const [year, week] = period.key.split('-W');
  return `Week ${Number(week)} of ${year} (${day(first)} – ${day(last)})`;
}
