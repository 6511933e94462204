import type { Server } from 'node:http';
import type { Logger } from 'pino';
import { createApp } from './app';
import { purgeExpiredSessions } from './auth';
import { bootstrap, createLogger, type Runtime } from './bootstrap';
import { cleanUpPeaks } from './analysis';
import { AutoEvaluationRunner } from './autoeval';
import { applyRetention, reconcileStorage } from './calls';
import { releaseDueEvaluations } from './evaluations';
import { refreshAllRollups } from './reports';
import { runSamplingTopUp } from './sampling';
import { ConfigError, loadConfig, type Config } from './config';
import type { AppDeps } from './deps';
import { deliverDue } from './webhooks';

const SHUTDOWN_GRACE_MS = 10_000;

/** Catch-up work at start-up, before the server takes requests. */
async function catchUp(deps: AppDeps): Promise<void> {
  await purgeExpiredSessions(deps.db, deps.clock);
  await reconcileStorage(deps);
  // Before the analysis worker starts, so every unfinished peaks file of this process is a crash's leftover.
  await cleanUpPeaks(deps);
  await applyRetention(deps);
  await releaseDueEvaluations(deps);
  await runSamplingTopUp(deps);
}

/** The hourly and daily jobs; returns their timers so shutdown can stop them. */
function scheduleJobs(deps: AppDeps, logger: Logger): NodeJS.Timeout[] {
  const sweeper = setInterval(() => {
    purgeExpiredSessions(deps.db, deps.clock).catch((err: unknown) => logger.error({ err }, 'session purge failed'));
    // Hourly, so "release after N days" lands within the hour it is due.
    releaseDueEvaluations(deps).catch((err: unknown) => logger.error({ err }, 'scheduled release failed'));
    refreshAllRollups(deps.db).catch((err: unknown) => logger.error({ err }, 'report roll-up refresh failed'));
  }, 3_600_000);
  const daily = setInterval(() => {
    applyRetention(deps).catch((err: unknown) => logger.error({ err }, 'retention job failed'));
    runSamplingTopUp(deps).catch((err: unknown) => logger.error({ err }, 'sampling top-up failed'));
  }, 86_400_000);
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
    autoEvaluations.start(deps);
    // Publishing a rubric version starts the runner at once, not only at the next 15 s sweep.
    deps.rubricPublished = [...(deps.rubricPublished ?? []), () => autoEvaluations.run(deps).then(() => undefined)];
    // Days left stale by imports or an upgrade are summed in the background, a month per transaction.
    const started = Date.now();
    refreshAllRollups(deps.db)
      .then((days) => {
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

main().catch((err: unknown) => {
  if (err instanceof ConfigError) {
    console.error(err.message);
  } else {
    console.error('Callscore failed to start:', err);
  }
  process.exit(1);
});
