import type { DB } from '../db/database';
import { inTransaction } from '../db/transaction';
import { getSettings } from '../settings';
import type { ReportFilter } from './filters';
import {
  anyStaleDay,
  clearStaleDays,
  computeCallDay,
  computeScoreDay,
  staleDays,
  type RollupKind,
} from './rollups.queries';

export { nextDay, type RollupKind } from './rollups.queries';

// Daily roll-ups behind the reports over many teams (see migrations/20261123T2100_report_rollups.ts). Triggers
// mark the days a write touched as stale; `refreshRollups` recomputes the stale days of a range from the raw
// rows, in one transaction with clearing their marks, before a report reads the roll-up.

/** Days recomputed per transaction, so a long backlog never holds the connection for long. */
const DAYS_PER_TRANSACTION = 31;

/**
 * Recomputes the stale days of one kind in [fromDay, toDay) (dates, toDay exclusive; the whole history when
 * left out). Returns how many days it recomputed.
 */
export async function refreshRollups(db: DB, kind: RollupKind, fromDay?: string, toDay?: string): Promise<number> {
  // Usually nothing is stale: find that out without opening a transaction.
  if (!(await anyStaleDay(db, kind, fromDay, toDay))) return 0;
  let done = 0;
  for (;;) {
    const count = await inTransaction(db, async (trx) => {
      // Read inside the transaction: a threshold saved meanwhile either is seen here or marks these days again.
      const thresholdS = kind === 'calls' ? (await getSettings(trx)).service_level_threshold_s : 0;
      const days = await staleDays(trx, kind, DAYS_PER_TRANSACTION, fromDay, toDay);
      for (const day of days) {
        if (kind === 'calls') await computeCallDay(trx, day, thresholdS);
        else await computeScoreDay(trx, day);
      }
      if (days.length) await clearStaleDays(trx, kind, days);
      return days.length;
    });
    done += count;
    if (count < DAYS_PER_TRANSACTION) return done;
  }
}

export interface RollupDays {
  fromDay: string;
  toDay: string;
}

/**
 * The days [fromDay, toDay) of a report filter (its `to` is the start of the day after its last), or null when
 * the filter does not cover whole UTC days, which a daily roll-up cannot answer.
 */
export function rollupDays(filter: { from: string; to: string }): RollupDays | null {
  const midnight = /^(\d{4}-\d{2}-\d{2})T00:00:00(\.000)?Z$/;
  const fromDay = midnight.exec(filter.from)?.[1];
  const toDay = midnight.exec(filter.to)?.[1];
  return fromDay && toDay ? { fromDay, toDay } : null;
}

/** Brings every stale day of both kinds up to date (hourly and at start-up, so reports rarely wait for it). */
export async function refreshAllRollups(db: DB): Promise<number> {
  return (await refreshRollups(db, 'calls')) + (await refreshRollups(db, 'scores'));
}

/** The whole days of a report filter a roll-up can answer: whole UTC days and no agent chosen (else null). */
export function rollupRangeOf(filter: { from: string; to: string; agentId?: number }): RollupDays | null {
  return filter.agentId ? null : rollupDays(filter);
}

/** The whole days a roll-up of this kind can answer the filter for (see rollupRangeOf), brought up to date first. */
export async function refreshedRollupRange(
  db: DB,
  filter: Pick<ReportFilter, 'from' | 'to' | 'agentId'>,
  kind: RollupKind,
): Promise<RollupDays | null> {
  const days = rollupRangeOf(filter);
  if (days) await refreshRollups(db, kind, days.fromDay, days.toDay);
  return days;
}
