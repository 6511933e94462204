import type SQLite from 'better-sqlite3';
import type { Rng } from '../lib/rng';
import { seedCoachingRows } from './coaching';
import { seedEvaluationRows, type EvaluationSeed } from './evaluations';
import { seedTrainingRows } from './training';

/**
 * Tables filled after the calls (evaluations, coaching, training). Each hook runs on the generator's
 * bulk-load connection (foreign keys off, synchronous off) and returns how many rows it wrote to its table
 * (other row counts go to `ctx.counts`, which ends up in the manifest). A hook whose table does not exist
 * returns 0. Counts stay consistent with what the calls table says (calls.evaluation_count for the calls in
 * `ctx.calls.evaluated`). Hooks may be async: rubrics and courses are made through the app's own services.
 */

export interface SeedUser {
  id: number;
  username: string;
  role: 'admin' | 'manager' | 'supervisor' | 'csr';
  teamId: number | null;
  active: boolean;
}

export interface SeedTeam {
  id: number;
  name: string;
  departmentId: number;
  supervisorIds: number[];
  csrIds: number[];
}

export interface SeedDepartment {
  id: number;
  name: string;
  managerId: number;
  budgetCents: number;
}

export interface SeedOrg {
  adminId: number;
  departments: SeedDepartment[];
  teams: SeedTeam[];
  users: SeedUser[];
}

/** The calls the generator marked as scored (evaluation_count > 0), column by column. */
export interface EvaluatedCalls {
  length: number;
  callIds: Int32Array;
  agentIds: Int32Array;
  teamIds: Int32Array;
  startedAtMs: Float64Array;
  /** The evaluation_count the calls row carries (1 or 2). */
  counts: Uint8Array;
  /** The call's talk time and hold, seconds (answers to time stamps and to the hold item). */
  durationS: Float32Array;
  holdS: Float32Array;
}

export interface SeedCalls {
  count: number;
  /** Call ids run from 1 to count, in started_at order. */
  firstId: number;
  lastId: number;
  periodStartMs: number;
  periodEndMs: number;
  evaluated: EvaluatedCalls;
}

export interface SeedContext {
  sqlite: SQLite.Database;
  rng: Rng;
  org: SeedOrg;
  calls: SeedCalls;
  /** ISO time the generator treats as "now" (the end of the period). */
  nowIso: string;
  tableExists(name: string): boolean;
  /** Prepared-statement insert of many rows in transactions of `batch`; returns the row count. */
  bulkInsert(table: string, columns: readonly string[], rows: Iterable<readonly unknown[]>, batch?: number): number;
  /** Extra row counts for the manifest (e.g. evaluation_answers). */
  counts: Record<string, number>;
  log(message: string): void;
}

export interface SeedHook {
  table: string;
  describe: string;
  run(ctx: SeedContext): number | Promise<number>;
}

function missing(ctx: SeedContext, ...tables: string[]): boolean {
  const absent = tables.filter((t) => !ctx.tableExists(t));
  if (absent.length) ctx.log(`note: no table ${absent.join(', ')} in this schema; skipped`);
  return absent.length > 0;
}

/** Handed from seedEvaluations to seedCoaching (the failing scorecards and their focus areas). */
const evaluationSeeds = new WeakMap<SeedContext, EvaluationSeed>();

/**
 * Scorecards for `ctx.calls.evaluated` (one evaluation per unit of evaluation_count, by a supervisor of the
 * call's team, or the department manager for a second look): the standard rubric published as v1 and a v2
 * published part-way through the year, then evaluations and an answer for every item (see ./evaluations.ts).
 */
export async function seedEvaluations(ctx: SeedContext): Promise<number> {
  if (missing(ctx, 'rubrics', 'evaluations', 'evaluation_answers')) return 0;
  const seed = await seedEvaluationRows(ctx);
  evaluationSeeds.set(ctx, seed);
  ctx.counts.rubrics = seed.rubrics.length;
  ctx.counts.evaluation_answers = seed.answers;
  for (const [status, n] of Object.entries(seed.statusCounts)) ctx.counts[`evaluations_${status}`] = n;
  ctx.counts.evaluations_failed = seed.failed.length;
  ctx.log(
    `evaluations: ${seed.evaluations} (${seed.answers} answers; ${JSON.stringify(seed.statusCounts)}; ` +
      `pass rate ${(seed.passRate * 100).toFixed(1)}%)`,
  );
  return seed.evaluations;
}

/** Coaching tasks made by failing evaluations (about one in five scorecards), some acknowledged, some open. */
export function seedCoaching(ctx: SeedContext): number {
  if (missing(ctx, 'coaching_tasks')) return 0;
  const seed = evaluationSeeds.get(ctx);
  if (!seed) return 0;
  return seedCoachingRows(ctx, seed.failed);
}

/** Training courses, bookings within each department's budget, and assignments (training_* tables). */
export async function seedTraining(ctx: SeedContext): Promise<number> {
  if (missing(ctx, 'training_courses', 'training_bookings', 'training_assignments')) return 0;
  const seed = await seedTrainingRows(ctx);
  ctx.counts.training_courses = seed.courses;
  ctx.counts.training_assignments = seed.assignments;
  return seed.bookings;
}

/** Run in this order after calls; append new hooks here. */
export const SEED_HOOKS: SeedHook[] = [
  { table: 'evaluations', describe: 'evaluations of scored calls', run: seedEvaluations },
  { table: 'coaching_tasks', describe: 'coaching tasks', run: seedCoaching },
  { table: 'training_bookings', describe: 'training courses and bookings', run: seedTraining },
];
