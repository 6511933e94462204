import { countRows } from '../db/fragments';
import { sql, type SelectQueryBuilder } from 'kysely';
import type { DB } from '../db/database';
import { engineOf, equalsIgnoringCase } from '../db/dialect';
import type { Executor } from '../db/transaction';
import { CALL_FIGURE_COLUMNS, type Call, type Database, type NewCall } from '../db/schema';
import type { TeamScope } from '../policy';
import type { CallListQuery, CallSort } from './calls.schemas';
import { idsIn } from '../db/ids';
import { keysetPage } from '../lib/pages';
import { taggedWith } from './list-extras.queries';

export async function findCall(db: Executor, id: number): Promise<Call | undefined> {
  return db.selectFrom('calls').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function findCallByExternalId(
  db: Executor,
  source: string,
  externalId: string,
): Promise<Call | undefined> {
  return db
    .selectFrom('calls')
    .selectAll()
    .where('source', '=', source)
    .where('external_id', '=', externalId)
    .executeTakeFirst();
}

export async function insertCall(db: Executor, values: NewCall): Promise<number> {
  const row = await db.insertInto('calls').values(values).returning('id').executeTakeFirstOrThrow();
  return row.id;
}

export async function deleteCallRow(db: Executor, id: number): Promise<void> {
  await db.deleteFrom('calls').where('id', '=', id).execute();
}

/** A person by user name, as far as placing a call on them needs. */
export async function findPersonByUsername(db: Executor, username: string) {
  return db
    .selectFrom('users')
    .select(['id', 'team_id', 'role'])
    .where(equalsIgnoringCase(db, 'username', username))
    .executeTakeFirst();
}

/** The agent's names for a call page or API answer. */
export async function findAgentNames(db: Executor, agentId: number) {
  return db.selectFrom('users').select(['display_name', 'username']).where('id', '=', agentId).executeTakeFirst();
}

/**
 * Sets a call's transcript from the phone system or a person (both columns at once: the format describes the
 * text); one a speech-to-text engine wrote is replaced and no longer marked as the engine's.
 */
export async function updateTranscript(
  db: Executor,
  id: number,
  transcript: { transcript_format: 'vtt' | 'text'; transcript: string },
): Promise<void> {
  await db
    .updateTable('calls')
    .set({ ...transcript, transcript_source: null })
    .where('id', '=', id)
    .executeTakeFirstOrThrow();
}

/** Inserts unless (source, external_id) exists; returns the new id or null when it was already there. */
export async function insertCallIfNew(db: Executor, values: NewCall): Promise<number | null> {
  const row = await db
    .insertInto('calls')
    .values(values)
    .onConflict((oc) => oc.columns(['source', 'external_id']).doNothing())
    .returning('id')
    .executeTakeFirst();
  return row?.id ?? null;
}

export interface CallFilter extends Omit<
  CallListQuery,
  'agent' | 'from' | 'to' | 'days' | 'sort' | 'order' | 'cursor' | 'limit'
> {
  agentId?: number;
  /** Calls started in [startedFrom, startedBefore): UTC instants (lib/date-range.ts instantRange). */
  startedFrom?: string;
  startedBefore?: string;
}

type CallQuery = SelectQueryBuilder<Database, 'calls', object>;

function applyFilters(query: CallQuery, scope: TeamScope, filter: CallFilter): CallQuery {
  let q = query;
  if (!scope.all) q = q.where('calls.team_id', 'in', idsIn(scope.teamIds));
  if (filter.team_id) q = q.where('calls.team_id', '=', filter.team_id);
  if (filter.agentId) q = q.where('calls.agent_id', '=', filter.agentId);
  if (filter.startedFrom) q = q.where('calls.started_at', '>=', filter.startedFrom);
  if (filter.startedBefore) q = q.where('calls.started_at', '<', filter.startedBefore);
  if (filter.category) q = q.where('calls.category', '=', filter.category);
  if (filter.topic) q = taggedWith(q, filter.topic);
  if (filter.direction) q = q.where('calls.direction', '=', filter.direction);
  if (filter.evaluated === 'true') q = q.where('calls.evaluation_count', '>', 0);
  if (filter.evaluated === 'false') q = q.where('calls.evaluation_count', '=', 0);
  if (filter.min_duration !== undefined) q = q.where('calls.duration_s', '>=', filter.min_duration);
  if (filter.max_duration !== undefined) q = q.where('calls.duration_s', '<=', filter.max_duration);
  if (filter.min_hold !== undefined) q = q.where('calls.hold_s', '>=', filter.min_hold);
  if (filter.max_hold !== undefined) q = q.where('calls.hold_s', '<=', filter.max_hold);
  if (filter.recording === 'with') q = q.where('calls.recording_status', '=', 'stored');
  if (filter.transcript === 'with') q = q.where('calls.transcript', 'is not', null);
  if (filter.transcript === 'without') q = q.where('calls.transcript', 'is', null);
  q = applyAnalysisFilters(q, filter);
  if (filter.recording === 'without') {
    q = q.where((eb) =>
      eb.or([eb('calls.recording_status', 'is', null), eb('calls.recording_status', '!=', 'stored')]),
    );
  }
  return q;
}

/** Filters on the automatic analysis: its state, and its figures (a call without them never matches a range). */
function applyAnalysisFilters(query: CallQuery, filter: CallFilter): CallQuery {
  const figures: Array<[keyof CallFilter, 'talk_ratio' | 'dead_air_longest_s' | 'overtalk_total_s', '>=' | '<=']> = [
    ['min_talk_ratio', 'talk_ratio', '>='],
    ['max_talk_ratio', 'talk_ratio', '<='],
    ['min_dead_air', 'dead_air_longest_s', '>='],
    ['min_overtalk', 'overtalk_total_s', '>='],
  ];
  const given = figures.filter(([key]) => filter[key] !== undefined);
  if (!filter.analysis && given.length === 0) return query;
  return query.where((eb) => {
    let sub = eb.selectFrom('call_analyses as a').select('a.call_id').whereRef('a.call_id', '=', 'calls.id');
    if (filter.analysis === 'pending') sub = sub.where('a.status', 'in', ['pending', 'running']);
    else if (filter.analysis) sub = sub.where('a.status', '=', filter.analysis);
    for (const [key, column, op] of given) sub = sub.where(`a.${column}`, op, filter[key] as number);
    return eb.exists(sub);
  });
}

export interface CallCursor {
  value: string | number | null;
  id: number;
}

export function encodeCursor(cursor: CallCursor): string {
  return Buffer.from(JSON.stringify([cursor.value, cursor.id])).toString('base64url');
}

export function decodeCursor(text: string | undefined): CallCursor | null {
  if (!text) return null;
  try {
    const [value, id] = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as [unknown, unknown];
    if (typeof id !== 'number' || !Number.isInteger(id)) return null;
    if (value !== null && typeof value !== 'string' && typeof value !== 'number') return null;
    return { value, id };
  } catch {
    return null;
  }
}

/** Keyset pagination on (sort column, id): cost grows with the page, not with the table. */
function applyCursor(query: CallQuery, sort: CallSort, order: 'asc' | 'desc', cursor: CallCursor | null): CallQuery {
  if (!cursor) return query;
  const column = sql.ref(`calls.${sort}`);
  const op = order === 'desc' ? sql`<` : sql`>`;
  if (cursor.value === null) {
    // NULLs sort first ascending and last descending in SQLite; only csat can be NULL.
    return order === 'desc'
      ? query.where(sql<boolean>`(${column} is null and calls.id ${op} ${cursor.id})`)
      : query.where(sql<boolean>`((${column} is null and calls.id > ${cursor.id}) or ${column} is not null)`);
  }
  const tail = order === 'desc' ? sql` or ${column} is null` : sql``;
  return query.where(
    sql<boolean>`(${column} ${op} ${cursor.value} or (${column} = ${cursor.value} and calls.id ${op} ${cursor.id})${tail})`,
  );
}

export const CALL_LIST_COLUMNS = [
  'calls.id',
  'calls.external_id',
  'calls.source',
  'calls.started_at',
  ...CALL_FIGURE_COLUMNS,
  'calls.evaluation_count',
  'calls.recording_status',
  'calls.team_id',
  'calls.agent_id',
] as const;

type Page = { sort: CallSort; order: 'asc' | 'desc'; cursor: CallCursor | null; limit: number };

function pageQuery(db: DB, scope: TeamScope, filter: CallFilter, page: Page, teamUnindexed: boolean) {
  let query = applyFilters(db.selectFrom('calls'), { all: true }, filter);
  if (!scope.all) {
    const ids = idsIn(scope.teamIds);
    // "+team_id" keeps SQLite from choosing the team index and sorting everything in scope: it walks the
    // sort column's index instead and filters by team as it goes (bench/: 116 ms → 1 ms at 1M calls).
    query = teamUnindexed
      ? query.where(sql<number>`+calls.team_id`, 'in', ids)
      : query.where('calls.team_id', 'in', ids);
  }
  return applyCursor(query, page.sort, page.order, page.cursor)
    .leftJoin('users as agent', 'agent.id', 'calls.agent_id')
    .leftJoin('teams', 'teams.id', 'calls.team_id')
    .leftJoin('call_analyses as analysis', 'analysis.call_id', 'calls.id')
    .select([
      ...CALL_LIST_COLUMNS,
      'agent.display_name as agent_name',
      'agent.username as agent_username',
      'teams.name as team_name',
      'analysis.status as analysis_status',
      'analysis.talk_ratio',
      'analysis.overtalk_total_s',
      'analysis.dead_air_longest_s',
      sql<number>`case when calls.transcript is null then 0 else 1 end`.as('has_transcript'),
    ])
    .orderBy(`calls.${page.sort}`, (ob) => {
      const ordered = page.order === 'asc' ? ob.asc() : ob.desc();
      // CSAT, the one sort column that can be NULL: NULL below every value, as SQLite orders it and as the
      // cursor above reads it (PostgreSQL's default is the opposite; its calls_csat_idx is NULLS FIRST to match,
      // migration 20261215T0300). Not on the other columns: NULLS LAST on started_at, which is never NULL, kept
      // PostgreSQL from walking its index (the call list took 79-386 ms at 1M calls instead of a few).
      if (page.sort !== 'csat' || engineOf(db) === 'sqlite') return ordered;
      return page.order === 'asc' ? ordered.nullsFirst() : ordered.nullsLast();
    })
    .orderBy('calls.id', page.order)
    .limit(page.limit + 1);
}

type CallRow = Awaited<ReturnType<ReturnType<typeof pageQuery>['execute']>>[number];

function compareRows(sort: CallSort, order: 'asc' | 'desc') {
  const sign = order === 'asc' ? 1 : -1;
  return (a: CallRow, b: CallRow) => {
    const x = a[sort];
    const y = b[sort];
    // SQLite puts NULL first ascending (and last descending), like a value below every number.
    if (x !== y) {
      if (x === null) return -sign;
      if (y === null) return sign;
      return x < y ? -sign : sign;
    }
    return (a.id - b.id) * sign;
  };
}

/**
 * One page of calls. With several teams in scope and the newest-first sort, each team's page is read from
 * its own (team_id, started_at) index and the pages are merged: cost grows with the page, not the table.
 */
export async function listCalls(db: DB, scope: TeamScope, filter: CallFilter, page: Page) {
  let rows: CallRow[];
  const teams = !scope.all && !filter.team_id ? scope.teamIds : [];
  if (teams.length > 1 && page.sort === 'started_at') {
    const perTeam = await Promise.all(
      teams.map((teamId) => pageQuery(db, { all: true }, { ...filter, team_id: teamId }, page, false).execute()),
    );
    rows = perTeam
      .flat()
      .sort(compareRows(page.sort, page.order))
      .slice(0, page.limit + 1);
  } else {
    rows = await pageQuery(db, scope, filter, page, page.sort !== 'started_at' || !filter.team_id).execute();
  }
  const { items, last } = keysetPage(rows, page.limit);
  const next = last ? encodeCursor({ value: last[page.sort] ?? null, id: last.id }) : null;
  return { items, next_cursor: next };
}

/** Counting stops here: past it the page says "more than 10,000", so a count costs the same at any table size. */
export const COUNT_CAP = 10_000;

/** How many calls match, up to COUNT_CAP + 1 (more than COUNT_CAP means "more than COUNT_CAP"). */
export async function countCalls(db: DB, scope: TeamScope, filter: CallFilter): Promise<number> {
  const matching = applyFilters(db.selectFrom('calls'), scope, filter)
    .select(sql<number>`1`.as('one'))
    .limit(COUNT_CAP + 1);
  return countRows(db.selectFrom(matching.as('m')));
}

/**
 * The call reasons for the filter list: a loose index scan over (category, …) hops from one category to the
 * next instead of reading every call (0.02 ms instead of 300 ms at 1M calls). Category names are shared
 * labels, not call data, so the list is the same for everyone.
 */
export async function distinctCategories(db: DB): Promise<string[]> {
  const result = await sql<{ category: string }>`
    with recursive cats(category) as (
      select min(category) from calls where category is not null
      union all
      select (select min(category) from calls where category > cats.category) from cats where cats.category is not null
    )
    select category from cats where category is not null limit 200`.execute(db);
  return result.rows.map((r) => r.category);
}
