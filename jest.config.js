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
 * The suites on the PostgreSQL leg (docs/DEPLOY.md lists what is not on it yet, and why). A test inside them
 * that reads SQLite itself (query plans, statement counts, pragmas) is declared with `sqliteOnly` and shows as
 * skipped on this leg, by name.
 */
const POSTGRES_SUITES = [
  'test/db/postgres.test.ts',
  'test/db/copy.test.ts',
  'test/api/**/*.test.ts',
  'test/reports/**/*.test.ts',
  'test/evaluations/**/*.test.ts',
  'test/disputes/**/*.test.ts',
  'test/users/**/*.test.ts',
  'test/org/**/*.test.ts',
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
        '<rootDir>/test/db/postgres.test.ts',
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
