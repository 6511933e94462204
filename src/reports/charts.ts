// Chart geometry for the server-rendered SVG charts (views/partials/chart-line.ejs, chart-bars.ejs). The
// templates only draw; every number is worked out here and each chart also has a data table beside it.

export interface SeriesPoint {
  label: string;
  value: number | null;
  low?: number | null;
  high?: number | null;
  n?: number;
}

export interface LineChart {
  width: number;
  height: number;
  plot: { left: number; top: number; right: number; bottom: number };
  points: Array<SeriesPoint & { x: number; y: number | null; yLow: number | null; yHigh: number | null }>;
  path: string;
  band: string;
  target: { y: number; label: string } | null;
  yTicks: Array<{ y: number; label: string }>;
  xLabels: Array<{ x: number; label: string }>;
}

const W = 720;
const H = 260;
const PLOT = { left: 48, top: 16, right: W - 16, bottom: H - 40 };

function scaleY(value: number, min: number, max: number): number {
  return PLOT.bottom - ((value - min) / (max - min || 1)) * (PLOT.bottom - PLOT.top);
}

/** A line with an optional confidence band and target line; gaps where a point has no value. */
export function lineChart(
  series: SeriesPoint[],
  options: { min?: number; max?: number; target?: number; targetLabel?: string; unit?: string } = {},
): LineChart {
  const values = series.flatMap((p) => [p.value, p.low, p.high]).filter((v): v is number => typeof v === 'number');
  const min = options.min ?? Math.min(0, ...values);
  const max = options.max ?? Math.max(1, ...values, options.target ?? 0);
  const step = series.length > 1 ? (PLOT.right - PLOT.left) / (series.length - 1) : 0;
  const points = series.map((p, i) => ({
    ...p,
    x: series.length > 1 ? PLOT.left + i * step : (PLOT.left + PLOT.right) / 2,
    y: p.value === null ? null : scaleY(p.value, min, max),
    yLow: p.low === null || p.low === undefined ? null : scaleY(p.low, min, max),
    yHigh: p.high === null || p.high === undefined ? null : scaleY(p.high, min, max),
  }));
  let path = '';
  let pen = false;
  for (const p of points) {
    if (p.y === null) {
      pen = false;
      continue;
    }
    path += `${pen ? 'L' : 'M'}${p.x.toFixed(1)},${p.y.toFixed(1)} `;
    pen = true;
  }
  const banded = points.flatMap((p) =>
    p.yLow !== null && p.yHigh !== null ? [{ x: p.x, low: p.yLow, high: p.yHigh }] : [],
  );
  const band =
    banded.length > 1
      ? `M${banded.map((p) => `${p.x.toFixed(1)},${p.high.toFixed(1)}`).join(' L')} L${[...banded]
          .reverse()
          .map((p) => `${p.x.toFixed(1)},${p.low.toFixed(1)}`)
          .join(' L')} Z`
      : '';
  const unit = options.unit ?? '';
  const yTicks = [0, 0.25, 0.5, 0.75, 1].map((f) => {
    const v = min + f * (max - min);
    return { y: scaleY(v, min, max), label: `${Math.round(v)}${unit}` };
  });
  const every = Math.max(1, Math.ceil(series.length / 8));
  const xLabels = points.filter((_, i) => i % every === 0).map((p) => ({ x: p.x, label: p.label }));
  const target =
    options.target === undefined
      ? null
      : { y: scaleY(options.target, min, max), label: options.targetLabel ?? `target ${options.target}${unit}` };
  return { width: W, height: H, plot: PLOT, points, path: path.trim(), band, target, yTicks, xLabels };
}

export interface BarChart {
  width: number;
  height: number;
  plot: typeof PLOT;
  bars: Array<{ x: number; y: number; w: number; h: number; label: string; value: number }>;
  yTicks: Array<{ y: number; label: string }>;
}

export function barChart(series: Array<{ label: string; value: number }>): BarChart {
  const max = Math.max(1, ...series.map((s) => s.value));
  const slot = (PLOT.right - PLOT.left) / Math.max(1, series.length);
  const bars = series.map((s, i) => {
    const y = scaleY(s.value, 0, max);
    return {
      x: PLOT.left + i * slot + slot * 0.15,
      y,
      w: slot * 0.7,
      h: PLOT.bottom - y,
      label: s.label,
      value: s.value,
    };
  });
  const yTicks = [0, 0.5, 1].map((f) => ({ y: scaleY(f * max, 0, max), label: String(Math.round(f * max)) }));
  return { width: W, height: H, plot: PLOT, bars, yTicks };
}

/** A score trend (see scoreTrend) as a line from 0 to 100% with its 95% band. */
export function scoreTrendChart(
  trend: Array<{ bucket: string; mean: number | null; low: number | null; high: number | null; n: number }>,
): LineChart {
  return lineChart(
    trend.map((t) => ({ label: t.bucket.slice(5), value: t.mean, low: t.low, high: t.high, n: t.n })),
    { min: 0, max: 100, unit: '%' },
  );
}
