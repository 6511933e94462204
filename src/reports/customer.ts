import type { DB } from '../db/database';
import type { ReportFilter } from './filters';
import {
  categoryTrendsFromCalls,
  categoryTrendsFromRollup,
  csatByItemFromAnswers,
  csatByItemFromRollup,
  csatPerAgentFromCalls,
  csatPerTeamFromCalls,
  csatPerTeamFromRollup,
} from './customer.queries';
import { csatPerAgentInRollup } from './rollup-people.queries';
import { refreshedRollupRange } from './rollups';

export {
  categoryTrendsFromCalls,
  categoryTrendsFromRollup,
  csatByItemFromAnswers,
  csatByItemFromRollup,
  csatPerTeamFromRollup,
} from './customer.queries';

/** Average CSAT per team and per CSR over calls that carry a CSAT. */
export async function csatBreakdown(db: DB, filter: ReportFilter) {
  const days = await refreshedRollupRange(db, filter, 'calls');
  const [teams, agents] = await Promise.all([
    days ? csatPerTeamFromRollup(db, filter, days) : csatPerTeamFromCalls(db, filter),
    days ? csatPerAgentInRollup(db, filter, days) : csatPerAgentFromCalls(db, filter),
  ]);
  return {
    teams: teams.map((t) => ({ ...t, csat: Number(t.csat), n: Number(t.n) })),
    agents: agents.map((a) => ({ ...a, csat: Number(a.csat), n: Number(a.n) })),
  };
}

/** Average CSAT per team only (the manager dashboard), from the roll-up when it can answer. */
export async function csatPerTeam(db: DB, filter: ReportFilter) {
  const days = await refreshedRollupRange(db, filter, 'calls');
  const rows = days ? await csatPerTeamFromRollup(db, filter, days) : await csatPerTeamFromCalls(db, filter);
  return new Map(rows.map((r) => [r.id, { csat: Number(r.csat), n: Number(r.n) }]));
}

/** For each rubric item: the average CSAT of calls where it passed vs where it failed (what customers notice). */
export async function csatByItem(db: DB, filter: ReportFilter) {
  const days = await refreshedRollupRange(db, filter, 'calls');
  const rows = days ? await csatByItemFromRollup(db, filter, days) : await csatByItemFromAnswers(db, filter);
  return rows
    .map((r) => {
      const passed = r.csat_passed === null ? null : Number(r.csat_passed);
      const failed = r.csat_failed === null ? null : Number(r.csat_failed);
      return {
        rubric: r.rubric,
        prompt: r.prompt,
        csat_passed: passed,
        n_passed: Number(r.n_passed),
        csat_failed: failed,
        n_failed: Number(r.n_failed),
        gap: passed !== null && failed !== null ? passed - failed : null,
      };
    })
    .sort((a, b) => (b.gap ?? -99) - (a.gap ?? -99));
}

/** Calls per category per week (or day), with the category's average score in that bucket. */
export async function categoryTrends(db: DB, filter: ReportFilter) {
  const days = await refreshedRollupRange(db, filter, 'calls');
  const rows = days ? await categoryTrendsFromRollup(db, filter, days) : await categoryTrendsFromCalls(db, filter);
  return rows.map((r) => ({
    bucket: r.bucket,
    category: r.category,
    calls: Number(r.calls),
    evaluations: Number(r.evaluations),
    avg_score: r.avg_score === null ? null : Number(r.avg_score),
  }));
}
