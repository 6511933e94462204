import crypto from 'node:crypto';
import pino, { type Logger } from 'pino';
import { LoginThrottle } from './auth';
import { ImportJobs } from './imports';
import { RecordingStorage } from './recordings';
import { ensureDefaultRubric } from './rubrics';
import type { Config } from './config';
import { openDatabase, type DatabaseHandle, type DB } from './db/database';
import { migrateToLatest } from './db/migrate';
import type { AppDeps } from './deps';
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

/** The session-signing secret is made once per installation and kept in the database, never in the repo. */
export async function sessionSecret(db: DB): Promise<string> {
  const existing = await db
    .selectFrom('settings')
    .select('value')
    .where('key', '=', 'session_secret')
    .executeTakeFirst();
  if (existing) return existing.value;
  const secret = crypto.randomBytes(32).toString('base64url');
  await db
    .insertInto('settings')
    .values({ key: 'session_secret', value: secret })
    .onConflict((oc) => oc.doNothing())
    .execute();
  const stored = await db
    .selectFrom('settings')
    .select('value')
    .where('key', '=', 'session_secret')
    .executeTakeFirstOrThrow();
  return stored.value;
}

export interface Runtime {
  deps: AppDeps;
  database: DatabaseHandle;
}

/** Opens and migrates the database and builds the app's dependencies. */
export async function bootstrap(config: Config, logger: Logger, clock: Clock = systemClock): Promise<Runtime> {
  const database = openDatabase(config.databaseFile);
  const result = await migrateToLatest(database.db);
  for (const migration of result.results ?? []) logger.info({ migration: migration.migrationName }, 'migrated');
  const deps: AppDeps = {
    db: database.db,
    config,
    clock,
    logger,
    throttle: new LoginThrottle(database.db, clock),
    storage: new RecordingStorage(config.recordingsDir),
    imports: new ImportJobs(),
    sessionSecret: await sessionSecret(database.db),
  };
  deps.storage.ensureDirs();
  await ensureDefaultRubric(deps);
  return { deps, database };
}
