import type { Response } from 'express';
import type { DB } from '../db/database';
import { csvResponse } from './csv';
import type { ReportFilter } from './filters';

const CHUNK = 1000;

/** Every call in the filter as CSV, read from the database in chunks while it is written out. */
export async function exportCalls(db: DB, filter: ReportFilter, res: Response): Promise<void> {
  let query = db
    .selectFrom('calls')
    .leftJoin('users', 'users.id', 'calls.agent_id')
    .leftJoin('teams', 'teams.id', 'calls.team_id')
    .select([
      'calls.id',
      'calls.external_id',
      'calls.started_at',
      'users.username as agent',
      'teams.name as team',
      'calls.direction',
      'calls.category',
      'calls.queue_wait_s',
      'calls.hold_s',
      'calls.duration_s',
      'calls.csat',
      'calls.abandoned',
      'calls.evaluation_count',
    ])
    .where('calls.started_at', '>=', filter.from)
    .where('calls.started_at', '<', filter.to)
    .orderBy('calls.started_at')
    .orderBy('calls.id');
  if (filter.teamIds !== 'all')
    query = query.where('calls.team_id', 'in', filter.teamIds.length ? filter.teamIds : [-1]);
  if (filter.agentId) query = query.where('calls.agent_id', '=', filter.agentId);
  const csv = csvResponse(res, `calls-${filter.fromDate}-to-${filter.toDate}.csv`, [
    'id',
    'external_id',
    'started_at',
    'agent',
    'team',
    'direction',
    'category',
    'queue_wait_s',
    'hold_s',
    'duration_s',
    'csat',
    'abandoned',
    'evaluations',
  ]);
  // Keyset pages rather than one long-lived cursor: other requests get the connection between pages.
  let after: { started_at: string; id: number } | null = null;
  for (;;) {
    let page = query.limit(CHUNK);
    if (after) {
      const { started_at, id } = after;
      page = page.where((eb) =>
        eb.or([
          eb('calls.started_at', '>', started_at),
          eb.and([eb('calls.started_at', '=', started_at), eb('calls.id', '>', id)]),
        ]),
      );
    }
    const rows = await page.execute();
    for (const r of rows) {
      await csv.row([
        r.id,
        r.external_id,
        r.started_at,
        r.agent,
        r.team,
        r.direction,
        r.category,
        r.queue_wait_s,
        r.hold_s,
        r.duration_s,
        r.csat,
        r.abandoned ? 'yes' : 'no',
        r.evaluation_count,
      ]);
    }
    if (rows.length < CHUNK || res.destroyed) break;
    const last = rows[rows.length - 1];
    after = { started_at: last.started_at, id: last.id };
  }
  csv.end();
}

/** Every submitted scorecard in the filter as CSV, in keyset pages. */
export async function exportEvaluations(db: DB, filter: ReportFilter, res: Response): Promise<void> {
  let query = db
    .selectFrom('evaluations as e')
    .innerJoin('users as agent', 'agent.id', 'e.agent_id')
    .innerJoin('users as evaluator', 'evaluator.id', 'e.evaluator_id')
    .innerJoin('rubrics as r', 'r.id', 'e.rubric_id')
    .innerJoin('calls as c', 'c.id', 'e.call_id')
    .select([
      'e.id',
      'e.submitted_at',
      'c.external_id',
      'agent.username as agent',
      'evaluator.username as evaluator',
      'r.name as rubric',
      'r.version',
      'e.status',
      'e.score',
      'e.raw_score',
      'e.passed',
      'e.critical_failed',
      'e.time_spent_s',
    ])
    .where('e.kind', '=', 'standard')
    .where('e.status', 'in', ['submitted', 'released', 'acknowledged'])
    .where('e.submitted_at', '>=', filter.from)
    .where('e.submitted_at', '<', filter.to)
    .orderBy('e.id');
  if (filter.teamIds !== 'all') query = query.where('e.team_id', 'in', filter.teamIds.length ? filter.teamIds : [-1]);
  if (filter.agentId) query = query.where('e.agent_id', '=', filter.agentId);
  const csv = csvResponse(res, `scorecards-${filter.fromDate}-to-${filter.toDate}.csv`, [
    'id',
    'submitted_at',
    'call',
    'agent',
    'evaluator',
    'rubric',
    'version',
    'status',
    'score',
    'raw_score',
    'passed',
    'critical_failed',
    'time_spent_s',
  ]);
  let afterId = 0;
  for (;;) {
    const rows = await query.where('e.id', '>', afterId).limit(CHUNK).execute();
    for (const r of rows) {
      await csv.row([
        r.id,
        r.submitted_at,
        r.external_id,
        r.agent,
        r.evaluator,
        r.rubric,
        r.version,
        r.status,
        r.score,
        r.raw_score,
        r.passed === null ? '' : r.passed ? 'yes' : 'no',
        r.critical_failed ? 'yes' : 'no',
        r.time_spent_s,
      ]);
    }
    if (rows.length < CHUNK || res.destroyed) break;
    afterId = rows[rows.length - 1].id;
  }
  csv.end();
}
