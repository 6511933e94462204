import { DateTime } from 'luxon';

// Named reporting periods: local months and quarters in the center's time zone (DOMAIN.md, Time).

export const PERIODS = ['this_month', 'last_month', 'this_quarter', 'last_quarter'] as const;
export type Period = (typeof PERIODS)[number];

/**
 * [from, to) of a named period as UTC instants (ISO text), from local midnight on its first day to local
 * midnight after its last, with a label and its first and last local dates.
 */
export function periodRange(
  period: Period,
  now: Date,
  timeZone = 'UTC',
): { from: string; to: string; label: string; fromDate: string; toDate: string } {
  const local = DateTime.fromJSDate(now, { zone: timeZone });
  const thisMonth = local.startOf('month');
  const thisQuarter = local.startOf('quarter');
  const starts: Record<Period, [DateTime, number]> = {
    this_month: [thisMonth, 1],
    last_month: [thisMonth.minus({ months: 1 }), 1],
    this_quarter: [thisQuarter, 3],
    last_quarter: [thisQuarter.minus({ months: 3 }), 3],
  };
  const [from, length] = starts[period];
  const to = from.plus({ months: length });
  const label =
    from.setLocale('en-US').toFormat('MMMM yyyy') +
    (length === 3 ? ` to ${from.plus({ months: 2 }).setLocale('en-US').toFormat('MMMM')}` : '');
  return {
    from: from.toUTC().toISO() ?? '',
    to: to.toUTC().toISO() ?? '',
    label,
    fromDate: from.toISODate() ?? '',
    toDate: to.minus({ days: 1 }).toISODate() ?? '',
  };
}
