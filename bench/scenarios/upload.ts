import { shortCount } from '../lib/args';
import { createToken } from '../lib/http';
import { readMemory, RssSampler } from '../lib/rss';
import { fmtMs, mb, round } from '../lib/stats';
import { largeRecording, uploadCall } from './recording-common';
import { defineScenario, type ScenarioContext } from './types';

export const UPLOAD_RSS_GROWTH_TARGET_BYTES = 64 * 1048576;
const ATTEMPTS = 2;
const SETTLE_MS = 2000;

interface UploadAttempt {
  status: number;
  callId: number | null;
  sha256Matches: boolean;
  bytes: number;
  /** Request start to last response byte. */
  totalMs: number;
  /** Request start to last body byte handed to the socket. */
  bodySentMs: number;
  /** After the body: the app's checks (sniff, probe, SHA-256), the insert and the move out of staging. */
  afterBodyMs: number;
  mbPerSecEndToEnd: number;
  mbPerSecTransfer: number;
  rssBeforeBytes: number;
  rssPeakBytes: number;
  rssAfterBytes: number;
  rssGrowthBytes: number;
  /** VmHWM before and after: catches a peak between two 50 ms samples. */
  hwmBeforeBytes: number;
  hwmAfterBytes: number;
  /** Largest RSS of the server's child processes (the audio-probe worker) during the upload. */
  childPeakBytes: number;
  samples: number;
  /** [ms, RSS bytes] every 50 ms. */
  series: Array<[number, number]>;
}

export interface UploadResult {
  size: number;
  startupMs: number;
  attempts: UploadAttempt[];
  serverLog: string[];
}

async function run(ctx: ScenarioContext): Promise<UploadResult> {
  const recording = await largeRecording(ctx);
  const server = await ctx.startServer();
  try {
    const token = await createToken(server.baseUrl, ctx.manifest.accounts.admin.username, ctx.manifest.password);
    const attempts: UploadAttempt[] = [];
    for (let i = 0; i < ATTEMPTS; i += 1) {
      await new Promise((r) => setTimeout(r, 1000));
      const before = readMemory(server.pid)!;
      const sampler = new RssSampler(server.pid, 50, true);
      const up = await uploadCall(server.baseUrl, token, ctx.manifest, recording, `bench-upload-${Date.now()}-${i}`);
      const trace = sampler.stop();
      if (up.status !== 201) throw new Error(`upload ${i + 1}: ${up.status} ${up.body.slice(0, 300)}`);
      await new Promise((r) => setTimeout(r, SETTLE_MS));
      const after = readMemory(server.pid)!;
      const recordingJson = (up.json?.recording ?? {}) as { sha256?: string };
      const peak = Math.max(trace.max, before.rss);
      const attempt: UploadAttempt = {
        status: up.status,
        callId: up.callId,
        sha256Matches: recordingJson.sha256 === recording.sha256,
        bytes: up.bytes,
        totalMs: round(up.totalMs, 1),
        bodySentMs: round(up.bodySentMs, 1),
        afterBodyMs: round(up.totalMs - up.bodySentMs, 1),
        mbPerSecEndToEnd: round(up.bytes / 1048576 / (up.totalMs / 1000), 1),
        mbPerSecTransfer: round(up.bytes / 1048576 / (up.bodySentMs / 1000), 1),
        rssBeforeBytes: before.rss,
        rssPeakBytes: peak,
        rssAfterBytes: after.rss,
        rssGrowthBytes: peak - before.rss,
        hwmBeforeBytes: before.hwm,
        hwmAfterBytes: after.hwm,
        childPeakBytes: trace.childrenMax,
        samples: trace.samples,
        series: trace.series,
      };
      attempts.push(attempt);
      ctx.log(
        `  upload ${i + 1}: ${attempt.totalMs} ms (${attempt.mbPerSecEndToEnd} MB/s end to end, body ${attempt.bodySentMs} ms, ` +
          `then ${attempt.afterBodyMs} ms), RSS ${mb(attempt.rssBeforeBytes)} → peak ${mb(attempt.rssPeakBytes)} → ${mb(attempt.rssAfterBytes)} MB ` +
          `(+${mb(attempt.rssGrowthBytes)} MB), probe child peak ${mb(attempt.childPeakBytes)} MB`,
      );
    }
    return { size: ctx.size, startupMs: server.startupMs, attempts, serverLog: server.logLines };
  } finally {
    await server.stop();
  }
}

function report(all: Array<{ size: number; result: UploadResult }>) {
  const md: string[] = ['## Large upload (`upload`)', ''];
  md.push(
    'A 200 MB WAV streamed as multipart/form-data to `POST /api/v1/calls` (bearer token) on a fresh server, twice. ' +
      'Server RSS (VmRSS of the server process) sampled every 50 ms; "before" is just before the request, ' +
      `"after" ${SETTLE_MS / 1000} s after the response. The audio-probe worker is a separate process, shown apart.`,
    '',
  );
  md.push(
    '| calls | # | status | total ms | MB/s end to end | body sent ms | after body ms | RSS before | RSS peak | RSS after | growth | VmHWM after | probe child peak |',
  );
  md.push('|---|---|---|---|---|---|---|---|---|---|---|---|---|');
  for (const { size, result } of all) {
    result.attempts.forEach((a, i) => {
      const mark = a.rssGrowthBytes < UPLOAD_RSS_GROWTH_TARGET_BYTES ? ' ✅' : ' ❌';
      md.push(
        `| ${shortCount(size)} | ${i + 1} | ${a.status}${a.sha256Matches ? '' : ' (sha256 mismatch!)'} | ${fmtMs(a.totalMs)} | ${a.mbPerSecEndToEnd} | ${fmtMs(a.bodySentMs)} | ${fmtMs(a.afterBodyMs)} | ${mb(a.rssBeforeBytes)} MB | ${mb(a.rssPeakBytes)} MB | ${mb(a.rssAfterBytes)} MB | +${mb(a.rssGrowthBytes)} MB${mark} | ${mb(a.hwmAfterBytes)} MB | ${mb(a.childPeakBytes)} MB |`,
      );
    });
  }
  const attempts = all.flatMap((r) => r.result.attempts);
  const worst = [...attempts].sort((a, b) => b.rssGrowthBytes - a.rssGrowthBytes)[0];
  const checks = [
    worst
      ? {
          target: 'A 200 MB upload keeps the server RSS growth under 64 MB',
          measured: `largest growth +${mb(worst.rssGrowthBytes)} MB (peak ${mb(worst.rssPeakBytes)} MB); ${worst.mbPerSecEndToEnd} MB/s end to end`,
          pass: attempts.every((a) => a.rssGrowthBytes < UPLOAD_RSS_GROWTH_TARGET_BYTES),
        }
      : { target: 'A 200 MB upload keeps the server RSS growth under 64 MB', measured: 'not run', pass: null },
  ];
  return {
    json: {
      targets: { rssGrowthBytes: UPLOAD_RSS_GROWTH_TARGET_BYTES },
      sizes: Object.fromEntries(all.map((r) => [r.size, r.result])),
    },
    markdown: md.join('\n'),
    checks,
  };
}

export const uploadScenario = defineScenario<UploadResult>({
  name: 'upload',
  title: '200 MB upload: server memory and throughput',
  sizes: 'largest',
  run,
  report,
});
