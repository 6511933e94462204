import { closePglite } from './pg-leg';

// The PostgreSQL leg: a test file's first query loads PGlite (seconds on a busy machine), so hooks wait longer.
jest.setTimeout(90_000);

afterAll(() => closePglite());
