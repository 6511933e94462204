// Named reporting periods in UTC.

export const PERIODS = ['this_month', 'last_month', 'this_quarter', 'last_quarter'] as const;
export type Period = (typeof PERIODS)[number];

/** [from, to) of a named period in UTC, with a label. */
export function periodRange(period: Period, now: Date): { from: string; to: string; label: string } {
  const y = now.getUTCFullYear();
  const m = now.getUTCMonth();
  const q = Math.floor(m / 3) * 3;
  const ranges: Record<Period, [number, number, number]> = {
    this_month: [y, m, 1],
    last_month: [y, m - 1, 1],
    this_quarter: [y, q, 3],
    last_quarter: [y, q - 3, 3],
  };
  const [year, month, length] = ranges[period];
  const from = new Date(Date.UTC(year, month, 1));
  const to = new Date(Date.UTC(year, month + length, 1));
  const label =
    from.toLocaleString('en-US', { month: 'long', year: 'numeric', timeZone: 'UTC' }) +
    (length === 3
      ? ` to ${new Date(Date.UTC(year, month + 2, 1)).toLocaleString('en-US', { month: 'long', timeZone: 'UTC' })}`
      : '');
  return { from: from.toISOString(), to: to.toISOString(), label };
}
