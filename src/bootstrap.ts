import pino, { type Logger } from 'pino';
import { AnalysisJobs, analysisPool } from './analysis';
import { LoginThrottle, sessionSecret } from './auth';
import { newInstanceId, startInstanceLease, type InstanceLease } from './calls';
import { ImportJobs } from './imports';
import { createRecordingStorage } from './recordings';
import { ensureDefaultRubric } from './rubrics';
import type { Config } from './config';
import { openConfiguredDatabase, type DatabaseHandle } from './db/database';
import { migrateToLatest } from './db/migrate';
import type { AppDeps } from './deps';
import { refreshRollupsInBackground } from './reports';
import { systemClock, type Clock } from './lib/clock';

export function createLogger(config: Config): Logger {
  return pino({
    level: config.logLevel,
    redact: {
      paths: ['password', '*.password', 'token', '*.token', 'req.headers.cookie', 'req.headers.authorization'],
      censor: '[redacted]',
    },
  });
}

// Kept here by name: bench/lib/capture.ts builds its own app from this file.
export { sessionSecret };

export interface Runtime {
  deps: AppDeps;
  database: DatabaseHandle;
  /** This process's staging lease (its folder `.staging/<instance>` is safe from other processes while held). */
  stagingLease?: InstanceLease;
}

/** Opens and migrates the database and builds the app's dependencies. */
export async function bootstrap(config: Config, logger: Logger, clock: Clock = systemClock): Promise<Runtime> {
  const database = openConfiguredDatabase(config);
  const result = await migrateToLatest(database.db);
  for (const migration of result.results ?? []) logger.info({ migration: migration.migrationName }, 'migrated');
  const deps: AppDeps = {
    db: database.db,
    config,
    clock,
    logger,
    throttle: new LoginThrottle(database.db, clock),
    // Each process stages in a folder of its own, so several can share one DATA_DIR (staging-instances.ts).
    storage: createRecordingStorage(config, newInstanceId()),
    imports: new ImportJobs(),
    analysis: new AnalysisJobs(analysisPool({ size: config.analysisWorkers, maxRssMb: config.analysisWorkerMaxMb })),
    sessionSecret: await sessionSecret(database.db),
    settingsSaved: [
      () => refreshRollupsInBackground(database.db, (err) => logger.error({ err }, 'report roll-up rebuild failed')),
    ],
  };
  const stagingLease = await startInstanceLease(deps);
  deps.storage.ensureDirs();
  await ensureDefaultRubric(deps);
  return { deps, database, stagingLease };
}
