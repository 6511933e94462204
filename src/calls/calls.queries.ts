import { sql, type SelectQueryBuilder } from 'kysely';
import type { DB } from '../db/database';
import type { Call, Database, NewCall } from '../db/schema';
import type { TeamScope } from '../policy/scope';
import type { CallListQuery, CallSort } from './calls.schemas';

export async function findCall(db: DB, id: number): Promise<Call | undefined> {
  return db.selectFrom('calls').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function findCallByExternalId(db: DB, source: string, externalId: string): Promise<Call | undefined> {
  return db
    .selectFrom('calls')
    .selectAll()
    .where('source', '=', source)
    .where('external_id', '=', externalId)
    .executeTakeFirst();
}

export async function insertCall(db: DB, values: NewCall): Promise<number> {
  const row = await db.insertInto('calls').values(values).returning('id').executeTakeFirstOrThrow();
  return row.id;
}

/** Inserts unless (source, external_id) exists; returns the new id or null when it was already there. */
export async function insertCallIfNew(db: DB, values: NewCall): Promise<number | null> {
  const row = await db
    .insertInto('calls')
    .values(values)
    .onConflict((oc) => oc.columns(['source', 'external_id']).doNothing())
    .returning('id')
    .executeTakeFirst();
  return row?.id ?? null;
}

export interface CallFilter extends Omit<CallListQuery, 'agent' | 'sort' | 'order' | 'cursor' | 'limit'> {
  agentId?: number;
}

type CallQuery = SelectQueryBuilder<Database, 'calls', object>;

function applyFilters(query: CallQuery, scope: TeamScope, filter: CallFilter): CallQuery {
  let q = query;
  if (!scope.all) q = q.where('calls.team_id', 'in', scope.teamIds.length ? scope.teamIds : [-1]);
  if (filter.team_id) q = q.where('calls.team_id', '=', filter.team_id);
  if (filter.agentId) q = q.where('calls.agent_id', '=', filter.agentId);
  if (filter.from) q = q.where('calls.started_at', '>=', `${filter.from}T00:00:00.000Z`);
  if (filter.to) q = q.where('calls.started_at', '<', nextDay(filter.to));
  if (filter.category) q = q.where('calls.category', '=', filter.category);
  if (filter.direction) q = q.where('calls.direction', '=', filter.direction);
  if (filter.evaluated === 'true') q = q.where('calls.evaluation_count', '>', 0);
  if (filter.evaluated === 'false') q = q.where('calls.evaluation_count', '=', 0);
  if (filter.min_duration !== undefined) q = q.where('calls.duration_s', '>=', filter.min_duration);
  if (filter.max_duration !== undefined) q = q.where('calls.duration_s', '<=', filter.max_duration);
  if (filter.min_hold !== undefined) q = q.where('calls.hold_s', '>=', filter.min_hold);
  if (filter.max_hold !== undefined) q = q.where('calls.hold_s', '<=', filter.max_hold);
  if (filter.recording === 'with') q = q.where('calls.recording_status', '=', 'stored');
  if (filter.recording === 'without') {
    q = q.where((eb) =>
      eb.or([eb('calls.recording_status', 'is', null), eb('calls.recording_status', '!=', 'stored')]),
    );
  }
  return q;
}

function nextDay(date: string): string {
  const d = new Date(`${date}T00:00:00.000Z`);
  d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString();
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
  'calls.direction',
  'calls.category',
  'calls.queue_wait_s',
  'calls.hold_s',
  'calls.duration_s',
  'calls.csat',
  'calls.abandoned',
  'calls.evaluation_count',
  'calls.recording_status',
  'calls.team_id',
  'calls.agent_id',
] as const;

export async function listCalls(
  db: DB,
  scope: TeamScope,
  filter: CallFilter,
  page: { sort: CallSort; order: 'asc' | 'desc'; cursor: CallCursor | null; limit: number },
) {
  let query = applyFilters(db.selectFrom('calls'), scope, filter);
  query = applyCursor(query, page.sort, page.order, page.cursor);
  const rows = await query
    .leftJoin('users as agent', 'agent.id', 'calls.agent_id')
    .leftJoin('teams', 'teams.id', 'calls.team_id')
    .select([
      ...CALL_LIST_COLUMNS,
      'agent.display_name as agent_name',
      'agent.username as agent_username',
      'teams.name as team_name',
    ])
    .orderBy(`calls.${page.sort}`, page.order)
    .orderBy('calls.id', page.order)
    .limit(page.limit + 1)
    .execute();
  const items = rows.slice(0, page.limit);
  const last = items.at(-1);
  const next = rows.length > page.limit && last ? encodeCursor({ value: last[page.sort] ?? null, id: last.id }) : null;
  return { items, next_cursor: next };
}

export async function countCalls(db: DB, scope: TeamScope, filter: CallFilter): Promise<number> {
  const row = await applyFilters(db.selectFrom('calls'), scope, filter)
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

export async function distinctCategories(db: DB, scope: TeamScope): Promise<string[]> {
  let query = db.selectFrom('calls').select('category').distinct().where('category', 'is not', null);
  if (!scope.all) query = query.where('team_id', 'in', scope.teamIds.length ? scope.teamIds : [-1]);
  const rows = await query.orderBy('category').limit(200).execute();
  return rows.map((r) => r.category!).filter(Boolean);
}
