import type { DB } from '../db/database';
import { localDayStartText } from '../lib/date-range';
import { addDays } from '../lib/zones';
import type { ReportFilter } from './filters';
import { refreshedRollupRange } from './rollups';
import { analysedCallWeeksFromCalls, analysedCallWeeksFromRollup, topicWeeks } from './topics.queries';

// The customer report's topics (issue 16): per local week (Monday to Monday in the center's time zone) and
// active topic, the calls tagged, their share of the week's analysed calls, their average CSAT and the average
// score of the human scorecards on them, each count linking to the call list of exactly those calls.

export interface TopicWeek {
  week: string;
  topic_id: number;
  topic: string;
  calls: number;
  analysed: number;
  /** calls / analysed, 0..1; null when the week has no analysed call. */
  share: number | null;
  csat: number | null;
  csat_n: number;
  avg_score: number | null;
  scored: number;
  /** The call list filtered to this topic, the week (within the report's range) and the report's team or CSR. */
  href: string;
}

function callListHref(filter: ReportFilter, topicId: number, week: string): string {
  const start = localDayStartText(week, filter.timeZone);
  const end = localDayStartText(addDays(week, 7), filter.timeZone);
  const params = new URLSearchParams({ topic: String(topicId) });
  params.set('from', start > filter.from ? start : filter.from);
  params.set('to', end < filter.to ? end : filter.to);
  if (filter.teamId) params.set('team_id', String(filter.teamId));
  if (filter.agent) params.set('agent', filter.agent);
  return `/calls?${params.toString()}`;
}

/** The analysed calls per week: from the daily roll-up when it can answer the filter, else from the calls. */
async function analysedCallWeeks(db: DB, filter: ReportFilter) {
  const days = await refreshedRollupRange(db, filter, 'calls');
  return days ? analysedCallWeeksFromRollup(db, filter, days) : analysedCallWeeksFromCalls(db, filter);
}

export async function topicTrends(db: DB, filter: ReportFilter): Promise<TopicWeek[]> {
  const [rows, bases] = await Promise.all([topicWeeks(db, filter), analysedCallWeeks(db, filter)]);
  const analysedBy = new Map(bases.map((b) => [b.week, Number(b.analysed)]));
  return rows.map((r) => {
    const calls = Number(r.calls);
    const analysed = analysedBy.get(r.week) ?? 0;
    return {
      week: r.week,
      topic_id: r.topic_id,
      topic: r.topic,
      calls,
      analysed,
      share: analysed > 0 ? calls / analysed : null,
      csat: r.csat === null ? null : Number(r.csat),
      csat_n: Number(r.csat_n),
      avg_score: r.avg_score === null ? null : Number(r.avg_score),
      scored: Number(r.scored),
      href: callListHref(filter, r.topic_id, r.week),
    };
  });
}
