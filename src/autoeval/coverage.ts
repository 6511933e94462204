import { isFailing, wilsonInterval, type Interval } from '../autoqa';
import type { DB } from '../db/database';
import { NotFound } from '../lib/errors';
import { addDays, mondayOf, weekdayOf } from '../lib/zones';
import { coverageAnswerCells, coverageItemCells, refreshRollups, type RollupDays } from '../reports';
import { loadRubric, type FullItem } from '../rubrics';
import {
  autoRowsInRange,
  callCount,
  coverageHumanRollupRows,
  coverageRollupRows,
  humanAnswers,
  names,
  type CoverageScope,
  type CoverageSpan,
} from './coverage.queries';

// The coverage report (issue 16): for a period, team and rubric version, how many calls there were, how many the
// rubric's automatic evaluation reached (analysed) and answered, and per item the automatic fail rate over every
// analysed call beside the fail rate in human scorecards, overall, per team and per CSR, each with its 95% Wilson
// interval. A rate is failed ÷ answered: calls where the rule (or the person) gave the item an answer. Calls count
// under their team and agent as they are now. Over whole local days the automatic side is read from the coverage
// roll-ups (src/reports/rollup-coverage.queries.ts; the human side's answer values counted there, judged failing
// or not here): whole local weeks from their week rows, the days before the first Monday and from the last one
// from their day rows; any other period from the stored answers.

export interface Rate {
  answered: number;
  failed: number;
  rate: number | null;
  interval: Interval | null;
}

export interface ItemCoverage {
  item_id: number;
  prompt: string;
  auto: Rate;
  human: Rate;
}

export interface GroupCoverage {
  id: number;
  name: string;
  analysed: number;
  answered: number;
  items: ItemCoverage[];
}

export interface CoverageReport {
  rubric: { id: number; name: string; version: number; auto_mode: string };
  calls: number;
  analysed: number;
  answered: number;
  items: ItemCoverage[];
  teams: GroupCoverage[];
  csrs: GroupCoverage[];
  /** 'rollup' when read from the coverage roll-up (whole local days), else 'rows'. */
  source: 'rollup' | 'rows';
}

interface Tally {
  analysed: number;
  answered: number;
  auto: Map<number, { answered: number; failed: number }>;
  human: Map<number, { answered: number; failed: number }>;
}

const emptyTally = (): Tally => ({ analysed: 0, answered: 0, auto: new Map(), human: new Map() });

function bump(
  map: Map<number, { answered: number; failed: number }>,
  itemId: number,
  answered: number,
  failed: number,
) {
  const sum = map.get(itemId) ?? { answered: 0, failed: 0 };
  sum.answered += answered;
  sum.failed += failed;
  map.set(itemId, sum);
}

function rateOf(sum: { answered: number; failed: number } | undefined): Rate {
  const answered = sum?.answered ?? 0;
  const failed = sum?.failed ?? 0;
  return { answered, failed, rate: answered ? failed / answered : null, interval: wilsonInterval(failed, answered) };
}

class Tallies {
  readonly total = emptyTally();
  readonly teams = new Map<number, Tally>();
  readonly csrs = new Map<number, Tally>();

  each(teamId: number, agentId: number): Tally[] {
    const team = this.teams.get(teamId) ?? emptyTally();
    const csr = this.csrs.get(agentId) ?? emptyTally();
    this.teams.set(teamId, team);
    this.csrs.set(agentId, csr);
    return [this.total, team, csr];
  }
}

type RollupRow = Awaited<ReturnType<typeof coverageRollupRows>>[number];

function addRollup(tallies: Tallies, rows: RollupRow[]) {
  for (const r of rows) {
    const groups = tallies.each(r.team_id, r.agent_id);
    const cells = coverageItemCells(r.items);
    for (const t of groups) {
      t.analysed += r.evaluated;
      t.answered += r.answered;
      for (const [itemId, answered, failed] of cells) bump(t.auto, itemId, answered, failed);
    }
  }
}

/** Local days [fromDay, toDay) as the roll-up keeps them: the whole weeks inside, and the days either side. */
export function coverageSpans({ fromDay, toDay }: RollupDays): CoverageSpan[] {
  const firstMonday = weekdayOf(fromDay) === 0 ? fromDay : addDays(mondayOf(fromDay), 7);
  const lastMonday = mondayOf(toDay);
  if (firstMonday >= lastMonday) return [{ period: 'day', fromDay, toDay }];
  const spans: CoverageSpan[] = [
    { period: 'day', fromDay, toDay: firstMonday },
    { period: 'week', fromDay: firstMonday, toDay: lastMonday },
    { period: 'day', fromDay: lastMonday, toDay },
  ];
  return spans.filter((span) => span.fromDay < span.toDay);
}

type AutoRow = Awaited<ReturnType<typeof autoRowsInRange>>[number];

function addRows(tallies: Tallies, rows: AutoRow[]) {
  const seen = new Set<number>();
  for (const r of rows) {
    const groups = tallies.each(r.team_id ?? 0, r.agent_id ?? 0);
    if (!seen.has(r.id)) {
      seen.add(r.id);
      for (const t of groups) {
        t.analysed += 1;
        t.answered += r.call_answered > 0 ? 1 : 0;
      }
    }
    if (r.item_id !== null && r.failed !== null) {
      for (const t of groups) bump(t.auto, r.item_id, 1, r.failed);
    }
  }
}

function itemsOf(items: FullItem[], tally: Tally): ItemCoverage[] {
  return items.map((item) => ({
    item_id: item.id,
    prompt: item.prompt,
    auto: rateOf(tally.auto.get(item.id)),
    human: rateOf(tally.human.get(item.id)),
  }));
}

export interface CoverageInput extends CoverageScope {
  rubricId: number;
  /** The whole local days of the period (center's zone), when it is made of them (the roll-up answers then). */
  days: RollupDays | null;
}

/** Counts `count` human answers `value` on an item of the report (values that answer nothing are left out). */
function addHuman(tallies: Tallies, byId: Map<number, FullItem>, row: HumanRow, [itemId, value, count]: HumanCell) {
  const item = byId.get(itemId);
  const failing = item ? isFailing(item, value) : null;
  if (failing === null) return;
  for (const t of tallies.each(row.team_id ?? 0, row.agent_id ?? 0)) bump(t.human, itemId, count, failing ? count : 0);
}

type HumanRow = { team_id: number | null; agent_id: number | null };
type HumanCell = [itemId: number, value: string | null, count: number];

/** Both sides of the report into the tallies: from the roll-ups over whole local days, else from stored rows. */
async function tallyPeriod(db: DB, input: CoverageInput, items: FullItem[]): Promise<Tallies> {
  const tallies = new Tallies();
  const byId = new Map(items.map((i) => [i.id, i]));
  if (input.days) {
    // Days a write left stale are recomputed first (usually none: one indexed look-up).
    await refreshRollups(db, 'calls', input.days.fromDay, input.days.toDay);
    const spans = coverageSpans(input.days);
    addRollup(tallies, await coverageRollupRows(db, input.rubricId, spans, input));
    for (const row of await coverageHumanRollupRows(db, input.rubricId, spans, input)) {
      for (const cell of coverageAnswerCells(row.answers)) addHuman(tallies, byId, row, cell);
    }
  } else {
    addRows(tallies, await autoRowsInRange(db, input.rubricId, input));
    for (const h of await humanAnswers(db, input.rubricId, input)) addHuman(tallies, byId, h, [h.item_id, h.value, 1]);
  }
  return tallies;
}

/** The coverage report of a rubric version for a period and scope. */
export async function coverageReport(db: DB, input: CoverageInput): Promise<CoverageReport> {
  const rubric = await loadRubric(db, input.rubricId);
  if (!rubric || rubric.status === 'draft') throw new NotFound('No such rubric.');
  const items = rubric.sections.flatMap((s) => s.items).filter((i) => i.auto !== null);
  const calls = await callCount(db, input);
  const tallies = await tallyPeriod(db, input, items);
  const who = await names(db, [...tallies.teams.keys()], [...tallies.csrs.keys()]);
  const teamName = new Map(who.teams.map((t) => [t.id, t.name]));
  const userName = new Map(who.users.map((u) => [u.id, `${u.display_name} (${u.username})`]));
  const group = (map: Map<number, Tally>, label: Map<number, string>): GroupCoverage[] =>
    [...map.entries()]
      .map(([id, t]) => ({
        id,
        name: label.get(id) ?? '—',
        analysed: t.analysed,
        answered: t.answered,
        items: itemsOf(items, t),
      }))
      .sort((a, b) => a.name.localeCompare(b.name) || a.id - b.id);
  return {
    rubric: { id: rubric.id, name: rubric.name, version: rubric.version, auto_mode: rubric.auto_mode },
    calls,
    analysed: tallies.total.analysed,
    answered: tallies.total.answered,
    items: itemsOf(items, tallies.total),
    teams: group(tallies.teams, teamName),
    csrs: group(tallies.csrs, userName),
    source: input.days ? 'rollup' : 'rows',
  };
}
