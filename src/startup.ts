import type { Server } from 'node:http';
import type { Logger } from 'pino';
import { createApp } from './app';
import { purgeExpiredSessions } from './auth';
import type { Runtime } from './bootstrap';
import { cleanUpPeaks, cleanUpStoredPeaks } from './analysis';
import { AutoEvaluationRunner } from './autoeval';
import {
  applyRetention,
  reconcileObjectStorage,
  liveInstances,
  reconcileStorage,
  snapshotStaging,
  sweepDeadStaging,
  type StagedSnapshot,
} from './calls';
import { releaseDueEvaluations } from './evaluations';
import { refreshAllRollups } from './reports';
import { runSamplingTopUp } from './sampling';
import type { Config } from './config';
import { runJobOnce } from './db/exclusive';
import { refreshPlannerStatistics } from './db/planner-statistics';
import type { AppDeps } from './deps';
import { isDraining } from './readiness';
import { deliverDue } from './webhooks';
import { sweepInboxOnce } from './inbox';
import { topicTagging } from './topics';

/** The start-up reconciler; a test may wrap it (to hold it while it checks that the server answers). */
export type Reconcile = (deps: AppDeps, staged: StagedSnapshot) => Promise<unknown>;

export interface Started {
  server: Server;
  /** Rubrics in auto mode score every analysed call in the background (issue 16). */
  autoEvaluations: AutoEvaluationRunner;
  /** Settles when the recordings are reconciled and the peaks cleaned up (shutdown waits for it: files move). */
  reconciled: Promise<void>;
  /** Settles when all the background start-up work (then retention, sampling, roll-ups) is done. */
  background: Promise<void>;
}

const MINUTE = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;
const STAGING_SWEEP_MS = 5 * MINUTE;
const WEBHOOK_TICK_MS = 1000;
/** SQLite's advice for a long-lived connection: `PRAGMA optimize` every few hours (src/db/planner-statistics.ts). */
const PLANNER_STATISTICS_MS = 6 * HOUR;
/**
 * How long an idle keep-alive connection stays open: longer than a load balancer's idle timeout (nginx's upstream
 * keepalive_timeout and AWS's ALB default to 60 s), so the balancer closes it first. With Node's default of 5 s
 * the app closed connections the balancer was about to reuse, and the request sent on one got a reset (a 502
 * for a submit, which nginx does not retry). Headers may take a second longer, as Node requires.
 */
export const KEEP_ALIVE_MS = 65_000;

/**
 * A background job, run in one app process at a time on PostgreSQL (src/db/exclusive.ts); a periodic one is
 * skipped when any process finished it within most of its period, so it runs once per period across them.
 */
function once(deps: AppDeps, name: string, work: () => Promise<unknown>, minIntervalMs = 0) {
  return runJobOnce(deps.db, name, work, { minIntervalMs, now: () => deps.clock.now() });
}

/** The hourly and daily jobs; returns their timers so shutdown can stop them. */
export function scheduleJobs(deps: AppDeps, logger: Logger): NodeJS.Timeout[] {
  const sweeper = setInterval(() => {
    purgeExpiredSessions(deps.db, deps.clock).catch((err: unknown) => logger.error({ err }, 'session purge failed'));
    // Hourly, so "release after N days" lands within the hour it is due.
    once(deps, 'release', () => releaseDueEvaluations(deps), HOUR * 0.9).catch((err: unknown) =>
      logger.error({ err }, 'scheduled release failed'),
    );
    once(deps, 'rollups', () => refreshAllRollups(deps.db), HOUR * 0.9).catch((err: unknown) =>
      logger.error({ err }, 'report roll-up refresh failed'),
    );
  }, HOUR);
  const statistics = setInterval(() => {
    refreshPlannerStatistics(deps.db).catch((err: unknown) =>
      logger.error({ err }, 'planner statistics refresh failed'),
    );
  }, PLANNER_STATISTICS_MS);
  const daily = setInterval(() => {
    once(deps, 'retention', () => applyRetention(deps), DAY * 0.9).catch((err: unknown) =>
      logger.error({ err }, 'retention job failed'),
    );
    once(deps, 'sampling-top-up', () => runSamplingTopUp(deps), DAY * 0.9).catch((err: unknown) =>
      logger.error({ err }, 'sampling top-up failed'),
    );
  }, DAY);
  // Webhook deliveries that are due (new events, retries) go out within a second. A tick while a run drains the
  // queue returns at once, so a long backlog is sent run after run with no gap; an idle tick is one indexed read.
  const webhooks = setInterval(() => {
    deliverDue(deps).catch((err: unknown) => logger.error({ err }, 'webhook delivery failed'));
  }, WEBHOOK_TICK_MS);
  // The recordings inbox (issue 18), when RECORDINGS_INBOX is set: swept every minute (RECORDINGS_INBOX_SWEEP_S).
  const inbox = setInterval(() => {
    if (deps.config.inbox) sweepInboxOnce(deps).catch((err: unknown) => logger.error({ err }, 'inbox sweep failed'));
  }, deps.config.inbox?.sweepMs ?? MINUTE);
  // A process that died on another machine sharing DATA_DIR: its staging taken over once its lease runs out.
  const staging = setInterval(() => {
    sweepDeadStaging(deps).catch((err: unknown) => logger.error({ err }, 'staging take-over failed'));
  }, STAGING_SWEEP_MS);
  const timers = [sweeper, statistics, daily, webhooks, inbox, staging];
  for (const timer of timers) timer.unref();
  return timers;
}

/**
 * After listening: the recordings reconciled against the folder (7 s at a million calls, so never before
 * `/healthz` answers), then the peaks clean-up, which must finish before the analysis worker starts (every
 * unfinished peaks file of this process is then a crash's leftover), then retention and the sampling top-up.
 */
async function reconcileThenAnalyse(
  deps: AppDeps,
  staged: StagedSnapshot,
  autoEvaluations: AutoEvaluationRunner,
  reconcile: Reconcile,
): Promise<void> {
  await reconcile(deps, staged);
  // A previous run of this process (a new name at every start) holds no live lease: its unfinished peaks go.
  await cleanUpPeaks(deps, await liveInstances(deps));
  // Recordings are analysed one at a time in the background, new calls first come first (issue 15).
  deps.analysis.start(deps);
  autoEvaluations.start(deps);
  // Call topics tag every analysed call, and re-tag them all after a topic changes (issue 16).
  topicTagging(deps).start(deps);
  // Publishing a rubric version starts the runner at once, not only at the next 15 s sweep.
  deps.rubricPublished = [...(deps.rubricPublished ?? []), () => autoEvaluations.run(deps).then(() => undefined)];
}

async function laterCatchUp(deps: AppDeps): Promise<void> {
  // The recordings inbox's first sweep (files written while the server was down), after the staging reconcile.
  if (deps.config.inbox) {
    await sweepInboxOnce(deps).catch((err: unknown) => deps.logger.error({ err }, 'inbox sweep failed'));
  }
  // Object storage (a no-op on disk): staged objects settled, rows checked against the bucket's listing (1,000
  // keys a request, merged with the rows in name order; the analysis worker is already running), then orphan peaks.
  await reconcileObjectStorage(deps);
  await cleanUpStoredPeaks(deps);
  await once(deps, 'retention', () => applyRetention(deps));
  await once(deps, 'sampling-top-up', () => runSamplingTopUp(deps));
  // Days left stale by imports or an upgrade are summed in the background, a month per transaction.
  const started = Date.now();
  const run = await once(deps, 'rollups', () => refreshAllRollups(deps.db));
  const days = run.ran ? run.value : 0;
  if (days) deps.logger.info({ days, ms: Date.now() - started }, 'report roll-ups brought up to date');
}

/**
 * Listens first: only quick catch-up runs before (expired sessions, scorecards due for release); the rest runs
 * in the background once the server answers.
 */
export async function startServer(
  config: Config,
  { deps }: Runtime,
  logger: Logger,
  reconcile: Reconcile = reconcileStorage,
): Promise<Started> {
  await purgeExpiredSessions(deps.db, deps.clock);
  await once(deps, 'release', () => releaseDueEvaluations(deps));
  const staged = await snapshotStaging(deps);
  const autoEvaluations = new AutoEvaluationRunner();
  const app = createApp(deps);
  const server = await new Promise<Server>((resolve, reject) => {
    const listening: Server = app.listen(config.port, config.host, (err?: Error) =>
      err ? reject(err) : resolve(listening),
    );
  });
  server.keepAliveTimeout = KEEP_ALIVE_MS;
  server.headersTimeout = KEEP_ALIVE_MS + 1000;
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  logger.info({ url: `http://${config.host}:${port}/`, dataDir: config.dataDir }, 'Callscore is listening');
  const started = Date.now();
  // Planner statistics first (about 0.5 s at a million calls): every query after, the reconcile's too, plans by them.
  const planned = refreshPlannerStatistics(deps.db).catch((err: unknown) =>
    logger.error({ err }, 'planner statistics refresh failed'),
  );
  const reconciled = planned.then(() => reconcileThenAnalyse(deps, staged, autoEvaluations, reconcile));
  const background = reconciled
    .then(() => laterCatchUp(deps))
    .then(
      () => logger.info({ ms: Date.now() - started }, 'start-up catch-up done'),
      (err: unknown) =>
        // A shutdown closes the database under it: what it left stale is durable and done after the next start.
        isDraining()
          ? logger.info({ err: String(err) }, 'start-up catch-up stopped by the shutdown')
          : logger.error({ err }, 'start-up catch-up failed'),
    );
  return { server, autoEvaluations, reconciled: reconciled.catch(() => undefined), background };
}
