/**
 * The interval report (issue 18): 30-minute local service level, heat map and Erlang C staffing over 90 days of a
 * center with N calls a year (default 1,000,000), against the raw SQL over the calls for the same range.
 *
 *   npm run bench:intraday -- --calls 1000000 --zone America/New_York
 *
 * Builds its own database (the app's migrations, calls bulk-loaded with raw prepared statements: a generator,
 * not app code), brings the roll-ups of the range up to date once, then times each path 15 times and reports
 * medians, their ratio and the machine's load. Results go to bench/results/intraday.json.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openDatabase } from '../src/db/database';
import { migrateToLatest } from '../src/db/migrate';
import { localDayStartText } from '../src/lib/date-range';
import { addDays } from '../src/lib/zones';
import type { ReportFilter } from '../src/reports/filters';
import { intradayReport } from '../src/reports/intraday';
import { slotSumsFromCalls } from '../src/reports/intraday.queries';
import { refreshRollups } from '../src/reports/rollups';
import { getSettings } from '../src/settings';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? (process.argv[i + 1] ?? fallback) : fallback;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

async function main() {
  const calls = Number(arg('calls', '1000000'));
  const zone = arg('zone', 'America/New_York');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'callscore-intraday-'));
  const handle = openDatabase(path.join(dir, 'callscore.db'));
  await migrateToLatest(handle.db);
  const sqlite = handle.sqlite;
  // Bulk load: the bench's teams are ids only (no org rows), and the load needs no fsync per page.
  sqlite.pragma('foreign_keys = OFF');
  sqlite.pragma('synchronous = OFF');
  sqlite.prepare(`insert into settings (key, value) values ('time_zone', ?)`).run(zone);
  const teams = 50;
  const insert = sqlite.prepare(
    `insert into calls (source, external_id, team_id, started_at, direction, queue_wait_s, hold_s, duration_s, abandoned, created_at)
     values ('bench', ?, ?, ?, ?, ?, ?, ?, ?, '2026-11-23T00:00:00.000Z')`,
  );
  const yearStart = Date.parse('2025-12-01T00:00:00Z');
  // mulberry32: a small seeded generator with integer arithmetic (the same dataset every run).
  let seed = 42;
  const rnd = () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
  const t0 = Date.now();
  sqlite.exec('begin');
  for (let i = 0; i < calls; i += 1) {
    // Business hours weighted: most calls 08:00–20:00 New York time (13:00–01:00 UTC).
    const day = Math.floor(rnd() * 365);
    const minute = (13 * 60 + Math.floor(rnd() * 12 * 60) + (rnd() < 0.1 ? Math.floor(rnd() * 720) : 0)) % 1440;
    const at = new Date(yearStart + day * 86_400_000 + minute * 60_000 + Math.floor(rnd() * 60_000)).toISOString();
    const abandoned = rnd() < 0.06 ? 1 : 0;
    insert.run(
      `b${i}`,
      1 + (i % teams),
      at,
      rnd() < 0.8 ? 'inbound' : 'outbound',
      Math.floor(rnd() * 90),
      Math.floor(rnd() * 60),
      60 + Math.floor(rnd() * 500),
      abandoned,
    );
  }
  sqlite.exec('commit');
  console.log(`loaded ${calls} calls in ${Date.now() - t0} ms`);
  const db = handle.db;
  const settings = await getSettings(db);
  const toDate = '2026-11-29';
  const fromDate = addDays(toDate, -89);
  const filter: ReportFilter = {
    from: localDayStartText(fromDate, zone),
    to: localDayStartText(toDate, zone, 1),
    fromDate,
    toDate,
    teamIds: 'all',
    group: 'day',
    timeZone: zone,
    intervalMinutes: 30,
  };
  const t1 = Date.now();
  await refreshRollups(db, 'calls', fromDate, addDays(toDate, 1));
  console.log(`roll-ups of the range computed in ${Date.now() - t1} ms`);
  const runs = { rollup: [] as number[], raw: [] as number[] };
  for (let r = 0; r < 15; r += 1) {
    let s = performance.now();
    const report = await intradayReport(db, filter, settings.service_level_threshold_s, settings);
    runs.rollup.push(performance.now() - s);
    if (r === 0) console.log(`intervals ${report.buckets.length}, offered ${report.total.offered}`);
    s = performance.now();
    await slotSumsFromCalls(db, filter, filter.from, filter.to, settings.service_level_threshold_s);
    runs.raw.push(performance.now() - s);
  }
  const result = {
    calls,
    zone,
    range_days: 90,
    interval_minutes: 30,
    median_ms: { interval_report: median(runs.rollup), raw_sql_slot_sums: median(runs.raw) },
    ratio_raw_to_report: median(runs.raw) / median(runs.rollup),
    load: os.loadavg(),
    cpus: os.cpus().length,
    node: process.version,
    at: new Date().toISOString(),
  };
  console.log(JSON.stringify(result, null, 2));
  fs.mkdirSync(path.join(__dirname, 'results'), { recursive: true });
  fs.writeFileSync(path.join(__dirname, 'results', 'intraday.json'), JSON.stringify(result, null, 2) + '\n');
  await handle.close();
  fs.rmSync(dir, { recursive: true, force: true });
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
