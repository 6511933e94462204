import { sql } from 'kysely';
import { engineOf, utcMinuteOfWeekSql } from '../db/dialect';
import { SERVICE_LEVEL_SUMS, type RollupCallSlotTotalTable } from '../db/schema';
import type { Executor } from '../db/transaction';
import type { ReportFilter } from './filters';
import { narrowedToFilter } from './filters.queries';
import { slotOfStartedAt, slotSumColumns } from './rollups.queries';

/** Inbound call sums of one 15-minute UTC slot (see migrations/20261204T0400_rollup_call_slot.ts). */
export type SlotSums = Omit<RollupCallSlotTotalTable, 'threshold_s'>;

const SUMMED = [...SERVICE_LEVEL_SUMS, 'handle_total'] as const;

/**
 * Slot sums over [start, end) from the slot roll-up (the configured threshold): every team's from the all-team
 * table (a row per slot), some teams' summed from their rows.
 */
export async function slotSumsFromRollup(
  db: Executor,
  filter: Pick<ReportFilter, 'teamIds' | 'agentId'>,
  start: string,
  end: string,
): Promise<SlotSums[]> {
  if (filter.teamIds === 'all') {
    return db
      .selectFrom('rollup_call_slot_total')
      .select(['slot', ...SUMMED])
      .where('slot', '>=', start)
      .where('slot', '<', end)
      .execute();
  }
  const query = db
    .selectFrom('rollup_call_slot')
    .select(['slot', ...SUMMED.map((name) => sql<number>`sum(${sql.ref(name)})`.as(name))])
    .where('slot', '>=', start)
    .where('slot', '<', end)
    .groupBy('slot');
  return narrowedToFilter(query, { teamIds: filter.teamIds }, { team: 'team_id' }).execute();
}

/** Slot sums of one segment of a range and one UTC quarter hour of the week (weekPatternSumsFromRollup). */
export type PatternSums = Omit<SlotSums, 'slot'> & { segment: number; minute_of_week: number };

/**
 * The slot roll-up's sums over [cuts[0], cuts[last]) summed per segment (the range between two consecutive cuts,
 * numbered from 0) and minute of the UTC week (utcMinuteOfWeekSql): at most 672 rows a segment, where the slots
 * themselves are 96 a day. Every team's from the all-team table, some teams' from their rows.
 */
export async function weekPatternSumsFromRollup(
  db: Executor,
  filter: Pick<ReportFilter, 'teamIds'>,
  cuts: string[],
): Promise<PatternSums[]> {
  const inner = cuts.slice(1, -1);
  const segment = inner.length
    ? sql<number>`case ${sql.join(
        inner.map((cut, i) => sql`when slot < ${cut} then ${sql.lit(i)}`),
        sql` `,
      )} else ${sql.lit(inner.length)} end`
    : sql<number>`${sql.lit(0)}`;
  const minute = sql<number>`${sql.raw(utcMinuteOfWeekSql(engineOf(db), 'slot'))}`;
  const sums = SUMMED.map((name) => sql<number>`sum(${sql.ref(name)})`.as(name));
  const [start, end] = [cuts[0] ?? '', cuts[cuts.length - 1] ?? ''];
  const query = db
    .selectFrom(filter.teamIds === 'all' ? 'rollup_call_slot_total' : 'rollup_call_slot')
    .select([segment.as('segment'), minute.as('minute_of_week'), ...sums])
    .where('slot', '>=', start)
    .where('slot', '<', end)
    .groupBy([sql`1`, sql`2`]);
  if (filter.teamIds === 'all') return query.execute();
  return narrowedToFilter(query, { teamIds: filter.teamIds }, { team: 'team_id' }).execute();
}

/** The same sums from the calls themselves (any threshold, an agent, a range not on quarter hours). */
export async function slotSumsFromCalls(
  db: Executor,
  filter: Pick<ReportFilter, 'teamIds' | 'agentId'>,
  start: string,
  end: string,
  thresholdS: number,
): Promise<SlotSums[]> {
  const query = db
    .selectFrom('calls')
    .select([
      sql<string>`${sql.raw(slotOfStartedAt(db))}`.as('slot'),
      sql<number>`count(*)`.as('offered'),
      ...slotSumColumns(thresholdS).map(([name, expr]) => sql<number>`${sql.raw(expr)}`.as(name)),
    ])
    .where('started_at', '>=', start)
    .where('started_at', '<', end)
    .where('direction', '=', 'inbound')
    .groupBy(sql`1`);
  const rows = await narrowedToFilter(query, filter, { team: 'team_id', agent: 'agent_id' }).execute();
  return rows as unknown as SlotSums[];
}
