/**
 * The run shared by the dashboards and reports scenarios: sign in every account, measure each case one
 * request at a time, then put the cases of one kind under load together.
 */
import { shortCount } from '../lib/args';
import {
  caseChecks,
  caseTable,
  credentials,
  headersFor,
  logCase,
  measureCase,
  type Account,
  type HttpCase,
  type MeasuredCase,
} from '../lib/cases';
import { runLoad, type LoadResult } from '../lib/load';
import { readMemory } from '../lib/rss';
import { fmtMs, mb } from '../lib/stats';
import type { Check, ScenarioContext } from './types';

export interface PagesResult {
  size: number;
  startupMs: number;
  /** RSS 0.5 s after start-up and sign-in. */
  rssIdleBytes: number;
  /** RSS after the sequential cases. */
  rssAfterSequentialBytes: number;
  cases: MeasuredCase[];
  loads: LoadResult[];
  serverLog: string[];
}

export interface LoadMix {
  title: string;
  /** Case ids in the mix (each connection cycles through them). */
  ids: string[];
}

export async function runPages(
  ctx: ScenarioContext,
  cases: HttpCase[],
  mixes: LoadMix[],
  check?: (c: HttpCase, body: Buffer) => string | null,
): Promise<PagesResult> {
  const accounts = [...new Set(cases.map((c) => c.as))] as Account[];
  const server = await ctx.startServer();
  try {
    const creds = await credentials(server.baseUrl, ctx.manifest, accounts);
    await new Promise((r) => setTimeout(r, 500));
    const rssIdleBytes = readMemory(server.pid)?.rss ?? 0;
    const measured: MeasuredCase[] = [];
    for (const c of cases) {
      const m = await measureCase(
        server.baseUrl,
        c,
        headersFor(c, creds),
        { samples: ctx.options.sequentialSamples, sampleMs: ctx.options.sequentialMs },
        check ? (body) => check(c, body) : undefined,
      );
      measured.push(m);
      logCase(ctx.log, m);
    }
    const rssAfterSequentialBytes = readMemory(server.pid)?.rss ?? 0;
    const loads: LoadResult[] = [];
    for (const mix of mixes) {
      const load = await runLoad({
        baseUrl: server.baseUrl,
        pid: server.pid,
        title: mix.title,
        connections: ctx.options.connections,
        durationS: ctx.options.loadSeconds,
        requests: cases
          .filter((c) => mix.ids.includes(c.id))
          .map((c) => ({ path: c.path, headers: headersFor(c, creds) })),
      });
      loads.push(load);
      ctx.log(
        `  load ${load.title}: ${load.requestsPerSec} req/s, median ${fmtMs(load.latency.median)} ms, p95 ${fmtMs(load.latency.p95)} ms, ` +
          `non-2xx ${load.non2xx}, RSS peak ${mb(load.rssPeakBytes)} MB, backlog drained in ${load.drainMs} ms`,
      );
    }
    return {
      size: ctx.size,
      startupMs: server.startupMs,
      rssIdleBytes,
      rssAfterSequentialBytes,
      cases: measured,
      loads,
      serverLog: server.logLines,
    };
  } finally {
    await server.stop();
  }
}

export function pagesReport(
  all: Array<{ size: number; result: PagesResult }>,
  heading: string,
  intro: string,
  describe: (c: MeasuredCase) => string[],
  head: string[],
  checks: Array<{ what: string; kind: 'page' | 'report' | 'year-report' }>,
): { json: Record<string, unknown>; markdown: string; checks: Check[] } {
  const sizes = all.map((r) => r.size).sort((a, b) => a - b);
  const bySize = new Map(all.map((r) => [r.size, r.result]));
  const casesBySize = new Map(all.map((r) => [r.size, r.result.cases]));
  const md: string[] = [heading, '', intro, ''];
  md.push(...caseTable(casesBySize, describe, head));
  md.push('', '### Under load', '');
  md.push('autocannon, 10 connections, each cycling through the cases of the mix.', '');
  md.push(
    '| calls | mix | req/s | median ms | p95 ms | p99 ms | non-2xx | backlog after load | RSS before load | RSS peak under load | RSS settled |',
  );
  md.push('|---|---|---|---|---|---|---|---|---|---|---|');
  for (const s of sizes) {
    for (const l of bySize.get(s)!.loads) {
      md.push(
        `| ${shortCount(s)} | ${l.title} | ${l.requestsPerSec} | ${fmtMs(l.latency.median)} | ${fmtMs(l.latency.p95)} | ${fmtMs(l.latency.p99)} | ${l.non2xx} | ${(l.drainMs / 1000).toFixed(1)} s | ${mb(l.rssBeforeBytes)} MB | ${mb(l.rssPeakBytes)} MB | ${mb(l.rssSettledBytes)} MB |`,
      );
    }
  }
  md.push(
    '',
    '| calls | server start-up | RSS idle (after start-up and sign-in) | RSS after the sequential cases |',
    '|---|---|---|---|',
  );
  for (const s of sizes) {
    const r = bySize.get(s)!;
    md.push(
      `| ${shortCount(s)} | ${r.startupMs} ms | ${mb(r.rssIdleBytes)} MB | ${mb(r.rssAfterSequentialBytes)} MB |`,
    );
  }
  return {
    json: { sizes: Object.fromEntries(all.map((r) => [r.size, r.result])) },
    markdown: md.join('\n'),
    checks: checks.flatMap((c) => caseChecks(casesBySize, c.what, c.kind)),
  };
}
