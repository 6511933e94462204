import type { Executor } from '../db/transaction';
import { COUNTED_IN_FIGURES } from '../policy';

// The automatic answers measured against people (issue 16): the recorded pairs (rule's answer beside the
// person's, evaluation_auto_answers) and the stored automatic evaluations of the period's calls.

export interface PairQuery {
  rubricIds: readonly number[];
  /** Teams in scope, or null for all; an empty list matches nothing. */
  teamIds: readonly number[] | null;
  /** Scorecards submitted in [from, to): UTC instants; both absent for all time. */
  from?: string;
  to?: string;
}

const NO_TEAM = [-1];
const ids = (list: readonly number[]) => (list.length > 0 ? [...list] : NO_TEAM);

/** Every recorded pair of the query's rubric versions, newest scorecard first. */
export async function recordedPairs(db: Executor, q: PairQuery) {
  if (q.rubricIds.length === 0) return [];
  return db
    .selectFrom('evaluation_auto_answers as x')
    .innerJoin('evaluations as e', 'e.id', 'x.evaluation_id')
    .innerJoin('calls as c', 'c.id', 'x.call_id')
    .innerJoin('users as agent', 'agent.id', 'e.agent_id')
    .select([
      'x.item_id',
      'x.rubric_id',
      'x.call_id',
      'x.evaluation_id',
      'x.rule_value',
      'x.human_value',
      'x.suggested',
      'x.reason',
      'x.evidence_s',
      'e.submitted_at',
      'c.external_id',
      'c.started_at',
      'agent.display_name as agent_name',
    ])
    .where('x.rubric_id', 'in', [...q.rubricIds])
    .where('e.kind', '=', 'standard')
    .where('e.status', 'in', COUNTED_IN_FIGURES)
    .$if(q.teamIds !== null, (qb) => qb.where('e.team_id', 'in', ids(q.teamIds ?? [])))
    .$if(q.from !== undefined, (qb) => qb.where('e.submitted_at', '>=', q.from ?? ''))
    .$if(q.to !== undefined, (qb) => qb.where('e.submitted_at', '<', q.to ?? ''))
    .orderBy('e.submitted_at', 'desc')
    .orderBy('x.evaluation_id', 'desc')
    .execute();
}

export type RecordedPair = Awaited<ReturnType<typeof recordedPairs>>[number];

export interface CallQuery {
  teamIds: readonly number[] | null;
  from: string;
  to: string;
}

/** Calls started in the period (and scope), and how many of them the audio analysis has finished. */
export async function callCounts(db: Executor, q: CallQuery): Promise<{ calls: number; analysed: number }> {
  const row = await db
    .selectFrom('calls')
    .leftJoin('call_analyses', 'call_analyses.call_id', 'calls.id')
    .select((eb) => [
      eb.fn.countAll<number | string>().as('calls'),
      eb.fn
        .count<number | string>('call_analyses.call_id')
        .filterWhere('call_analyses.status', '=', 'done')
        .as('analysed'),
    ])
    .where('calls.started_at', '>=', q.from)
    .where('calls.started_at', '<', q.to)
    .$if(q.teamIds !== null, (qb) => qb.where('calls.team_id', 'in', ids(q.teamIds ?? [])))
    .executeTakeFirst();
  return { calls: Number(row?.calls ?? 0), analysed: Number(row?.analysed ?? 0) };
}

/**
 * Per ruled item of the given rubric versions: how many calls of the period (and scope) their stored automatic
 * evaluations answered, and of them failed (auto_evaluations, written by the auto-mode runner).
 */
export async function storedAutoCounts(db: Executor, rubricIds: readonly number[], q: CallQuery) {
  if (rubricIds.length === 0) return [];
  const rows = await db
    .selectFrom('auto_evaluation_answers as aa')
    .innerJoin('auto_evaluations as ae', 'ae.id', 'aa.auto_evaluation_id')
    .innerJoin('calls', 'calls.id', 'ae.call_id')
    .select((eb) => [
      'aa.item_id',
      eb.fn.countAll<number | string>().as('answered'),
      eb.fn.count<number | string>('aa.item_id').filterWhere('aa.failed', '=', 1).as('failed'),
    ])
    .where('ae.rubric_id', 'in', [...rubricIds])
    .where('aa.failed', 'is not', null)
    .where('calls.started_at', '>=', q.from)
    .where('calls.started_at', '<', q.to)
    .$if(q.teamIds !== null, (qb) => qb.where('calls.team_id', 'in', ids(q.teamIds ?? [])))
    .groupBy('aa.item_id')
    .execute();
  return rows.map((r) => ({ item_id: r.item_id, answered: Number(r.answered), failed: Number(r.failed) }));
}

/** Published or retired rubric versions whose items carry rules: those the report covers without a rubric_id. */
export async function ruledRubricIds(db: Executor): Promise<number[]> {
  const rows = await db
    .selectFrom('rubric_items')
    .innerJoin('rubrics', 'rubrics.id', 'rubric_items.rubric_id')
    .select('rubrics.id')
    .distinct()
    .where('rubric_items.auto_rule', 'is not', null)
    .where('rubrics.status', '!=', 'draft')
    .orderBy('rubrics.id')
    .execute();
  return rows.map((r) => r.id);
}
