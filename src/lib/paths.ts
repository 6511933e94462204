import path from 'node:path';

/** The project folder, whether running from src/ (tests, dev) or from dist/src/ (npm start). */
export const PROJECT_ROOT = path.resolve(
  __dirname,
  __dirname.includes(`${path.sep}dist${path.sep}`) ? '../../..' : '../..',
);
