import type { Logger } from 'pino';
import { bootstrap, createLogger, type Runtime } from './bootstrap';
import { ConfigError, loadConfig } from './config';
import { isDatabaseUnreachable, isPoolExhausted } from './lib/faults';
import { markDraining } from './readiness';
import { scheduleJobs, startServer, type Started } from './startup';
import { topicTagging } from './topics';

const SHUTDOWN_GRACE_MS = 10_000;

/** A clean stop on a signal: no new requests, in-flight ones finish (or are cut after a grace), then the db closes. */
function shutdownOnSignals(
  { server, autoEvaluations, reconciled }: Started,
  { deps, database, stagingLease }: Runtime,
  timers: NodeJS.Timeout[],
  logger: Logger,
) {
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
    // The start-up reconciler, if still running, finishes first: it moves files and flags rows.
    const importsStopped = reconciled.then(() =>
      Promise.all([deps.imports.stop(), deps.analysis.stop(), autoEvaluations.stop(), topicTagging(deps).stop()]),
    );
    server.close(() => {
      importsStopped
        // The staging lease is given back: the next process to start takes over what this one left in staging.
        .then(() => stagingLease?.stop())
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
  let started: Started;
  try {
    started = await startServer(config, runtime, logger);
  } catch (err) {
    logger.fatal({ err }, 'server failed to start');
    process.exit(1);
  }
  const timers = scheduleJobs(runtime.deps, logger);
  shutdownOnSignals(started, runtime, timers, logger);
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
