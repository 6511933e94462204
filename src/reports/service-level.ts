import { sql } from 'kysely';
import type { DB } from '../db/database';
import { bucketLabels, bucketSql, type ReportFilter } from './filters';
import { ratio } from './stats';

export interface ServiceLevelRow {
  bucket: string;
  offered: number;
  answered_within: number;
  abandoned: number;
  answered: number;
  service_level: number | null;
  abandon_rate: number | null;
  avg_queue_wait_s: number | null;
  avg_hold_s: number | null;
}

interface Sums {
  offered: number;
  answered_within: number;
  abandoned: number;
  answered: number;
  wait_total: number;
  inbound_answered: number;
  hold_total: number;
}

function finish(bucket: string, s: Sums): ServiceLevelRow {
  return {
    bucket,
    offered: s.offered,
    answered_within: s.answered_within,
    abandoned: s.abandoned,
    answered: s.answered,
    service_level: ratio(s.answered_within, s.offered),
    abandon_rate: ratio(s.abandoned, s.offered),
    avg_queue_wait_s: ratio(s.wait_total, s.inbound_answered),
    avg_hold_s: ratio(s.hold_total, s.answered),
  };
}

/**
 * Service level per DOMAIN.md: inbound calls answered within T seconds (a wait of exactly T counts) over
 * inbound calls offered (answered + abandoned); abandon rate beside it; average hold = hold seconds over
 * answered inbound calls. Per day or week, plus the total. A period without calls has no figure (null), never 0%.
 */
export async function serviceLevel(db: DB, filter: ReportFilter, thresholdS: number) {
  const bucket = sql.raw(bucketSql('started_at', filter.group));
  let query = db
    .selectFrom('calls')
    .select([
      sql<string>`${bucket}`.as('bucket'),
      sql<number>`sum(direction = 'inbound')`.as('offered'),
      sql<number>`sum(direction = 'inbound' and abandoned = 0 and queue_wait_s <= ${thresholdS})`.as('answered_within'),
      sql<number>`sum(direction = 'inbound' and abandoned = 1)`.as('abandoned'),
      sql<number>`sum(direction = 'inbound' and abandoned = 0)`.as('answered'),
      sql<number>`coalesce(sum(case when direction = 'inbound' and abandoned = 0 then queue_wait_s end), 0)`.as(
        'wait_total',
      ),
      sql<number>`sum(direction = 'inbound' and abandoned = 0)`.as('inbound_answered'),
      sql<number>`coalesce(sum(case when direction = 'inbound' and abandoned = 0 then hold_s end), 0)`.as('hold_total'),
    ])
    .where('started_at', '>=', filter.from)
    .where('started_at', '<', filter.to)
    .groupBy(sql`1`);
  if (filter.teamIds !== 'all') query = query.where('team_id', 'in', filter.teamIds.length ? filter.teamIds : [-1]);
  if (filter.agentId) query = query.where('agent_id', '=', filter.agentId);
  const rows = await query.execute();
  const byBucket = new Map(rows.map((r) => [r.bucket, r]));
  const zero: Sums = {
    offered: 0,
    answered_within: 0,
    abandoned: 0,
    answered: 0,
    wait_total: 0,
    inbound_answered: 0,
    hold_total: 0,
  };
  const total = { ...zero };
  const buckets = bucketLabels(filter.fromDate, filter.toDate, filter.group).map((label) => {
    const raw = byBucket.get(label);
    const sums: Sums = raw
      ? {
          offered: Number(raw.offered),
          answered_within: Number(raw.answered_within),
          abandoned: Number(raw.abandoned),
          answered: Number(raw.answered),
          wait_total: Number(raw.wait_total),
          inbound_answered: Number(raw.inbound_answered),
          hold_total: Number(raw.hold_total),
        }
      : zero;
    for (const key of Object.keys(total) as Array<keyof Sums>) total[key] += sums[key];
    return finish(label, sums);
  });
  return { buckets, total: finish('total', total) };
}
