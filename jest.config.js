/**
 * Two legs. "sqlite": every suite on the embedded SQLite (the default engine). "postgres": the database-facing
 * suites below on PostgreSQL: PGlite (WASM, in process) unless PG_TEST_URL names a server (.ci/run does).
 * `npm test` runs both; `npx jest --selectProjects sqlite` (or postgres) runs one.
 */
const shared = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.test.json' }] },
};

/**
 * The suites on the PostgreSQL leg, each seen passing there. Not on it (docs/DEPLOY.md): suites that read SQLite
 * itself (test/db/migrations, statement-cache, transaction, faults, the query-plan and statement-count tests in
 * reports/exports, evaluations/queue and rubrics/load-rubric); test/storage/s3-crash, whose killed child servers
 * cannot share the in-process PGlite (its PostgreSQL counterpart is test/procs/s3-processes.procs.ts on a server);
 * and the rest of the tree, which passed on a server once (2026-12-07) but is left off to keep CI's time.
 * Pure-function suites (no database) are not repeated here.
 */
const POSTGRES_SUITES = [
  'test/db/copy.test.ts',
  'test/db/postgres-types.test.ts',
  'test/topics/default-topics.test.ts',
  'test/org/org.test.ts',
  'test/users/admin-users.test.ts',
  'test/disputes/open.test.ts',
  'test/disputes/resolve.test.ts',
  'test/disputes/window-local.test.ts',
  'test/evaluations/lifecycle.test.ts',
  'test/evaluations/concurrent-submits.test.ts',
  'test/db/lock-before-snapshot.test.ts',
  'test/evaluations/coaching.test.ts',
  'test/evaluations/bad-input.test.ts',
  'test/evaluations/silent-monitoring.test.ts',
  'test/rubrics/rubrics.test.ts',
  'test/coaching/coaching-pages.test.ts',
  'test/coaching/overdue.test.ts',
  'test/training/bookings.test.ts',
  'test/training/budget.test.ts',
  'test/training/requests.test.ts',
  'test/training/assignments.test.ts',
  'test/training/rebook.test.ts',
  'test/calibration/sessions.test.ts',
  'test/calibration/agreement.test.ts',
  'test/calibration/blind.test.ts',
  'test/calibration/excluded.test.ts',
  'test/recognition/recognition.test.ts',
  'test/sampling/plan-page.test.ts',
  'test/sampling/topup.test.ts',
  'test/sampling/access.test.ts',
  'test/dashboards/team-dashboards.test.ts',
  'test/dashboards/csr-home.test.ts',
  'test/settings/save.test.ts',
  'test/risk/limits-settings.test.ts',
  'test/reports/fractional-seconds.test.ts',
  'test/reports/rollups.test.ts',
  'test/reports/intraday-page.test.ts',
  'test/reports/intraday-patterns.test.ts',
  'test/reports/quality-overview.test.ts',
  'test/reports/analysed-rollup.test.ts',
  'test/evaluations/list-by-team.test.ts',
  'test/autoeval/coverage-local.test.ts',
  'test/passkeys/sign-in.test.ts',
  'test/inbox/inbox.test.ts',
  'test/inbox/inbox-presets.test.ts',
  'test/calls/import-jobs.test.ts',
  'test/topics/topics.test.ts',
  'test/topics/dry-run.test.ts',
  'test/passkeys/tokens.test.ts',
  'test/sso/break-glass.test.ts',
  'test/storage/s3.test.ts',
  'test/storage/s3-reconcile-list.test.ts',
  'test/calls/staging-leases.test.ts',
  'test/calls/playback-and-list.test.ts',
  'test/security/access.test.ts',
  'test/api/engine-limits.test.ts',
  'test/api/fuzz.test.ts',
  'test/api/openapi-responses.test.ts',
  'test/setup/setup.test.ts',
  'test/api/tokens.test.ts',
];

/** @type {import('jest').Config} */
module.exports = {
  testTimeout: 20000,
  maxWorkers: 2,
  projects: [
    {
      ...shared,
      displayName: 'sqlite',
      testMatch: ['**/*.test.ts'],
      // PostgreSQL-only suites: their subject is the second engine.
      testPathIgnorePatterns: [
        '/node_modules/',
        '<rootDir>/test/e2e/',
        '<rootDir>/test/db/copy.test.ts',
        '<rootDir>/test/db/postgres-types.test.ts',
      ],
      globalSetup: '<rootDir>/test/helpers/global-setup.ts',
      globalTeardown: '<rootDir>/test/helpers/global-teardown.ts',
    },
    {
      ...shared,
      displayName: 'postgres',
      testMatch: POSTGRES_SUITES.map((glob) => `<rootDir>/${glob}`),
      globals: { CALLSCORE_TEST_ENGINE: 'postgres' },
      setupFilesAfterEnv: ['<rootDir>/test/helpers/pg-setup-after-env.ts'],
      globalSetup: '<rootDir>/test/helpers/pg-global-setup.ts',
      globalTeardown: '<rootDir>/test/helpers/pg-global-teardown.ts',
    },
  ],
};
