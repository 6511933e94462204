import { shortCount } from '../lib/args';
import { createToken, request } from '../lib/http';
import { runLoad, type LoadResult } from '../lib/load';
import { readMemory } from '../lib/rss';
import { fmtMs, mb, summarize, type Summary } from '../lib/stats';
import { largeRecording, uploadCall } from './recording-common';
import { defineScenario, type ScenarioContext } from './types';

export const RANGE_MEDIAN_TARGET_MS = 20;
const RANGE_BYTES = 65_536;
const END_REQUESTS = 200;
const START_REQUESTS = 50;

interface RangeSeries {
  range: string;
  status: number;
  contentLength: number;
  contentRange: string | null;
  latency: Summary;
}

export interface RangeResult {
  size: number;
  fileBytes: number;
  callId: number;
  startupMs: number;
  rssIdleBytes: number;
  end: RangeSeries;
  start: RangeSeries;
  load: LoadResult;
  serverLog: string[];
}

async function series(
  baseUrl: string,
  path: string,
  token: string,
  range: string,
  count: number,
): Promise<RangeSeries> {
  const headers = { authorization: `Bearer ${token}`, range };
  const first = await request(baseUrl, path, { headers });
  if (first.status !== 206 || first.body.length !== RANGE_BYTES) {
    throw new Error(`range ${range}: ${first.status}, ${first.body.length} bytes`);
  }
  const times: number[] = [];
  for (let i = 0; i < count; i += 1) {
    const res = await request(baseUrl, path, { headers, keepBody: false });
    if (res.status !== 206) throw new Error(`range ${range}: ${res.status} during measurement`);
    times.push(res.ms);
  }
  return {
    range,
    status: first.status,
    contentLength: Number(first.headers['content-length']),
    contentRange: (first.headers['content-range'] as string | undefined) ?? null,
    latency: summarize(times),
  };
}

async function run(ctx: ScenarioContext): Promise<RangeResult> {
  const recording = await largeRecording(ctx);
  const server = await ctx.startServer();
  try {
    const token = await createToken(server.baseUrl, ctx.manifest.accounts.admin.username, ctx.manifest.password);
    const uploaded = await uploadCall(server.baseUrl, token, ctx.manifest, recording, `bench-range-${Date.now()}`);
    if (uploaded.status !== 201 || uploaded.callId === null) {
      throw new Error(`uploading the large recording failed: ${uploaded.status} ${uploaded.body.slice(0, 300)}`);
    }
    await new Promise((r) => setTimeout(r, 500));
    const rssIdleBytes = readMemory(server.pid)?.rss ?? 0;
    const path = `/api/v1/calls/${uploaded.callId}/recording`;
    const size = recording.bytes;
    const endRange = `bytes=${size - RANGE_BYTES}-${size - 1}`;
    const end = await series(server.baseUrl, path, token, endRange, END_REQUESTS);
    ctx.log(
      `  end of file: median ${fmtMs(end.latency.median)} ms, p95 ${fmtMs(end.latency.p95)} ms (n=${end.latency.n})`,
    );
    const start = await series(server.baseUrl, path, token, `bytes=0-${RANGE_BYTES - 1}`, START_REQUESTS);
    ctx.log(`  start of file: median ${fmtMs(start.latency.median)} ms`);
    const load = await runLoad({
      baseUrl: server.baseUrl,
      pid: server.pid,
      title: 'Range: last 64 KiB',
      connections: ctx.options.connections,
      durationS: ctx.options.loadSeconds,
      requests: [{ path, headers: { authorization: `Bearer ${token}`, range: endRange } }],
    });
    ctx.log(
      `  load: ${load.requestsPerSec} req/s, median ${fmtMs(load.latency.median)} ms, RSS peak ${mb(load.rssPeakBytes)} MB`,
    );
    return {
      size: ctx.size,
      fileBytes: size,
      callId: uploaded.callId,
      startupMs: server.startupMs,
      rssIdleBytes,
      end,
      start,
      load,
      serverLog: server.logLines,
    };
  } finally {
    await server.stop();
  }
}

function report(all: Array<{ size: number; result: RangeResult }>) {
  const md: string[] = ['## Range requests into a large recording (`range`)', ''];
  md.push(
    `One ${mb(all[0]?.result.fileBytes ?? 0)} MB WAV uploaded through \`POST /api/v1/calls\`, then ` +
      `\`GET /api/v1/calls/:id/recording\` with a 64 KiB \`Range\` (bearer token), sequential on one keep-alive ` +
      'connection; then autocannon on the end range.',
    '',
  );
  md.push('| calls | range | n | median ms | p95 ms | max ms |', '|---|---|---|---|---|---|');
  for (const { size, result } of all) {
    for (const [name, s] of [
      ['last 64 KiB', result.end],
      ['first 64 KiB', result.start],
    ] as const) {
      const mark = name === 'last 64 KiB' ? (s.latency.median < RANGE_MEDIAN_TARGET_MS ? ' ✅' : ' ❌') : '';
      md.push(
        `| ${shortCount(size)} | ${name} (\`${s.range}\`) | ${s.latency.n} | ${fmtMs(s.latency.median)}${mark} | ${fmtMs(s.latency.p95)} | ${fmtMs(s.latency.max)} |`,
      );
    }
  }
  md.push(
    '',
    '| calls | load | connections | req/s | median ms | p95 ms | non-2xx | RSS before load | RSS peak | RSS settled |',
  );
  md.push('|---|---|---|---|---|---|---|---|---|---|');
  for (const { size, result } of all) {
    const l = result.load;
    md.push(
      `| ${shortCount(size)} | ${l.title} | ${l.connections} | ${l.requestsPerSec} | ${fmtMs(l.latency.median)} | ${fmtMs(l.latency.p95)} | ${l.non2xx} | ${mb(l.rssBeforeBytes)} MB | ${mb(l.rssPeakBytes)} MB | ${mb(l.rssSettledBytes)} MB |`,
    );
  }
  const last = all.at(-1)?.result;
  const checks = [
    last
      ? {
          target: `Range into the end of a 200 MB recording: median < ${RANGE_MEDIAN_TARGET_MS} ms`,
          measured: `median ${fmtMs(last.end.latency.median)} ms, p95 ${fmtMs(last.end.latency.p95)} ms (n=${last.end.latency.n}, ${mb(last.fileBytes)} MB file)`,
          pass: last.end.latency.median < RANGE_MEDIAN_TARGET_MS,
        }
      : { target: 'Range into the end of a 200 MB recording', measured: 'not run', pass: null },
  ];
  return {
    json: {
      targets: { medianMs: RANGE_MEDIAN_TARGET_MS },
      sizes: Object.fromEntries(all.map((r) => [r.size, r.result])),
    },
    markdown: md.join('\n'),
    checks,
  };
}

export const rangeScenario = defineScenario<RangeResult>({
  name: 'range',
  title: 'Range requests into the end of a 200 MB recording',
  sizes: 'largest',
  run,
  report,
});
