// The services a procs test seeds its database with (an org, tokens), in the test process itself.
import pino from 'pino';
import { AnalysisJobs, analysisPool } from '../../src/analysis';
import { LoginThrottle } from '../../src/auth';
import type { DB } from '../../src/db/database';
import type { AppDeps } from '../../src/deps';
import { ImportJobs } from '../../src/imports';
import { systemClock } from '../../src/lib/clock';
import { RecordingStorage } from '../../src/recordings';
import { testConfig } from '../helpers/app';

/** AppDeps on `db` for seeding only (local storage under `dataDir`); stop `analysis` when done. */
export function seedDeps(db: DB, dataDir: string, databaseUrl: string): AppDeps {
  const config = testConfig(dataDir, { DATABASE_URL: databaseUrl });
  const deps: AppDeps = {
    db,
    config,
    clock: systemClock,
    logger: pino({ level: 'silent' }),
    throttle: new LoginThrottle(db, systemClock),
    storage: new RecordingStorage(config.recordingsDir),
    imports: new ImportJobs(),
    analysis: new AnalysisJobs(analysisPool()),
    sessionSecret: 'seeding only',
  };
  deps.storage.ensureDirs();
  return deps;
}
