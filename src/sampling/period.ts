import type { SamplingPeriodKind } from '../db/schema/sampling';

// Sampling periods are UTC calendar months ("2026-11") or ISO weeks starting Monday ("2026-W48"), like
// every other date the app stores.

export interface Period {
  kind: SamplingPeriodKind;
  key: string;
  /** First instant of the period. */
  start: Date;
  /** First instant after the period (exclusive). */
  end: Date;
}

const DAY_MS = 86_400_000;

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

function monthOf(at: Date): Period {
  const year = at.getUTCFullYear();
  const month = at.getUTCMonth();
  return {
    kind: 'month',
    key: `${year}-${pad(month + 1)}`,
    start: new Date(Date.UTC(year, month, 1)),
    end: new Date(Date.UTC(year, month + 1, 1)),
  };
}

function weekOf(at: Date): Period {
  const midnight = Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), at.getUTCDate());
  const weekday = (at.getUTCDay() + 6) % 7; // Monday 0 … Sunday 6
  const start = new Date(midnight - weekday * DAY_MS);
  // The ISO week belongs to the year of its Thursday.
  const thursday = new Date(start.getTime() + 3 * DAY_MS);
  const isoYear = thursday.getUTCFullYear();
  const week = Math.floor((thursday.getTime() - Date.UTC(isoYear, 0, 1)) / (7 * DAY_MS)) + 1;
  return { kind: 'week', key: `${isoYear}-W${pad(week)}`, start, end: new Date(start.getTime() + 7 * DAY_MS) };
}

/** The period of this kind that contains the instant. */
export function periodAt(kind: SamplingPeriodKind, at: Date): Period {
  return kind === 'month' ? monthOf(at) : weekOf(at);
}

/** The period a key names ("2026-11", "2026-W48"), or null when the key is not one. */
export function periodFromKey(key: string): Period | null {
  const month = /^(\d{4})-(\d{2})$/.exec(key);
  if (month) {
    const m = Number(month[2]);
    return m >= 1 && m <= 12 ? monthOf(new Date(Date.UTC(Number(month[1]), m - 1, 1))) : null;
  }
  const week = /^(\d{4})-W(\d{2})$/.exec(key);
  if (!week) return null;
  // 4 January is always in ISO week 1.
  const firstWeek = weekOf(new Date(Date.UTC(Number(week[1]), 0, 4)));
  const period = weekOf(new Date(firstWeek.start.getTime() + (Number(week[2]) - 1) * 7 * DAY_MS));
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
export function periodLabel(period: Period): string {
  if (period.kind === 'month') {
    return period.start.toLocaleDateString('en-US', { month: 'long', year: 'numeric', timeZone: 'UTC' });
  }
  const last = new Date(period.end.getTime() - DAY_MS);
  const day = (d: Date) => d.toLocaleDateString('en-US', { day: 'numeric', month: 'short', timeZone: 'UTC' });
  const [year, week] = period.key.split('-W');
  return `Week ${Number(week)} of ${year} (${day(period.start)} – ${day(last)})`;
}
