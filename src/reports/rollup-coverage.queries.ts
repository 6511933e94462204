import { sql } from 'kysely';
import type { RollupCoverageHumanTable } from '../db/schema/reports';
import { insertRows } from '../db/fragments';
import type { Tx } from '../db/transaction';
import { localDayStartText } from '../lib/date-range';
import { addDays } from '../lib/zones';
import { COUNTED_IN_FIGURES } from '../policy';

// The coverage report's roll-up (migrations/20261209T0400_rollup_coverage.ts): per local day, then per local
// week from the day rows, the automatic evaluations of the calls that started in it per rubric version, team and
// agent (the call's, as they are now), the items folded into JSON. Recomputed by the stale-day refresh
// (./rollups.ts) with the other call roll-ups.

/** One item of a coverage row: [item_id, answered, failed]. */
export type CoverageItemCell = [itemId: number, answered: number, failed: number];

/** A coverage row's items, as stored (JSON text). */
export function coverageItemCells(text: string): CoverageItemCell[] {
  return JSON.parse(text) as CoverageItemCell[];
}

interface Group {
  rubric_id: number;
  team_id: number;
  agent_id: number;
  evaluated: number;
  answered: number;
  items: Map<number, [answered: number, failed: number]>;
}

class Groups {
  private readonly byKey = new Map<string, Group>();

  get(rubricId: number, teamId: number, agentId: number): Group {
    const key = `${rubricId}|${teamId}|${agentId}`;
    let group = this.byKey.get(key);
    if (!group) {
      group = { rubric_id: rubricId, team_id: teamId, agent_id: agentId, evaluated: 0, answered: 0, items: new Map() };
      this.byKey.set(key, group);
    }
    return group;
  }

  addItem(group: Group, itemId: number, answered: number, failed: number) {
    const sum = group.items.get(itemId) ?? [0, 0];
    sum[0] += answered;
    sum[1] += failed;
    group.items.set(itemId, sum);
  }

  rows(period: 'day' | 'week', day: string) {
    return [...this.byKey.values()].map((g) => ({
      period,
      day,
      rubric_id: g.rubric_id,
      team_id: g.team_id,
      agent_id: g.agent_id,
      evaluated: g.evaluated,
      answered: g.answered,
      items: JSON.stringify(
        [...g.items].sort((a, b) => a[0] - b[0]).map(([itemId, [answered, failed]]) => [itemId, answered, failed]),
      ),
    }));
  }
}

type Row = ReturnType<Groups['rows']>[number];

/** A period's rows of either coverage roll-up replaced (the tables share their key columns). */
async function replaceRows(
  trx: Tx,
  table: 'rollup_coverage' | 'rollup_coverage_human',
  period: 'day' | 'week',
  day: string,
  rows: Row[] | HumanRow[],
) {
  const typed = table as 'rollup_coverage';
  await trx.deleteFrom(typed).where('period', '=', period).where('day', '=', day).execute();
  await insertRows(trx, typed, rows as Row[]);
}

type Num = number | string;

/** Recomputes one local day of the coverage roll-up from the automatic evaluations of its calls. */
export async function computeCoverageDay(trx: Tx, day: string, timeZone: string) {
  const start = localDayStartText(day, timeZone);
  const end = localDayStartText(day, timeZone, 1);
  // CROSS JOIN keeps the day's calls as the outer loop (SQLite), as the other call roll-ups do.
  const calls = await sql<{ rubric_id: Num; team_id: Num; agent_id: Num; evaluated: Num; answered: Num }>`
    select e.rubric_id, coalesce(c.team_id, 0) as team_id, coalesce(c.agent_id, 0) as agent_id,
      count(*) as evaluated, sum(case when e.answered > 0 then 1 else 0 end) as answered
    from calls c cross join auto_evaluations e
    where c.started_at >= ${start} and c.started_at < ${end} and e.call_id = c.id
    group by 1, 2, 3`.execute(trx);
  const items = await sql<{ rubric_id: Num; team_id: Num; agent_id: Num; item_id: Num; answered: Num; failed: Num }>`
    select e.rubric_id, coalesce(c.team_id, 0) as team_id, coalesce(c.agent_id, 0) as agent_id, a.item_id,
      count(*) as answered, sum(a.failed) as failed
    from calls c cross join auto_evaluations e
      join auto_evaluation_answers a on a.auto_evaluation_id = e.id
    where c.started_at >= ${start} and c.started_at < ${end} and e.call_id = c.id and a.failed is not null
    group by 1, 2, 3, 4`.execute(trx);
  const groups = new Groups();
  for (const r of calls.rows) {
    const group = groups.get(Number(r.rubric_id), Number(r.team_id), Number(r.agent_id));
    group.evaluated += Number(r.evaluated);
    group.answered += Number(r.answered);
  }
  for (const r of items.rows) {
    const group = groups.get(Number(r.rubric_id), Number(r.team_id), Number(r.agent_id));
    groups.addItem(group, Number(r.item_id), Number(r.answered), Number(r.failed));
  }
  await replaceRows(trx, 'rollup_coverage', 'day', day, groups.rows('day', day));
}

/** Recomputes the local week starting on a Monday from its seven day rows (computed before it). */
export async function computeCoverageWeek(trx: Tx, monday: string) {
  const days = await trx
    .selectFrom('rollup_coverage')
    .select(['rubric_id', 'team_id', 'agent_id', 'evaluated', 'answered', 'items'])
    .where('period', '=', 'day')
    .where('day', '>=', monday)
    .where('day', '<', addDays(monday, 7))
    .execute();
  const groups = new Groups();
  for (const r of days) {
    const group = groups.get(Number(r.rubric_id), Number(r.team_id), Number(r.agent_id));
    group.evaluated += Number(r.evaluated);
    group.answered += Number(r.answered);
    for (const [itemId, answered, failed] of coverageItemCells(r.items)) {
      groups.addItem(group, itemId, answered, failed);
    }
  }
  await replaceRows(trx, 'rollup_coverage', 'week', monday, groups.rows('week', monday));
}

/** One answer value of a human coverage row: [item_id, value, count] (the value as stored: 'yes', '3', an option id, 'na'). */
export type CoverageAnswerCell = [itemId: number, value: string, count: number];

/** A human coverage row's answers, as stored (JSON text). */
export function coverageAnswerCells(text: string): CoverageAnswerCell[] {
  return JSON.parse(text) as CoverageAnswerCell[];
}

type HumanRow = RollupCoverageHumanTable;

/** Answer counts per rubric version, team and agent, summed and turned into rows (cells in item, value order). */
class AnswerGroups {
  private readonly byKey = new Map<string, { key: [number, number, number]; counts: Map<string, number> }>();

  add(rubricId: number, teamId: number, agentId: number, itemId: number, value: string, count: number) {
    const key = `${rubricId}|${teamId}|${agentId}`;
    const group = this.byKey.get(key) ?? { key: [rubricId, teamId, agentId], counts: new Map<string, number>() };
    this.byKey.set(key, group);
    const cell = JSON.stringify([itemId, value]);
    group.counts.set(cell, (group.counts.get(cell) ?? 0) + count);
  }

  rows(period: 'day' | 'week', day: string): HumanRow[] {
    return [...this.byKey.values()].map(({ key: [rubricId, teamId, agentId], counts }) => {
      const cells = [...counts].map(([cell, count]) => [...(JSON.parse(cell) as [number, string]), count]);
      cells.sort((a, b) => Number(a[0]) - Number(b[0]) || String(a[1]).localeCompare(String(b[1])));
      return { period, day, rubric_id: rubricId, team_id: teamId, agent_id: agentId, answers: JSON.stringify(cells) };
    });
  }
}

/** Recomputes one local day of the human coverage roll-up from the counted scorecards of its calls. */
export async function computeCoverageHumanDay(trx: Tx, day: string, timeZone: string) {
  const start = localDayStartText(day, timeZone);
  const end = localDayStartText(day, timeZone, 1);
  const counted = sql.join([...COUNTED_IN_FIGURES]);
  const answers = await sql<{ rubric_id: Num; team_id: Num; agent_id: Num; item_id: Num; value: string; n: Num }>`
    select e.rubric_id, coalesce(c.team_id, 0) as team_id, coalesce(c.agent_id, 0) as agent_id, a.item_id,
      a.value, count(*) as n
    from calls c cross join evaluations e
      join evaluation_answers a on a.evaluation_id = e.id
    where c.started_at >= ${start} and c.started_at < ${end} and e.call_id = c.id
      and e.kind = 'standard' and e.status in (${counted}) and a.value is not null
    group by 1, 2, 3, 4, 5`.execute(trx);
  const groups = new AnswerGroups();
  for (const r of answers.rows) {
    groups.add(Number(r.rubric_id), Number(r.team_id), Number(r.agent_id), Number(r.item_id), r.value, Number(r.n));
  }
  await replaceRows(trx, 'rollup_coverage_human', 'day', day, groups.rows('day', day));
}

/** Recomputes the human side of the local week starting on a Monday from its seven day rows. */
export async function computeCoverageHumanWeek(trx: Tx, monday: string) {
  const days = await trx
    .selectFrom('rollup_coverage_human')
    .select(['rubric_id', 'team_id', 'agent_id', 'answers'])
    .where('period', '=', 'day')
    .where('day', '>=', monday)
    .where('day', '<', addDays(monday, 7))
    .execute();
  const groups = new AnswerGroups();
  for (const r of days) {
    for (const [itemId, value, count] of coverageAnswerCells(r.answers)) {
      groups.add(Number(r.rubric_id), Number(r.team_id), Number(r.agent_id), itemId, value, count);
    }
  }
  await replaceRows(trx, 'rollup_coverage_human', 'week', monday, groups.rows('week', monday));
}
