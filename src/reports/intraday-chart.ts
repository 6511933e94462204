// The staffing chart: agents needed per interval across the forecast week, as bars the view draws in SVG.

export interface StaffingBar {
  x: number;
  y: number;
  width: number;
  height: number;
  label: string;
  agents: number;
}

const WIDTH = 960;
const HEIGHT = 240;
const PLOT = { left: 40, right: WIDTH - 10, top: 12, bottom: HEIGHT - 28 };
const WEEKDAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];

/** Bars of agents needed, a week wide (Monday first); each day a band with its name under it. */
export function staffingChart(
  intervals: Array<{ weekday: number; minute: number; time: string; date: string; agents_needed: number }>,
  minutes: number,
) {
  const perDay = (24 * 60) / minutes;
  const slotWidth = (PLOT.right - PLOT.left) / (7 * perDay);
  const max = Math.max(1, ...intervals.map((i) => i.agents_needed));
  const step = max <= 5 ? 1 : max <= 20 ? 5 : max <= 50 ? 10 : Math.ceil(max / 5 / 10) * 10;
  const top = Math.ceil(max / step) * step;
  const yOf = (value: number) => PLOT.bottom - (value / top) * (PLOT.bottom - PLOT.top);
  const bars: StaffingBar[] = intervals
    .filter((i) => i.agents_needed > 0)
    .map((i) => {
      const x = PLOT.left + (i.weekday * perDay + i.minute / minutes) * slotWidth;
      const y = yOf(i.agents_needed);
      return {
        x,
        y,
        width: Math.max(1, slotWidth - 0.5),
        height: PLOT.bottom - y,
        label: `${WEEKDAYS[i.weekday] ?? ''} ${i.date} ${i.time}`,
        agents: i.agents_needed,
      };
    });
  const yTicks = [];
  for (let v = 0; v <= top; v += step) yTicks.push({ y: yOf(v), label: String(v) });
  const days = WEEKDAYS.map((name, d) => ({
    name,
    x: PLOT.left + (d + 0.5) * perDay * slotWidth,
    line: PLOT.left + d * perDay * slotWidth,
  }));
  return { width: WIDTH, height: HEIGHT, plot: PLOT, bars, yTicks, days };
}

/** A heat-map class for a service level against the target: 0 (far below) … 4 (at or above). */
export function heatClass(serviceLevel: number | null, target: number): string {
  if (serviceLevel === null) return 'heat-none';
  if (serviceLevel >= target) return 'heat-4';
  const short = target - serviceLevel;
  return short <= 0.05 ? 'heat-3' : short <= 0.15 ? 'heat-2' : short <= 0.3 ? 'heat-1' : 'heat-0';
}
