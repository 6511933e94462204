// Real-browser end-to-end journeys: the compiled server (dist/) driven by Debian's Chromium through
// playwright-core. Run with `npm run test:e2e` (builds first), never as part of the unit suite.
const path = require('node:path');

/** @type {import('jest').Config} */
module.exports = {
  rootDir: path.resolve(__dirname, '../..'),
  testEnvironment: 'node',
  roots: ['<rootDir>/test/e2e'],
  testMatch: ['**/*.e2e.test.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.test.json' }] },
  // One server and one browser per file; files run one after another (--runInBand) to keep timings steady.
  maxWorkers: 1,
  testTimeout: 240_000,
  slowTestThreshold: 60,
};
