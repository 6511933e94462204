import type { Server } from 'node:http';
import type { Logger } from 'pino';
import { createApp } from './app';
import { purgeExpiredSessions } from './auth';
import { bootstrap, createLogger, type Runtime } from './bootstrap';
import { cleanUpPeaks, cleanUpStoredPeaks } from './analysis';
import { AutoEvaluationRunner } from './autoeval';
import { applyRetention, reconcileObjectStorage, reconcileStorage } from './calls';
import { releaseDueEvaluations } from './evaluations';
import { refreshAllRollups } from './reports';
import { runSamplingTopUp } from './sampling';
import { ConfigError, loadConfig, type Config } from './config';
import { runJobOnce } from './db/exclusive';
import type { AppDeps } from './deps';
import { isDatabaseUnreachable, isPoolExhausted } from './lib/faults';
import { markDraining } from './readiness';
import { deliverDue } from './webhooks';

const SHUTDOWN_GRACE_MS = 10_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;

/**
 * A background job, run in one app process at a time on PostgreSQL (src/db/exclusive.ts); a periodic one is
 * skipped when any process finished it within most of its period, so it runs once per period across them.
 */
function once(deps: AppDeps, name: string, work: () => Promise<unknown>, minIntervalMs = 0) {
  return runJobOnce(deps.db, name, work, { minIntervalMs, now: () => deps.clock.now() });
}

/** Catch-up work at start-up, before the server takes requests. */
async function catchUp(deps: AppDeps): Promise<void> {
  await purgeExpiredSessions(deps.db, deps.clock);
  await reconcileStorage(deps);
  // Before the analysis worker starts, so every unfinished peaks file of this process is a crash's leftover.
  await cleanUpPeaks(deps);
  await once(deps, 'retention', () => applyRetention(deps));
  await once(deps, 'release', () => releaseDueEvaluations(deps));
  await once(deps, 'sampling-top-up', () => runSamplingTopUp(deps));
}

/** The hourly and daily jobs; returns their timers so shutdown can stop them. */
function scheduleJobs(deps: AppDeps, logger: Logger): NodeJS.Timeout[] {
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
  const daily = setInterval(() => {
    once(deps, 'retention', () => applyRetention(deps), DAY * 0.9).catch((err: unknown) =>
      logger.error({ err }, 'retention job failed'),
    );
    once(deps, 'sampling-top-up', () => runSamplingTopUp(deps), DAY * 0.9).catch((err: unknown) =>
      logger.error({ err }, 'sampling top-up failed'),
    );
  }, DAY);
  // Webhook deliveries that are due (new events, retries) go out every few seconds.
  const webhooks = setInterval(() => {
    deliverDue(deps).catch((err: unknown) => logger.error({ err }, 'webhook delivery failed'));
  }, 5000);
  sweeper.unref();
  daily.unref();
  webhooks.unref();
  return [sweeper, daily, webhooks];
}

// Rubrics in auto mode score every analysed call in the background (issue 16).
const autoEvaluations = new AutoEvaluationRunner();

function listen(config: Config, { deps }: Runtime, logger: Logger): Server {
  const app = createApp(deps);
  const server: Server = app.listen(config.port, config.host, () => {
    logger.info({ url: `http://${config.host}:${config.port}/`, dataDir: config.dataDir }, 'Callscore is listening');
    // Recordings are analysed one at a time in the background, new calls first come first (issue 15).
    deps.analysis.start(deps);
    // Object storage is checked against the rows in the background: /healthz and uploads never wait for it.
    reconcileObjectStorage(deps)
      .then(() => cleanUpStoredPeaks(deps))
      .catch((err: unknown) =>
        logger.error({ err }, 'object storage reconcile failed; it runs again at the next start'),
      );
    autoEvaluations.start(deps);
    // Days left stale by imports or an upgrade are summed in the background, a month per transaction.
    const started = Date.now();
    once(deps, 'rollups', () => refreshAllRollups(deps.db))
      .then((run) => {
        const days = run.ran ? run.value : 0;
        if (days) logger.info({ days, ms: Date.now() - started }, 'report roll-ups brought up to date');
      })
      .catch((err: unknown) => logger.error({ err }, 'report roll-up refresh failed'));
  });
  server.on('error', (err) => {
    logger.fatal({ err }, 'server failed to start');
    process.exit(1);
  });
  return server;
}

/** A clean stop on a signal: no new requests, in-flight ones finish (or are cut after a grace), then the db closes. */
function shutdownOnSignals(server: Server, { deps, database }: Runtime, timers: NodeJS.Timeout[], logger: Logger) {
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down: finishing in-flight requests');
    markDraining();
    for (const timer of timers) clearInterval(timer);
    const force = setTimeout(() => {
      logger.warn('in-flight requests did not finish in time; closing connections');
      server.closeAllConnections();
    }, SHUTDOWN_GRACE_MS);
    force.unref();
    // Imports (page jobs and API requests) stop after their current transaction; what they added stays.
    // The analysis worker stops after the job under way; an unfinished job is claimed again after a restart.
    const importsStopped = Promise.all([deps.imports.stop(), deps.analysis.stop(), autoEvaluations.stop()]);
    server.close(() => {
      importsStopped
        .then(() => database.close())
        .then(
          () => {
            logger.info('database closed; bye');
            process.exit(0);
          },
          (err: unknown) => {
            logger.error({ err }, 'closing the database failed');
            process.exit(1);
          },
        );
    });
    server.closeIdleConnections();
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config);
  const runtime = await bootstrap(config, logger);
  await catchUp(runtime.deps);
  const timers = scheduleJobs(runtime.deps, logger);
  const server = listen(config, runtime, logger);
  shutdownOnSignals(server, runtime, timers, logger);
}

/** Where DATABASE_URL points, without user or password, for a message a person can act on. */
function databaseHost(): string {
  try {
    const url = new URL(process.env.DATABASE_URL ?? '');
    return `${url.hostname}:${url.port || '5432'}`;
  } catch {
    return 'the server DATABASE_URL names';
  }
}

main().catch((err: unknown) => {
  if (err instanceof ConfigError) {
    console.error(err.message);
  } else if (isDatabaseUnreachable(err) || isPoolExhausted(err)) {
    console.error(
      `Callscore cannot reach its database at ${databaseHost()}. Check DATABASE_URL, and that PostgreSQL is ` +
        'running and accepts connections from this machine; then start Callscore again.',
    );
  } else {
    console.error('Callscore failed to start:', err);
  }
  process.exit(1);
});
