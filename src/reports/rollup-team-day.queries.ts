import { sql } from 'kysely';
import { SCORE_BANDS, SCORE_DAY_SUMS, SERVICE_LEVEL_SUMS, type ScoreDaySums } from '../db/schema';
import type { Tx } from '../db/transaction';
import { localDayStartText } from '../lib/date-range';
import { entryOf } from '../lib/maps';
import { COUNTED_IN_FIGURES } from '../policy';
import { COUNTED, computeCsatAgentDay, computePeopleScoreDay } from './rollup-people.queries';

// The daily roll-ups per team (migrations/20261208T0100_rollup_team_day.ts, 20261208T0110_rollup_score_day.ts):
// one row per local day and team, categories and items folded into JSON arrays, so a report over all teams
// reads teams × days rows.

/** One category of a team's day: [category, calls, evaluations, scored, score_total]. */
export type CategoryCell = [category: string, calls: number, evaluations: number, scored: number, scoreTotal: number];

/** The per-team sums (the calls and scorecards are kept per category). */
const SUMMED = [...SERVICE_LEVEL_SUMS, 'csat_n', 'csat_total', 'analysed'] as const;

type CategoryRow = Record<
  (typeof SUMMED)[number] | 'calls' | 'evaluations' | 'scored' | 'score_total',
  number | string
> & {
  team_id: number | string;
  category: string;
};

/** One item of a team's scorecard day: [item_id, answered, failed]. */
export type ItemCell = [itemId: number, answered: number, failed: number];

/** A roll-up row's items, as stored (JSON text). */
export function itemCells(text: string): ItemCell[] {
  return JSON.parse(text) as ItemCell[];
}

const [DIGIT_0, DIGIT_9, OPEN, COMMA] = [48, 57, 91, 44]; // '0', '9', '[', ','
/** Items text as the refresh writes it (JSON.stringify of whole-number triples), and nothing else. */
const ITEM_CELLS = /^\[(?:\[\d+,\d+,\d+\](?:,\[\d+,\d+,\d+\])*)?\]$/;

/**
 * Each item of a roll-up row's items, read off the text without building arrays: a 90-day all-team read at 1M
 * calls is 4,423 rows and 51,601 items, which JSON.parse and a loop took 5 ms to sum and this 1.3 ms. Text of
 * any other shape than the refresh writes (checked first, whole) is read by JSON.parse as before.
 */
export function eachItemCell(text: string, each: (itemId: number, answered: number, failed: number) => void): void {
  if (!ITEM_CELLS.test(text)) {
    for (const [itemId, answered, failed] of itemCells(text)) each(itemId, answered, failed);
    return;
  }
  let [itemId, answered, value, index, inCell] = [0, 0, 0, 0, false];
  for (let i = 1; i < text.length; i += 1) {
    const c = text.charCodeAt(i);
    if (c >= DIGIT_0 && c <= DIGIT_9) {
      value = value * 10 + (c - DIGIT_0);
      continue;
    }
    if (c === OPEN) {
      inCell = true;
      index = 0;
      value = 0;
      continue;
    }
    if (!inCell) continue; // the comma between two cells, or the closing bracket
    if (c === COMMA) {
      if (index === 0) itemId = value;
      else answered = value;
      index += 1;
      value = 0;
      continue;
    }
    each(itemId, answered, value); // the cell's closing bracket
    inCell = false;
  }
}

/** One bucket of a team's day of waits: [seconds, calls], each wait rounded up to the whole second. */
export type WaitCell = [seconds: number, calls: number];

/** Waits longer than this share one bucket (WAIT_CAP_S + 1): a threshold above it is summed from the calls. */
export const WAIT_CAP_S = 3600;

/** A roll-up row's waits, as stored (JSON text). */
export function waitCells(text: string): WaitCell[] {
  return JSON.parse(text) as WaitCell[];
}

/** The answered inbound calls of a day per team and wait, folded into each team's histogram (see WaitCell). */
async function waitHistograms(trx: Tx, start: string, end: string): Promise<Map<number, string>> {
  const rows = await sql<{ team_id: number | string; wait: number | string; n: number | string }>`
    select coalesce(team_id, 0) as team_id, queue_wait_s as wait, count(*) as n
    from calls
    where started_at >= ${start} and started_at < ${end} and direction = 'inbound' and abandoned = 0
    group by 1, 2`.execute(trx);
  const teams = new Map<number, Map<number, number>>();
  for (const row of rows.rows) {
    const teamId = Number(row.team_id);
    const seconds = Math.min(Math.ceil(Number(row.wait)), WAIT_CAP_S + 1);
    const buckets = teams.get(teamId) ?? new Map<number, number>();
    buckets.set(seconds, (buckets.get(seconds) ?? 0) + Number(row.n));
    teams.set(teamId, buckets);
  }
  return new Map(
    [...teams].map(([teamId, buckets]) => [teamId, JSON.stringify([...buckets].sort((a, b) => a[0] - b[0]))]),
  );
}

/** A roll-up row's categories, as stored (JSON text). */
export function categoryCells(text: string): CategoryCell[] {
  return JSON.parse(text) as CategoryCell[];
}

/** One category cell as the refresh writes it: a name with no quote or backslash, three counts, a score total. */
const CATEGORY_CELL = String.raw`\["[^"\\]*",\d{1,15},\d{1,15},\d{1,15},\d{1,15}(?:\.\d+)?\]`;
const CATEGORY_CELLS = new RegExp(String.raw`^\[(?:${CATEGORY_CELL}(?:,${CATEGORY_CELL})*)?\]$`);

/**
 * Each category of a roll-up row's categories, read off the text: the customers report over all teams reads a
 * row per team and day (4,265 rows for 90 days at 100k calls), which JSON.parse and a loop took 5.4 ms to sum and
 * this 3.2 ms. Counts of up to 15 digits add up exactly as JSON.parse reads them, and the score total is read by
 * Number, as JSON.parse reads it; text of any other shape than the refresh writes (checked first, whole) is read
 * by JSON.parse.
 */
export function eachCategoryCell(
  text: string,
  each: (category: string, calls: number, evaluations: number, scored: number, scoreTotal: number) => void,
): void {
  if (!CATEGORY_CELLS.test(text)) {
    for (const [category, calls, evaluations, scored, total] of categoryCells(text)) {
      each(category, calls, evaluations, scored, total);
    }
    return;
  }
  // From the cell's opening bracket: its name between the quotes after it, then the counts up to each comma.
  for (let open = 1; open < text.length - 1;) {
    const nameEnd = text.indexOf('"', open + 2);
    let at = nameEnd + 2;
    const count = () => {
      let value = 0;
      for (let c = text.charCodeAt(at); c !== COMMA; c = text.charCodeAt((at += 1))) value = value * 10 + (c - DIGIT_0);
      at += 1;
      return value;
    };
    const [calls, evaluations, scored] = [count(), count(), count()];
    const close = text.indexOf(']', at);
    each(text.slice(open + 2, nameEnd), calls, evaluations, scored, Number(text.slice(at, close)));
    open = close + 2;
  }
}

/** The day's sums per team and category from the raw rows (calls of the day, their counted scorecards). */
function categorySums(trx: Tx, start: string, end: string, thresholdS: number) {
  return sql<CategoryRow>`
    with ca as (
      select coalesce(team_id, 0) as team_id, coalesce(category, '(none)') as category, count(*) as calls,
        sum(case when direction = 'inbound' then 1 when not (direction = 'inbound') then 0 end) as offered,
        sum(case when direction = 'inbound' and abandoned = 0 then 1 when not (direction = 'inbound' and abandoned = 0) then 0 end) as answered,
        sum(case when direction = 'inbound' and abandoned = 1 then 1 when not (direction = 'inbound' and abandoned = 1) then 0 end) as abandoned,
        sum(case when direction = 'inbound' and abandoned = 0 and queue_wait_s <= ${thresholdS} then 1 when not (direction = 'inbound' and abandoned = 0 and queue_wait_s <= ${thresholdS}) then 0 end) as within_threshold,
        coalesce(sum(case when direction = 'inbound' and abandoned = 0 then queue_wait_s end), 0) as wait_total,
        coalesce(sum(case when direction = 'inbound' and abandoned = 0 then hold_s end), 0) as hold_total,
        count(csat) as csat_n, coalesce(sum(csat), 0) as csat_total,
        -- Analysed: the audio analysed, or a transcript (the base of the customer report's topic shares).
        sum(case when transcript is not null or exists (
          select 1 from call_analyses a where a.call_id = calls.id and a.status = 'done') then 1 else 0 end) as analysed
      from calls where started_at >= ${start} and started_at < ${end}
      group by 1, 2
    ), ea as (
      select coalesce(c.team_id, 0) as team_id, coalesce(c.category, '(none)') as category,
        count(*) as evaluations, count(e.score) as scored, coalesce(sum(e.score), 0) as score_total
      -- CROSS JOIN keeps the day's calls as the outer loop (else SQLite walks every scorecard by status).
      from calls c cross join evaluations e
      where c.started_at >= ${start} and c.started_at < ${end}
        and e.call_id = c.id and e.kind = 'standard' and e.status in ${COUNTED}
      group by 1, 2
    )
    select ca.team_id, ca.category, ca.calls, ca.offered, ca.answered, ca.abandoned, ca.within_threshold,
      ca.wait_total, ca.hold_total, ca.csat_n, ca.csat_total, ca.analysed,
      coalesce(ea.evaluations, 0) as evaluations, coalesce(ea.scored, 0) as scored,
      coalesce(ea.score_total, 0) as score_total
    from ca left join ea on ea.team_id = ca.team_id and ea.category = ca.category
    order by 1, 2`.execute(trx);
}

/** Folds a day's per-category rows into one row per team (the categories kept in `categories`). */
function foldedByTeam(day: string, thresholdS: number, rows: CategoryRow[], waits: Map<number, string>) {
  const teams = new Map<number, Record<(typeof SUMMED)[number], number> & { cells: CategoryCell[] }>();
  for (const row of rows) {
    const teamId = Number(row.team_id);
    let team = teams.get(teamId);
    if (!team) {
      team = {
        ...(Object.fromEntries(SUMMED.map((name) => [name, 0])) as Record<(typeof SUMMED)[number], number>),
        cells: [],
      };
      teams.set(teamId, team);
    }
    for (const name of SUMMED) team[name] += Number(row[name]);
    team.cells.push([
      row.category,
      Number(row.calls),
      Number(row.evaluations),
      Number(row.scored),
      Number(row.score_total),
    ]);
  }
  return [...teams].map(([teamId, { cells, ...sums }]) => ({
    day,
    team_id: teamId,
    threshold_s: thresholdS,
    ...sums,
    categories: JSON.stringify(cells),
    waits: waits.get(teamId) ?? '[]',
  }));
}

/** The day's categories summed over every team (rollup_category_day): one cell per category, as `foldedByTeam`'s. */
function categoriesOfDay(rows: CategoryRow[]): string {
  const cells = new Map<string, CategoryCell>();
  for (const row of rows) {
    const sums: CategoryCell = [row.category, Number(row.calls), Number(row.evaluations), Number(row.scored), Number(row.score_total)]; // prettier-ignore
    const cell = cells.get(row.category);
    if (!cell) cells.set(row.category, sums);
    else for (let i = 1; i < 5; i += 1) (cell[i] as number) += sums[i] as number;
  }
  return JSON.stringify([...cells.values()]);
}

/** Recomputes one local day of the call roll-ups: [local midnight, next local midnight) in the zone. */
export async function computeCallDay(trx: Tx, day: string, thresholdS: number, timeZone: string) {
  const start = localDayStartText(day, timeZone);
  const end = localDayStartText(day, timeZone, 1);
  await trx.deleteFrom('rollup_team_day').where('day', '=', day).execute();
  await trx.deleteFrom('rollup_item_csat_day').where('day', '=', day).execute();
  const perCategory = await categorySums(trx, start, end, thresholdS);
  const rows = foldedByTeam(day, thresholdS, perCategory.rows, await waitHistograms(trx, start, end));
  if (rows.length) await trx.insertInto('rollup_team_day').values(rows).execute();
  await trx.deleteFrom('rollup_category_day').where('day', '=', day).execute();
  if (rows.length) {
    await trx
      .insertInto('rollup_category_day')
      .values({ day, categories: categoriesOfDay(perCategory.rows) })
      .execute();
  }
  await sql`
    insert into rollup_item_csat_day (day, team_id, item_id, n_passed, csat_passed, n_failed, csat_failed)
    select ${day}, coalesce(e.team_id, 0), a.item_id,
      sum(case when a.points >= a.max_points then 1 when not (a.points >= a.max_points) then 0 end), coalesce(sum(case when a.points >= a.max_points then c.csat end), 0),
      sum(case when a.points < a.max_points then 1 when not (a.points < a.max_points) then 0 end), coalesce(sum(case when a.points < a.max_points then c.csat end), 0)
    from calls c
      cross join evaluations e
      join evaluation_answers a on a.evaluation_id = e.id
    where c.started_at >= ${start} and c.started_at < ${end} and c.csat is not null and a.points is not null
      and e.call_id = c.id and e.kind = 'standard' and e.status in ${COUNTED}
    group by 2, 3`.execute(trx);
  await trx.deleteFrom('rollup_item_csat_total_day').where('day', '=', day).execute();
  await sql`
    insert into rollup_item_csat_total_day (item_id, day, n_passed, csat_passed, n_failed, csat_failed)
    select item_id, day, sum(n_passed), sum(csat_passed), sum(n_failed), sum(csat_failed)
    from rollup_item_csat_day where day = ${day} group by item_id, day`.execute(trx);
  await computeCsatAgentDay(trx, day, start, end);
}

/**
 * The score band counts as SQL select items b0 … b9 over a score column (b0: 0 to under 10 … b9: 90 to 100), for
 * the roll-up and the raw path alike.
 */
export function scoreBandCounts(score: string) {
  return SCORE_BANDS.map((name, band) => {
    const low = sql.lit(band * 10);
    const where =
      band === 9
        ? sql`${sql.raw(score)} >= ${low}`
        : sql`${sql.raw(score)} >= ${low} and ${sql.raw(score)} < ${sql.lit(band * 10 + 10)}`;
    return sql<number>`count(*) filter (where ${where})`.as(name);
  });
}

type ScoreSumRow = Record<keyof ScoreDaySums, number | string | null> & { team_id: number | string };

/** A day's sums per team of its counted scorecards with a score. */
async function scoreSumsOfDay(trx: Tx, start: string, end: string) {
  return trx
    .selectFrom('evaluations as e')
    .select([
      sql<number>`coalesce(e.team_id, 0)`.as('team_id'),
      sql<number>`count(*)`.as('scored'),
      sql<number>`sum(e.score)`.as('score_total'),
      sql<number>`sum(e.score * e.score)`.as('score_squares'),
      sql<number>`coalesce(sum(e.passed), 0)`.as('passed'),
      sql<number>`sum(e.critical_failed)`.as('critical'),
      ...scoreBandCounts('e.score'),
    ])
    .where('e.kind', '=', 'standard')
    .where('e.status', 'in', COUNTED_IN_FIGURES)
    .where('e.submitted_at', '>=', start)
    .where('e.submitted_at', '<', end)
    .where('e.score', 'is not', null)
    .groupBy(sql`1`)
    .execute() as Promise<ScoreSumRow[]>;
}

const NO_SCORE_SUMS = Object.fromEntries(SCORE_DAY_SUMS.map((name) => [name, 0])) as ScoreDaySums;

/** The day's scorecard sums and items over every team (rollup_score_total_day), from its rows per team. */
function overEveryTeam(day: string, teams: Map<number, { items: ItemCell[]; sums: ScoreDaySums }>) {
  const sums = { ...NO_SCORE_SUMS };
  const items = new Map<number, ItemCell>();
  for (const team of teams.values()) {
    for (const name of SCORE_DAY_SUMS) sums[name] += team.sums[name];
    for (const [itemId, answered, failed] of team.items) {
      const cell = items.get(itemId);
      if (cell) {
        cell[1] += answered;
        cell[2] += failed;
      } else items.set(itemId, [itemId, answered, failed]);
    }
  }
  return { day, items: JSON.stringify([...items.values()].sort((a, b) => a[0] - b[0])), ...sums };
}

/** Recomputes one local day of the scorecard roll-up (by the day scorecards were submitted). */
export async function computeScoreDay(trx: Tx, day: string, timeZone: string) {
  await trx.deleteFrom('rollup_score_day').where('day', '=', day).execute();
  const start = localDayStartText(day, timeZone);
  const end = localDayStartText(day, timeZone, 1);
  const perItem = await sql<{
    team_id: number | string;
    item_id: number | string;
    answered: number | string;
    failed: number | string;
  }>`
    select coalesce(e.team_id, 0) as team_id, a.item_id, count(*) as answered,
      sum(case when a.points < a.max_points then 1 when not (a.points < a.max_points) then 0 end) as failed
    from evaluations e join evaluation_answers a on a.evaluation_id = e.id
    where e.kind = 'standard' and e.status in ${COUNTED}
      and e.submitted_at >= ${start} and e.submitted_at < ${end}
      and a.points is not null
    group by 1, 2
    order by 1, 2`.execute(trx);
  const teams = new Map<number, { items: ItemCell[]; sums: ScoreDaySums }>();
  const teamOf = (teamId: number) => entryOf(teams, teamId, () => ({ items: [], sums: { ...NO_SCORE_SUMS } }));
  for (const row of perItem.rows) {
    teamOf(Number(row.team_id)).items.push([Number(row.item_id), Number(row.answered), Number(row.failed)]);
  }
  for (const row of await scoreSumsOfDay(trx, start, end)) {
    const sums = teamOf(Number(row.team_id)).sums;
    for (const name of SCORE_DAY_SUMS) sums[name] = Number(row[name] ?? 0);
  }
  const rows = [...teams].map(([teamId, { items, sums }]) => ({
    day,
    team_id: teamId,
    items: JSON.stringify(items),
    ...sums,
  }));
  if (rows.length) await trx.insertInto('rollup_score_day').values(rows).execute();
  await trx.deleteFrom('rollup_score_total_day').where('day', '=', day).execute();
  if (rows.length) await trx.insertInto('rollup_score_total_day').values(overEveryTeam(day, teams)).execute();
  await computePeopleScoreDay(trx, day, start, end);
}
