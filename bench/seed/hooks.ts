import type SQLite from 'better-sqlite3';
import type { Rng } from '../lib/rng';

/**
 * Extension points for tables later issues add (evaluations, coaching, training). Each hook runs after the
 * calls are in, inside the generator's bulk-load connection (foreign keys off, synchronous off), and returns
 * how many rows it wrote. A hook whose table does not exist yet returns 0; once the migration lands, fill in
 * the body with `ctx.bulkInsert(...)` and keep the counts consistent with what the calls table already says
 * (for example calls.evaluation_count for the calls listed in `ctx.calls.evaluated`).
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
  log(message: string): void;
}

export interface SeedHook {
  table: string;
  describe: string;
  run(ctx: SeedContext): number;
}

function notYet(ctx: SeedContext, table: string, hook: string): number {
  if (ctx.tableExists(table)) {
    ctx.log(`note: table ${table} exists but bench/seed/hooks.ts ${hook}() does not fill it yet (0 rows)`);
  }
  return 0;
}

/** Scorecards for `ctx.calls.evaluated` (one row per unit of evaluation_count), by a supervisor of the team. */
export function seedEvaluations(ctx: SeedContext): number {
  return notYet(ctx, 'evaluations', 'seedEvaluations');
}

/** Coaching tasks made by failing evaluations (about one in five scorecards), some acknowledged, some open. */
export function seedCoaching(ctx: SeedContext): number {
  return notYet(ctx, 'coaching_tasks', 'seedCoaching');
}

/** Training courses and bookings within each department's budget. */
export function seedTraining(ctx: SeedContext): number {
  return notYet(ctx, 'training_bookings', 'seedTraining');
}

/** Run in this order after calls; append new hooks here. */
export const SEED_HOOKS: SeedHook[] = [
  { table: 'evaluations', describe: 'evaluations of scored calls', run: seedEvaluations },
  { table: 'coaching_tasks', describe: 'coaching tasks', run: seedCoaching },
  { table: 'training_bookings', describe: 'training courses and bookings', run: seedTraining },
];
