/**
 * One year of calls as CSV (GET /reports/calls.csv as admin), and one year of scorecards
 * (GET /reports/scorecards.csv), read as fast as the client can: throughput, rows, and the server's RSS
 * sampled every 50 ms for the whole download. The app writes the CSV in keyset pages of 1,000 rows, so its
 * memory should not depend on the row count: the 1M figure is compared with the 100k one. A /healthz probe
 * every 250 ms meanwhile shows whether other requests still get through.
 */
import http from 'node:http';
import path from 'node:path';
import { shortCount } from '../lib/args';
import { credentials } from '../lib/cases';
import { request } from '../lib/http';
import { readMemory, RssSampler } from '../lib/rss';
import { fmtMs, mb, round, summarize, type Summary } from '../lib/stats';
import { defineScenario, type Check, type ScenarioContext } from './types';

/** RSS growth during the 1M export may exceed the 100k one by at most this (same pages, 10× the rows). */
export const FLAT_SLACK_BYTES = 16 * 1048576;
const DEFAULT_LIMIT_S = 900;

export interface ExportRun {
  name: string;
  path: string;
  status: number;
  /** false when the limit stopped it (figures are then for the part received). */
  complete: boolean;
  bytes: number;
  /** Data lines (not the header). */
  rows: number;
  ttfbMs: number;
  totalMs: number;
  mbPerSec: number;
  rowsPerSec: number;
  rssBeforeBytes: number;
  rssPeakBytes: number;
  rssAfterBytes: number;
  growthBytes: number;
  /** Peak RSS in the last quarter of the download minus the peak in its first quarter: > 0 means still growing. */
  lateGrowthBytes: number;
  /** [s since start, MB] every second, for plotting. */
  series: Array<[number, number]>;
  /**
   * /healthz meanwhile: one at a time, 250 ms apart, each on a new connection; the time of a probe that
   * failed counts too (until it failed).
   */
  probe: Summary;
  probeErrors: number;
  /** 'as built', or the what-if patches (bench/lib/preload-whatif.js) the server ran with. */
  variant: string;
  /** Bytes received per tenth of the download (MB/s), to see whether it slows down as it goes. */
  tenths: number[];
}

export interface ExportResult {
  size: number;
  startupMs: number;
  rssIdleBytes: number;
  runs: ExportRun[];
  serverLog: string[];
}

async function download(
  ctx: ScenarioContext,
  baseUrl: string,
  pid: number,
  name: string,
  path: string,
  headers: Record<string, string>,
  limitS: number,
  variant = 'as built',
): Promise<ExportRun> {
  const url = new URL(path, baseUrl);
  const rssBeforeBytes = readMemory(pid)?.rss ?? 0;
  const sampler = new RssSampler(pid, 50);
  const probeTimes: number[] = [];
  let probeErrors = 0;
  let probing = true;
  const probeLoop = (async () => {
    while (probing) {
      const sent = performance.now();
      try {
        const res = await request(baseUrl, '/healthz', {
          agent: new http.Agent({ keepAlive: false }),
          keepBody: false,
          timeoutMs: limitS * 1000,
        });
        probeTimes.push(res.ms);
      } catch {
        probeErrors += 1;
        probeTimes.push(performance.now() - sent);
      }
      await new Promise((r) => setTimeout(r, 250));
    }
  })();
  const started = performance.now();
  const arrivals: Array<[number, number]> = [];
  const result = await new Promise<{ status: number; bytes: number; rows: number; ttfbMs: number; complete: boolean }>(
    (resolve, reject) => {
      let bytes = 0;
      let rows = -1; // the header line
      let ttfbMs = 0;
      const req = http.request(
        { host: url.hostname, port: url.port, path: url.pathname + url.search, headers, agent: false },
        (res) => {
          ttfbMs = performance.now() - started;
          const timer = setTimeout(() => {
            res.destroy();
            resolve({ status: res.statusCode ?? 0, bytes, rows, ttfbMs, complete: false });
          }, limitS * 1000);
          res.on('data', (chunk: Buffer) => {
            bytes += chunk.length;
            for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) rows += 1;
            arrivals.push([performance.now() - started, bytes]);
          });
          res.on('end', () => {
            clearTimeout(timer);
            resolve({ status: res.statusCode ?? 0, bytes, rows, ttfbMs, complete: true });
          });
          res.on('error', (err) => {
            clearTimeout(timer);
            reject(err);
          });
        },
      );
      req.on('error', reject);
      req.end();
    },
  );
  const totalMs = performance.now() - started;
  const trace = sampler.stop();
  probing = false;
  await probeLoop;
  await new Promise((r) => setTimeout(r, 2000));
  const rssAfterBytes = readMemory(pid)?.rss ?? 0;
  const quarter = (from: number, to: number) => {
    const values = trace.series.filter(([t]) => t >= from * totalMs && t <= to * totalMs).map(([, v]) => v);
    return values.length ? Math.max(...values) : 0;
  };
  const series: Array<[number, number]> = [];
  for (const [t, v] of trace.series) {
    const s = Math.floor(t / 1000);
    if (series.length === 0 || series.at(-1)![0] !== s) series.push([s, mb(v)]);
  }
  const tenths: number[] = [];
  for (let i = 0; i < 10; i += 1) {
    const from = (i / 10) * totalMs;
    const to = ((i + 1) / 10) * totalMs;
    const at = (t: number) => arrivals.filter(([x]) => x <= t).at(-1)?.[1] ?? 0;
    tenths.push(round((at(to) - at(from)) / 1048576 / ((to - from) / 1000), 2));
  }
  const run: ExportRun = {
    name,
    path,
    status: result.status,
    complete: result.complete,
    bytes: result.bytes,
    rows: Math.max(0, result.rows),
    ttfbMs: round(result.ttfbMs),
    totalMs: Math.round(totalMs),
    mbPerSec: round(result.bytes / 1048576 / (totalMs / 1000), 2),
    rowsPerSec: Math.round(Math.max(0, result.rows) / (totalMs / 1000)),
    rssBeforeBytes,
    rssPeakBytes: trace.max,
    rssAfterBytes,
    growthBytes: trace.max - rssBeforeBytes,
    lateGrowthBytes: quarter(0.75, 1) - quarter(0, 0.25),
    series,
    probe: summarize(probeTimes),
    probeErrors,
    variant,
    tenths,
  };
  ctx.log(
    `  ${name}: ${run.status}${run.complete ? '' : ' (STOPPED at the limit)'} ${run.rows} rows, ${mb(run.bytes)} MB in ${fmtMs(run.totalMs)} ms ` +
      `(${run.mbPerSec} MB/s, first byte ${fmtMs(run.ttfbMs)} ms); RSS ${mb(run.rssBeforeBytes)} → peak ${mb(run.rssPeakBytes)} ` +
      `(+${mb(run.growthBytes)} MB) → ${mb(run.rssAfterBytes)} MB; /healthz meanwhile median ${fmtMs(run.probe.median)} ms, max ${fmtMs(run.probe.max)} ms (n=${run.probe.n}${run.probeErrors ? `, ${run.probeErrors} failed` : ''})`,
  );
  return run;
}

/**
 * The calls CSV again on servers with what-if patches (bench/lib/preload-whatif.js), and once with a capped
 * V8 old space: if RSS then stays flat, the growth was garbage not yet collected, not rows kept.
 */
const WHAT_IFS: Array<{ patches: string; nodeArgs: string[] }> = [
  { patches: 'yield-per-query', nodeArgs: [] },
  { patches: 'stmt-cache', nodeArgs: [] },
  { patches: 'export-keyset,stmt-cache,yield-per-query', nodeArgs: [] },
  { patches: '', nodeArgs: ['--max-old-space-size=96'] },
];

async function run(ctx: ScenarioContext): Promise<ExportResult> {
  const { manifest } = ctx;
  const limitS = Number(process.env.BENCH_EXPORT_LIMIT_S ?? DEFAULT_LIMIT_S);
  const year = `from=${manifest.period.from}&to=${manifest.period.to}`;
  const runs: ExportRun[] = [];
  const serverLog: string[] = [];
  let server = await ctx.startServer();
  const startupMs = server.startupMs;
  let rssIdleBytes: number;
  try {
    const creds = await credentials(server.baseUrl, manifest, ['admin']);
    await new Promise((r) => setTimeout(r, 1000));
    rssIdleBytes = readMemory(server.pid)?.rss ?? 0;
    const headers = creds.session.admin;
    runs.push(
      await download(
        ctx,
        server.baseUrl,
        server.pid,
        'calls.csv, one year',
        `/reports/calls.csv?${year}`,
        headers,
        limitS,
      ),
    );
    runs.push(
      await download(
        ctx,
        server.baseUrl,
        server.pid,
        'scorecards.csv, one year',
        `/reports/scorecards.csv?${year}`,
        headers,
        limitS,
      ),
    );
  } finally {
    serverLog.push(...server.logLines);
    await server.stop();
  }
  for (const { patches, nodeArgs } of WHAT_IFS) {
    server = await ctx.startServer(
      patches
        ? { NODE_OPTIONS: `--require ${path.join(__dirname, '..', 'lib', 'preload-whatif.js')}`, BENCH_WHATIF: patches }
        : {},
      nodeArgs,
    );
    const variant = `what-if: ${[patches, ...nodeArgs].filter(Boolean).join(' ')}`;
    try {
      const creds = await credentials(server.baseUrl, manifest, ['admin']);
      await new Promise((r) => setTimeout(r, 1000));
      runs.push(
        await download(
          ctx,
          server.baseUrl,
          server.pid,
          'calls.csv, one year',
          `/reports/calls.csv?${year}`,
          creds.session.admin,
          limitS,
          variant,
        ),
      );
    } finally {
      serverLog.push(...server.logLines);
      await server.stop();
    }
  }
  return { size: ctx.size, startupMs, rssIdleBytes, runs, serverLog };
}

function report(all: Array<{ size: number; result: ExportResult }>) {
  const sizes = all.map((r) => r.size).sort((a, b) => a - b);
  const bySize = new Map(all.map((r) => [r.size, r.result]));
  const md: string[] = ['## One-year CSV exports (`export`)', ''];
  md.push(
    'A year of calls (`GET /reports/calls.csv`) and of scorecards (`GET /reports/scorecards.csv`) as admin (signed-in session), read as fast as the client can. ' +
      'Server RSS sampled every 50 ms from just before the request to the last byte; "after" is 2 s later. "Late growth" is the RSS peak in the last quarter of ' +
      'the download minus the peak in the first quarter (memory still climbing as rows go by). MB/s per tenth of the download shows whether it slows as it goes. ' +
      '`/healthz` is probed one at a time, 250 ms apart, on new connections meanwhile: a probe that waits as long as the export means the server answered nothing else until it ended. ' +
      'The what-if rows are the calls export on fresh servers preloaded with `bench/lib/preload-whatif.js` (never part of the app): `yield-per-query` gives the event loop a turn ' +
      'before each query (as `await new Promise((r) => setImmediate(r))` after each page in `src/reports/exports.ts` would), `stmt-cache` reuses prepared statements, ' +
      '`export-keyset` runs the page query with the row-value keyset of fix R1 (see `plans`); `--max-old-space-size=96` caps V8’s old space to show whether the RSS growth is ' +
      'garbage not yet collected or rows kept.',
    '',
  );
  md.push(
    '| calls | export | server | rows | MB | time | first byte | MB/s | rows/s | MB/s by tenth (first → last) | RSS before | RSS peak | growth | late growth | RSS after | /healthz meanwhile (n, median / max) |',
  );
  md.push('|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|');
  for (const s of sizes) {
    for (const r of bySize.get(s)!.runs) {
      md.push(
        `| ${shortCount(s)} | ${r.name}${r.complete ? '' : ' ⚠ stopped at the time limit'} | ${r.variant ?? 'as built'} | ${r.rows.toLocaleString('en-US')} | ${mb(r.bytes)} | ${(r.totalMs / 1000).toFixed(1)} s | ${fmtMs(r.ttfbMs)} ms | ${r.mbPerSec} | ${r.rowsPerSec.toLocaleString('en-US')} | ${r.tenths.map((t) => t.toFixed(1)).join(' · ')} | ${mb(r.rssBeforeBytes)} MB | ${mb(r.rssPeakBytes)} MB | +${mb(r.growthBytes)} MB | ${r.lateGrowthBytes >= 0 ? '+' : ''}${mb(r.lateGrowthBytes)} MB | ${mb(r.rssAfterBytes)} MB | ${r.probe.n}${r.probeErrors ? ` (${r.probeErrors} failed)` : ''}: ${fmtMs(r.probe.median)} / ${fmtMs(r.probe.max)} ms |`,
      );
    }
  }
  const checks: Check[] = [];
  const asBuilt = (r: ExportRun) => (r.variant ?? 'as built') === 'as built';
  const big = bySize.get(1_000_000)?.runs.find((r) => r.name.startsWith('calls.csv') && asBuilt(r));
  const small = bySize.get(100_000)?.runs.find((r) => r.name.startsWith('calls.csv') && asBuilt(r));
  if (big && small) {
    const flat = big.growthBytes <= small.growthBytes + FLAT_SLACK_BYTES && big.lateGrowthBytes < FLAT_SLACK_BYTES;
    checks.push({
      target:
        'One-year calls CSV: server RSS stays flat (growth at 1M ≤ growth at 100k + 16 MB, not climbing late in the export)',
      measured: `+${mb(big.growthBytes)} MB for ${big.rows.toLocaleString('en-US')} rows vs +${mb(small.growthBytes)} MB for ${small.rows.toLocaleString('en-US')} rows; late growth ${mb(big.lateGrowthBytes)} MB${big.complete ? '' : ' (stopped at the time limit)'}`,
      pass: flat,
    });
    checks.push({
      target: 'One-year calls CSV throughput at 1M (MB/s; no target set, shown for the record)',
      measured: `${big.mbPerSec} MB/s, ${big.rowsPerSec.toLocaleString('en-US')} rows/s, ${(big.totalMs / 1000).toFixed(1)} s for ${mb(big.bytes)} MB; first tenth ${big.tenths[0]} MB/s, last tenth ${big.tenths[9]} MB/s${big.complete ? '' : ' (stopped at the time limit)'}`,
      pass: null,
    });
  } else {
    checks.push({
      target: 'One-year calls CSV: server RSS stays flat',
      measured: 'needs both --sizes 100000 and 1000000',
      pass: null,
    });
  }
  return {
    json: {
      targets: { flatSlackBytes: FLAT_SLACK_BYTES },
      sizes: Object.fromEntries(all.map((r) => [r.size, r.result])),
    },
    markdown: md.join('\n'),
    checks,
  };
}

export const exportScenario = defineScenario<ExportResult>({
  name: 'export',
  title: 'One-year CSV exports: throughput and server memory',
  sizes: 'all',
  run,
  report,
});
