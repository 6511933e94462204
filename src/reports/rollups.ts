import type { DB } from '../db/database';
import { lockTableForTransaction } from '../db/exclusive';
import { inTransaction } from '../db/transaction';
import { getSettings } from '../settings';
import type { ReportFilter } from './filters';
import type { Executor, Tx } from '../db/transaction';
import { localDateOf, startOfLocalDay } from '../lib/date-range';
import { addDays, mondayOf } from '../lib/zones';
import {
  anyStaleDay,
  clearStaleDays,
  computeCallSlots,
  nextDay,
  restartRollupsIn,
  rollupState,
  staleDayCount,
  staleDays,
  type RollupKind,
} from './rollups.queries';
import { computeCallDay, computeScoreDay } from './rollup-team-day.queries';
import {
  computeCoverageDay,
  computeCoverageHumanDay,
  computeCoverageHumanWeek,
  computeCoverageWeek,
} from './rollup-coverage.queries';

export { nextDay, type RollupKind } from './rollups.queries';
export {
  coverageAnswerCells,
  coverageItemCells,
  type CoverageAnswerCell,
  type CoverageItemCell,
} from './rollup-coverage.queries';

// Daily roll-ups behind the reports over many teams (see migrations/20261123T2100_report_rollups.ts). Triggers
// mark the days a write touched as stale; `refreshRollups` recomputes the stale days of a range from the raw
// rows, in one transaction with clearing their marks, before a report reads the roll-up.

/** Days recomputed per transaction, so a long backlog never holds the connection for long. */
const DAYS_PER_TRANSACTION = 31;

// Stale marks (rollup_dirty) are UTC days: the migration's triggers mark the UTC day a write touched. A local
// day overlaps at most two UTC days (offsets are under a day), so a stale UTC day recomputes the local days it
// overlaps, and a report over local days refreshes the UTC days from one before to one after.

/** The local days a UTC day overlaps in the zone. */
function localDaysOfUtcDay(utcDay: string, timeZone: string): string[] {
  const first = localDateOf(Date.parse(`${utcDay}T00:00:00.000Z`), timeZone);
  const last = localDateOf(Date.parse(`${nextDay(utcDay)}T00:00:00.000Z`) - 1, timeZone);
  return first === last ? [first] : [first, last];
}

/** Whether the daily roll-ups were computed in another zone than the center's (then they start over). */
async function zoneChanged(db: Executor): Promise<boolean> {
  return (await rollupState(db)).timeZone !== (await getSettings(db)).time_zone;
}

/** One transaction's worth of stale days of one kind: recomputed, their marks cleared. */
async function refreshBatch(trx: Tx, kind: RollupKind, fromDay?: string, toDay?: string): Promise<number> {
  // One batch at a time across app processes (PostgreSQL): two would recompute the same local day at once. The
  // lock is taken before the batch's snapshot, so a batch that waited sees the stale days the last one cleared.
  await lockTableForTransaction(trx, 'rollup_dirty');
  const settings = await getSettings(trx);
  // Read inside the transaction: a zone or threshold saved meanwhile either is seen here or marks days again.
  if ((await rollupState(trx)).timeZone !== settings.time_zone) await restartRollupsIn(trx, settings.time_zone);
  const days = await staleDays(trx, kind, DAYS_PER_TRANSACTION, fromDay, toDay);
  const localDays = [...new Set(days.flatMap((day) => localDaysOfUtcDay(day, settings.time_zone)))];
  for (const day of localDays) {
    if (kind === 'calls') {
      await computeCallDay(trx, day, settings.service_level_threshold_s, settings.time_zone);
      await computeCoverageDay(trx, day, settings.time_zone);
      await computeCoverageHumanDay(trx, day, settings.time_zone);
    } else await computeScoreDay(trx, day, settings.time_zone);
  }
  if (kind === 'calls') {
    // A week of the coverage roll-up is summed from its day rows, once their days are done.
    for (const monday of new Set(localDays.map(mondayOf))) {
      await computeCoverageWeek(trx, monday);
      await computeCoverageHumanWeek(trx, monday);
    }
    for (const day of days) await computeCallSlots(trx, day, settings.service_level_threshold_s);
  }
  if (days.length) await clearStaleDays(trx, kind, days);
  return days.length;
}

/**
 * Recomputes the stale days of one kind that local days [fromDay, toDay) overlap (dates, toDay exclusive; the
 * whole history when left out). Returns how many stale (UTC) days it recomputed.
 */
export async function refreshRollups(db: DB, kind: RollupKind, fromDay?: string, toDay?: string): Promise<number> {
  const from = fromDay && addDays(fromDay, -1);
  const to = toDay && addDays(toDay, 1);
  // Usually nothing is stale: find that out without opening a transaction.
  if (!(await zoneChanged(db)) && !(await anyStaleDay(db, kind, from, to))) return 0;
  let done = 0;
  for (;;) {
    const count = await inTransaction(db, (trx) => refreshBatch(trx, kind, from, to));
    done += count;
    if (count < DAYS_PER_TRANSACTION) return done;
  }
}

/** How far the roll-ups are from up to date: stale days left, and the size of the last rebuild (settings page). */
export async function rollupProgress(db: DB) {
  const [state, left, changed] = await Promise.all([rollupState(db), staleDayCount(db), zoneChanged(db)]);
  const total = Math.max(state.total, left);
  return { pending: changed, left, total, done: changed ? 0 : total - left };
}

export interface RollupDays {
  fromDay: string;
  toDay: string;
}

/**
 * The local days [fromDay, toDay) of a report filter (its `to` is the local midnight after its last day), or
 * null when the filter does not cover whole local days of its zone, which a daily roll-up cannot answer.
 */
export function rollupDays(filter: { from: string; to: string; timeZone: string }): RollupDays | null {
  const fromDay = wholeLocalDay(filter.from, filter.timeZone);
  const toDay = wholeLocalDay(filter.to, filter.timeZone);
  return fromDay && toDay ? { fromDay, toDay } : null;
}

/** The local date whose midnight a stored timestamp is (written exactly as stored: ISO text, ms, Z), else null. */
function wholeLocalDay(instant: string, timeZone: string): string | null {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{3})?Z$/.test(instant)) return null;
  const ms = Date.parse(instant);
  const day = localDateOf(ms, timeZone);
  return startOfLocalDay(day, timeZone) === ms ? day : null;
}

/** Brings every stale day of both kinds up to date (hourly and at start-up, so reports rarely wait for it). */
export async function refreshAllRollups(db: DB): Promise<number> {
  return (await refreshRollups(db, 'calls')) + (await refreshRollups(db, 'scores'));
}

/** The whole days of a report filter a roll-up can answer: whole local days and no agent chosen (else null). */
export function rollupRangeOf(filter: {
  from: string;
  to: string;
  agentId?: number;
  timeZone: string;
}): RollupDays | null {
  return filter.agentId ? null : rollupDays(filter);
}

/** The whole days a roll-up of this kind can answer the filter for (see rollupRangeOf), brought up to date first. */
export async function refreshedRollupRange(
  db: DB,
  filter: Pick<ReportFilter, 'from' | 'to' | 'agentId' | 'timeZone'>,
  kind: RollupKind,
): Promise<RollupDays | null> {
  const days = rollupRangeOf(filter);
  if (days) await refreshRollups(db, kind, days.fromDay, days.toDay);
  return days;
}

let running: Promise<unknown> | null = null;

/**
 * Brings the roll-ups up to date in the background, one run at a time (after a time-zone change: the rebuild
 * the settings page shows). Progress is durable in rollup_dirty, so a restart's start-up refresh resumes it.
 */
export function refreshRollupsInBackground(db: DB, onError: (err: unknown) => void): void {
  if (running) return;
  running = refreshAllRollups(db)
    .catch(onError)
    .finally(() => {
      running = null;
    });
}
