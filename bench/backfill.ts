/**
 * Issue 15's last performance figure: the dashboards while a backfill analyses 10,000 calls.
 *
 *   node_modules/.bin/tsx bench/backfill.ts [--calls 100000] [--recordings 10000] [--window-s 240]   # or: npm run bench:backfill
 *
 * Generates a dataset (bench/generator) whose newest 10,000 recorded calls each have their own real recording
 * (hard links of one 8 kHz stereo WAV made with sox), starts the real server on it, and loads the supervisor's
 * and the manager's dashboards (`GET /`) from `--connections` keep-alive connections at once: first with nothing
 * else running (the base), then after the admin's backfill (POST /admin/analysis/backfill) while the server's
 * analysis worker runs. Reports median and p95 of each phase, the backfill's throughput over the window (calls/s
 * and audio seconds per wall second, from the queue in the database), the server's and the worker's RSS and
 * os.loadavg() at the start and end. The backfill stops at the window's end (or when the queue is empty); the
 * time for all 10,000 is extrapolated from the measured rate. Writes bench/results/backfill.json.
 */
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { buildApp, resolveApp } from './lib/app';
import { numberArg, parseArgs, flagArg } from './lib/args';
import { makeCallWav, prepareBackfillData, queueCounts, type QueueCounts } from './lib/backfill-data';
import { cacheRoot } from './lib/dataset';
import { request, signIn } from './lib/http';
import { readMemory, RssSampler } from './lib/rss';
import { startServer, type ServerHandle } from './lib/server';
import { mb, round, summarize, type Summary } from './lib/stats';

const TARGET_MEDIAN_MS = 50;

interface LoadPhase {
  seconds: number;
  requests: number;
  errors: number;
  all: Summary;
  supervisor: Summary;
  manager: Summary;
}

type Sessions = { supervisor: string; manager: string };

/** `connections` closed loops, each on its own keep-alive connection, alternating the two dashboards. */
async function loadDashboards(
  server: ServerHandle,
  sessions: Sessions,
  connections: number,
  thinkMs: number,
  until: () => boolean,
): Promise<LoadPhase> {
  const times = { supervisor: [] as number[], manager: [] as number[] };
  let errors = 0;
  const started = performance.now();
  const loop = async (n: number) => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    for (let i = n; !until(); i += 1) {
      const who = i % 2 === 0 ? 'supervisor' : 'manager';
      const reply = await request(server.baseUrl, '/', { agent, headers: { cookie: sessions[who] }, keepBody: false });
      if (reply.status === 200) times[who].push(reply.ms);
      else errors += 1;
      if (thinkMs > 0) await new Promise((r) => setTimeout(r, thinkMs));
    }
    agent.destroy();
  };
  await Promise.all(Array.from({ length: connections }, (_, n) => loop(n)));
  const all = [...times.supervisor, ...times.manager];
  return {
    seconds: round((performance.now() - started) / 1000, 1),
    requests: all.length,
    errors,
    all: summarize(all),
    supervisor: summarize(times.supervisor),
    manager: summarize(times.manager),
  };
}

/** The admin's "Analyse all calls without analysis" button: the queue page's form, with its CSRF token. */
async function triggerBackfill(server: ServerHandle, adminCookie: string): Promise<number> {
  const agent = new http.Agent({ keepAlive: false });
  const page = await request(server.baseUrl, '/admin/analysis', { agent, headers: { cookie: adminCookie } });
  const csrf = /name="_csrf" value="([^"]+)"/.exec(page.body.toString('utf8'))?.[1];
  if (page.status !== 200 || !csrf) throw new Error(`no backfill form on /admin/analysis (${page.status})`);
  const started = performance.now();
  const reply = await request(server.baseUrl, '/admin/analysis/backfill', {
    agent,
    method: 'POST',
    headers: { cookie: adminCookie, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ _csrf: csrf }).toString(),
  });
  if (reply.status !== 303) throw new Error(`backfill answered ${reply.status}`);
  return Math.round(performance.now() - started);
}

interface Progress {
  atS: number;
  done: number;
  failed: number;
  pending: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const calls = numberArg(args, 'calls', 100_000);
  const recordings = numberArg(args, 'recordings', 10_000);
  const windowS = numberArg(args, 'window-s', 240);
  const baseS = numberArg(args, 'base-s', 30);
  const connections = numberArg(args, 'connections', 4);
  const thinkMs = numberArg(args, 'think-ms', 100);
  const audioS = numberArg(args, 'audio-s', 45);
  const resultsDir = args.get('results') ?? path.join(__dirname, 'results');
  const cache = path.join(cacheRoot(), 'backfill');
  fs.mkdirSync(cache, { recursive: true });
  const app = resolveApp(undefined, cache);
  if (!flagArg(args, 'skip-build')) console.log(`build: ${buildApp(app)} ms`);
  const wav = makeCallWav(cache, audioS);
  const dataDir = path.join(cache, 'data');
  const prepStarted = performance.now();
  const { manifest } = await prepareBackfillData(dataDir, calls, recordings, wav);
  console.log(`dataset: ${calls} calls, ${recordings} recordings in ${Math.round(performance.now() - prepStarted)} ms`);
  const server = await startServer({ app, dataDir, scryptLogN: manifest.scryptLogN });
  try {
    const result = await measure(server, manifest, { dataDir, windowS, baseS, connections, thinkMs, recordings });
    const out = { date: new Date().toISOString(), setup: { calls, recordings, wav_bytes: wav.bytes, audio_s: audioS, connections, think_ms: thinkMs, window_s: windowS, base_s: baseS, cpus: os.cpus().length, node: process.version }, ...result }; // prettier-ignore
    fs.mkdirSync(resultsDir, { recursive: true });
    fs.writeFileSync(path.join(resultsDir, 'backfill.json'), `${JSON.stringify(out, null, 2)}\n`);
    console.log(JSON.stringify({ ...out, progress: undefined }, null, 2));
  } finally {
    await server.stop();
    if (!flagArg(args, 'keep')) fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

interface MeasureOptions {
  dataDir: string;
  windowS: number;
  baseS: number;
  connections: number;
  thinkMs: number;
  recordings: number;
}

async function measure(
  server: ServerHandle,
  manifest: Awaited<ReturnType<typeof prepareBackfillData>>['manifest'],
  o: MeasureOptions,
) {
  const sessions = {
    supervisor: await signIn(server.baseUrl, manifest.accounts.supervisor.username, manifest.password),
    manager: await signIn(server.baseUrl, manifest.accounts.manager.username, manifest.password),
  };
  const adminCookie = await signIn(server.baseUrl, manifest.accounts.admin.username, manifest.password);
  let stopAt = performance.now() + 5000;
  await loadDashboards(server, sessions, o.connections, o.thinkMs, () => performance.now() > stopAt); // warm-up
  const loadavgBase = os.loadavg();
  stopAt = performance.now() + o.baseS * 1000;
  const base = await loadDashboards(server, sessions, o.connections, o.thinkMs, () => performance.now() > stopAt);
  const rssIdle = readMemory(server.pid)?.rss ?? 0;

  const loadavgStart = os.loadavg();
  const sampler = new RssSampler(server.pid, 250, true);
  const backfillMs = await triggerBackfill(server, adminCookie);
  const started = performance.now();
  const queued: QueueCounts = queueCounts(o.dataDir);
  const progress: Progress[] = [];
  let last = queued;
  let finished = false;
  stopAt = started + o.windowS * 1000;
  const watcher = (async () => {
    while (performance.now() < stopAt && !finished) {
      await sleep(5000);
      last = queueCounts(o.dataDir);
      progress.push({ atS: round((performance.now() - started) / 1000, 1), done: last.done, failed: last.failed, pending: last.pending }); // prettier-ignore
      finished = last.pending + last.running === 0;
    }
  })();
  const during = await loadDashboards(server, sessions, o.connections, o.thinkMs, () => finished || performance.now() > stopAt); // prettier-ignore
  await watcher;
  const elapsedS = (performance.now() - started) / 1000;
  const rss = sampler.stop();
  const loadavgEnd = os.loadavg();
  last = queueCounts(o.dataDir);
  const analysed = last.done + last.failed;
  const callsPerS = analysed / elapsedS;
  return {
    queued: { total: queued.pending + queued.running + queued.done + queued.failed, backfill_request_ms: backfillMs },
    base,
    during,
    ratio_median: round(during.all.median / base.all.median),
    target: { median_ms: TARGET_MEDIAN_MS, pass: during.all.median < TARGET_MEDIAN_MS },
    backfill: {
      window_s: round(elapsedS, 1),
      done: last.done,
      failed: last.failed,
      pending: last.pending + last.running,
      calls_per_s: round(callsPerS, 3),
      audio_s_per_wall_s: round(last.audioS / elapsedS, 1),
      all_done: last.pending + last.running === 0,
      extrapolated_total_s: callsPerS > 0 ? Math.round(o.recordings / callsPerS) : null,
    },
    rss_mb: { server_idle: mb(rssIdle), server_min: mb(rss.min), server_max: mb(rss.max), server_last: mb(rss.last), worker_max: mb(rss.childrenMax) }, // prettier-ignore
    loadavg: { base_start: loadavgBase.map((n) => round(n)), start: loadavgStart.map((n) => round(n)), end: loadavgEnd.map((n) => round(n)) }, // prettier-ignore
    progress,
  };
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
