// Several app processes on one PostgreSQL server (issue 17): real server processes started from source, so
// not part of `npm test`. Needs PG_TEST_URL (a PostgreSQL server; .ci/run starts one) and fails, never skips,
// without it. Run with `npm run test:procs`.
const path = require('node:path');

/** @type {import('jest').Config} */
module.exports = {
  rootDir: path.resolve(__dirname, '../..'),
  testEnvironment: 'node',
  roots: ['<rootDir>/test/procs'],
  testMatch: ['**/*.procs.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.test.json' }] },
  maxWorkers: 1,
  testTimeout: 180_000,
};
