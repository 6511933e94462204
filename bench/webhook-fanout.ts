/**
 * Webhook fan-out (issue 18): do deliveries keep up with 1,000 events/s while scorecard submits stay at
 * 300/s or more?
 *
 *   npm run build && npm run bench:webhooks -- --data DATASET_DIR [--webhooks 4] [--rate 1000] [--seconds 10]
 *
 * On a scratch copy of a generated dataset (a small one: `npm run bench:generate -- --calls 30000 --out DIR`),
 * the built server runs with WEBHOOK_ALLOW_PRIVATE=true and `--webhooks` subscriptions to `evaluation.submitted`
 * and `call.analysed`, all pointing at a loopback receiver that checks every signature with the
 * `standardwebhooks` reference library. Phase 1: submits alone (`--connections` concurrent supervisors,
 * `POST /api/v1/evaluations`, `submit: true`) with no subscription. Phase 2: the same submits (each queues one
 * delivery per subscription) while this process tops the queue up to `--rate` deliveries/s with the app's own
 * `queueWebhookEvent` (`call.analysed`, in its own transactions on the same database file, as a second app
 * process would). Phase 3: no load; how long the backlog takes to drain (at most `--drain-seconds`).
 * Reported: deliveries/s, lag (arrival minus the event's queue time) median/p95, submits/s in each phase, the
 * server's RSS, the load average and the share of the CPU other work used. Writes bench/results/webhook-fanout.json.
 */
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { openDatabase } from '../src/db/database';
import { inTransaction } from '../src/db/transaction';
import { queueWebhookEvent } from '../src/webhooks';
import { numberArg, parseArgs } from './lib/args';
import { resolveApp } from './lib/app';
import { CpuWatch, processJiffies } from './lib/cpu';
import { DATABASE_FILE, PROJECT_ROOT, cacheRoot, copyDataset, readManifest } from './lib/dataset';
import { createToken, request } from './lib/http';
import { readMemory } from './lib/rss';
import { answersFor, freshCalls, openReadOnly, publishedRubric, teamSupervisors } from './lib/samples';
import { startServer, type ServerHandle } from './lib/server';
import { round, summarize } from './lib/stats';
import { WebhookReceiver } from './lib/webhook-receiver';

const EVENTS = ['evaluation.submitted', 'call.analysed'];
const load = () => os.loadavg().map((l) => round(l, 2));
const mb = (bytes: number) => Math.round(bytes / 1048576);

interface Work {
  baseUrl: string;
  calls: Array<{ id: number; token: string }>;
  next: number;
  rubric: ReturnType<typeof publishedRubric>;
}

/** `connections` loops submitting fresh calls until the deadline; 201s per second and their latencies. */
async function submitFor(work: Work, connections: number, seconds: number) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: connections });
  const times: number[] = [];
  let failed = 0;
  const started = Date.now();
  const deadline = started + seconds * 1000;
  const loop = async () => {
    while (Date.now() < deadline && work.next < work.calls.length) {
      const call = work.calls[work.next++];
      const body = JSON.stringify({ call_id: call.id, rubric_id: work.rubric.id, answers: answersFor(work.rubric, work.next), comment: 'Bench.', submit: true, time_spent_s: 240 }); // prettier-ignore
      const headers = { authorization: `Bearer ${call.token}`, 'content-type': 'application/json' };
      const res = await request(work.baseUrl, '/api/v1/evaluations', { method: 'POST', headers, body, agent, keepBody: false }); // prettier-ignore
      if (res.status === 201) times.push(res.ms);
      else failed += 1;
    }
  };
  await Promise.all(Array.from({ length: connections }, loop));
  const elapsed = (Date.now() - started) / 1000;
  agent.destroy();
  if (work.next >= work.calls.length) throw new Error('ran out of unscored calls: use a larger dataset');
  const latency = summarize(times);
  return { submitted: times.length, failed, perSecond: round(times.length / elapsed, 1), medianMs: round(latency.median, 1), p95Ms: round(latency.p95, 1) }; // prettier-ignore
}

/** Queues call.analysed events so that, with the submits' own, `rate` deliveries/s are queued; stops on `stop()`. */
function startProducer(dataDir: string, webhooks: number, rate: number, submitted: () => number) {
  const handle = openDatabase(path.join(dataDir, DATABASE_FILE));
  const started = Date.now();
  let events = 0;
  let running = true;
  const done = (async () => {
    while (running) {
      const due = Math.floor((rate * (Date.now() - started)) / 1000);
      const missing = Math.ceil((due - (events + submitted()) * webhooks) / webhooks);
      if (missing > 0) {
        const now = new Date().toISOString();
        await inTransaction(handle.db, async (trx) => {
          for (let i = 0; i < missing; i += 1) {
            await queueWebhookEvent(trx, now, 'call.analysed', { call_id: 1_000_000_000 + events + i, talk_s: 120 });
          }
        });
        events += missing;
      }
      await new Promise((r) => setTimeout(r, 20));
    }
    await handle.close();
  })();
  return {
    async stop() {
      running = false;
      await done;
      return events;
    },
  };
}

function countDeliveries(dataDir: string): Record<string, number> {
  const db = openReadOnly(dataDir);
  const rows = db.prepare('select status, count(*) as n from webhook_deliveries group by status').all() as Array<{ status: string; n: number }>; // prettier-ignore
  db.close();
  return Object.fromEntries(rows.map((r) => [r.status, r.n]));
}

function rssSampler(pid: number) {
  const samples: number[] = [];
  const timer = setInterval(() => {
    const m = readMemory(pid);
    if (m) samples.push(m.rss);
  }, 250);
  return {
    stop() {
      clearInterval(timer);
      return { peakMb: mb(Math.max(...samples)), lastMb: mb(samples.at(-1) ?? 0) };
    },
  };
}

async function prepare(server: ServerHandle, dataDir: string, password: string): Promise<Work> {
  const ro = openReadOnly(dataDir);
  const rubric = publishedRubric(ro);
  const supervisors = teamSupervisors(ro);
  const calls = freshCalls(ro, 100_000).filter((c) => supervisors.has(c.teamId));
  ro.close();
  const tokens = new Map<string, string>();
  for (const username of new Set(supervisors.values())) {
    tokens.set(username, await createToken(server.baseUrl, username, password));
  }
  const withTokens = calls.map((c) => ({ id: c.id, token: tokens.get(supervisors.get(c.teamId)!)! }));
  return { baseUrl: server.baseUrl, calls: withTokens, next: 0, rubric };
}

async function subscribe(server: ServerHandle, receiver: WebhookReceiver, adminToken: string, n: number) {
  for (let i = 0; i < n; i += 1) {
    const res = await request(server.baseUrl, '/api/v1/webhooks', {
      method: 'POST',
      headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ url: receiver.url(i), events: EVENTS, description: `bench ${i}` }),
    });
    if (res.status !== 201) throw new Error(`webhook ${i}: ${res.status} ${res.body.toString('utf8')}`);
    receiver.addSecret(i, (JSON.parse(res.body.toString('utf8')) as { secret: string }).secret);
  }
}

/** Waits until every queued delivery arrived (or the time is up); deliveries/s while draining. */
async function drain(receiver: WebhookReceiver, dataDir: string, seconds: number) {
  const started = Date.now();
  const before = receiver.delivered;
  let counts = countDeliveries(dataDir);
  while (Date.now() - started < seconds * 1000 && (counts.pending ?? 0) > 0) {
    await new Promise((r) => setTimeout(r, 1000));
    counts = countDeliveries(dataDir);
  }
  const elapsed = (Date.now() - started) / 1000;
  return { seconds: round(elapsed, 1), delivered: receiver.delivered - before, perSecond: round((receiver.delivered - before) / elapsed, 1), statusesAfter: counts }; // prettier-ignore
}

async function fanOut(
  server: ServerHandle,
  receiver: WebhookReceiver,
  work: Work,
  dataDir: string,
  args: Map<string, string>,
) {
  const webhooks = numberArg(args, 'webhooks', 4);
  const rate = numberArg(args, 'rate', 1000);
  const seconds = numberArg(args, 'seconds', 10);
  const connections = numberArg(args, 'connections', 4);
  const baseline = await submitFor(work, connections, seconds);
  console.log(`submits alone: ${JSON.stringify(baseline)}`);
  const adminToken = await createToken(server.baseUrl, 'bench.admin', args.get('password')!);
  await subscribe(server, receiver, adminToken, webhooks);
  const before = countDeliveries(dataDir);
  const rss = rssSampler(server.pid);
  const loadBefore = load();
  const from = Date.now();
  const submittedAtStart = work.next;
  const producer = startProducer(dataDir, webhooks, rate, () => work.next - submittedAtStart);
  const during = await submitFor(work, connections, seconds);
  const produced = await producer.stop();
  const to = Date.now();
  const loadDuring = load();
  const queued = Object.values(countDeliveries(dataDir)).reduce((a, b) => a + b, 0) - Object.values(before).reduce((a, b) => a + b, 0); // prettier-ignore
  const window = receiver.window(from, to);
  console.log(`fan-out: queued ${queued} in ${(to - from) / 1000} s, ${JSON.stringify(window)}, submits ${JSON.stringify(during)}`); // prettier-ignore
  const drained = await drain(receiver, dataDir, numberArg(args, 'drain-seconds', 30));
  console.log(`drain: ${JSON.stringify(drained)}`);
  const all = receiver.window(from, Date.now());
  return {
    webhooks,
    targetDeliveriesPerSecond: rate,
    seconds,
    connections,
    submitsAlone: baseline,
    fanOut: {
      queued,
      queuedPerSecond: round(queued / ((to - from) / 1000), 1),
      producerEvents: produced,
      delivered: window.delivered,
      deliveredPerSecond: window.perSecond,
      lagMedianMs: window.lagMedianMs,
      lagP95Ms: window.lagP95Ms,
      submits: during,
      serverRss: rss.stop(),
      loadavgBefore: loadBefore,
      loadavgAfter: loadDuring,
    },
    drain: drained,
    allDeliveries: { delivered: all.delivered, lagMedianMs: all.lagMedianMs, lagP95Ms: all.lagP95Ms },
    receiver: { badSignatures: receiver.badSignatures, duplicates: receiver.duplicates },
  };
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const data = args.get('data');
  if (!data) throw new Error('--data DATASET_DIR is required');
  const manifest = readManifest(data);
  if (!manifest) throw new Error(`${data} has no bench manifest`);
  args.set('password', manifest.password);
  const dataDir = path.join(cacheRoot(), 'webhook-fanout');
  fs.rmSync(dataDir, { recursive: true, force: true });
  await copyDataset(data, dataDir);
  const receiver = new WebhookReceiver();
  await receiver.start();
  const watch = new CpuWatch();
  const app = resolveApp(undefined, cacheRoot());
  const server = await startServer({ app, dataDir, scryptLogN: manifest.scryptLogN, env: { WEBHOOK_ALLOW_PRIVATE: 'true' } }); // prettier-ignore
  let result;
  try {
    const work = await prepare(server, dataDir, manifest.password);
    result = await fanOut(server, receiver, work, dataDir, args);
  } finally {
    watch.addServer(processJiffies(server.pid));
    await server.stop();
    await receiver.stop();
  }
  const cpu = watch.stop();
  const out = {
    measuredAt: new Date().toISOString(),
    dataset: { calls: manifest.options.calls, teams: manifest.options.teams },
    ...result,
    cpu,
    targets: {
      deliveriesKeepUp: result.fanOut.deliveredPerSecond >= result.targetDeliveriesPerSecond,
      submitsAtLeast300: result.fanOut.submits.perSecond >= 300,
    },
  };
  const resultsDir = args.get('results') ?? path.join(PROJECT_ROOT, 'bench', 'results');
  fs.writeFileSync(path.join(resultsDir, 'webhook-fanout.json'), `${JSON.stringify(out, null, 2)}\n`);
  console.log(JSON.stringify(out.targets), JSON.stringify(cpu));
  fs.rmSync(dataDir, { recursive: true, force: true });
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
