import type { Logger } from 'pino';
import type { AnalysisJobs } from './analysis';
import type { LoginThrottle } from './auth';
import type { ImportJobs } from './imports';
import type { RecordingStorage } from './recordings';
import type { Config } from './config';
import type { DB } from './db/database';
import type { Clock } from './lib/clock';

/** Everything the app needs from outside, passed in so tests can build their own. */
export interface AppDeps {
  db: DB;
  config: Config;
  clock: Clock;
  logger: Logger;
  throttle: LoginThrottle;
  storage: RecordingStorage;
  /** ACD imports started from the page, running after their request answered. */
  imports: ImportJobs;
  /** The background analysis of call recordings (a durable queue in the database, one job at a time). */
  analysis: AnalysisJobs;
  sessionSecret: string;
  /**
   * Run after a call's transcript was replaced and committed (POST /api/v1/calls/:id/transcript, the call
   * page's upload): the place where the automatic rules re-run for that call once they exist.
   */
  transcriptReplaced?: Array<(callId: number) => void | Promise<void>>;
  /** Run after settings were saved (the report roll-ups start over in the background when the zone changed). */
  settingsSaved?: Array<(settings: { time_zone: string }) => void>;
  /** Run after a rubric version was published and committed (the auto-mode runner starts at once, issue 16). */
  rubricPublished?: Array<(rubricId: number) => void | Promise<void>>;
}
