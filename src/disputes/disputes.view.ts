import type { DB } from '../db/database';
import type { Evaluation } from '../db/schema';
import type { AppDeps } from '../deps';
import { answersOf } from '../evaluations';
import type { Actor } from '../policy';
import { findRubric } from '../rubrics';
import { disputesOfEvaluation, itemsOfDisputes, type DisputeItemRow, type DisputeRow } from './disputes.queries';
import { canResolve, disputeRules, refusal } from './disputes.service';

export interface DisputeDetail extends DisputeRow {
  items: DisputeItemRow[];
}

export async function withItems(db: DB, rows: DisputeRow[]): Promise<DisputeDetail[]> {
  const items = await itemsOfDisputes(
    db,
    rows.map((r) => r.id),
  );
  return rows.map((r) => ({ ...r, items: items.filter((i) => i.dispute_id === r.id) }));
}

/** Items that lost points: the only ones a CSR may dispute. */
export async function disputableItemIds(db: DB, evaluationId: number): Promise<Set<number>> {
  const answers = await answersOf(db, evaluationId);
  return new Set(
    answers.filter((a) => a.points !== null && a.max_points !== null && a.points < a.max_points).map((a) => a.item_id),
  );
}

/** What the scorecard page shows about disputes: the one in review, earlier outcomes, and whether to offer one. */
export async function disputePanel(deps: AppDeps, actor: Actor, evaluation: Evaluation) {
  const rubric = (await findRubric(deps.db, evaluation.rubric_id))!;
  const [disputes, rules, disputable] = await Promise.all([
    disputesOfEvaluation(deps.db, evaluation.id).then((rows) => withItems(deps.db, rows)),
    disputeRules(deps.db, evaluation, rubric, deps.clock.now()),
    disputableItemIds(deps.db, evaluation.id),
  ]);
  const open = disputes.find((d) => d.status === 'open') ?? null;
  const isOwner = actor.role === 'csr' && evaluation.agent_id === actor.id;
  const refused =
    refusal(rules, open !== null)?.message ??
    (disputable.size === 0 ? 'Every item got full marks or was N/A: there is nothing to dispute.' : null);
  return {
    open,
    history: disputes.filter((d) => d.status !== 'open'),
    rules,
    isOwner,
    canOpen: isOwner && refused === null,
    refusal: refused,
    canResolve: open !== null && (await canResolve(deps.db, actor, open)),
  };
}

export type DisputePanel = Awaited<ReturnType<typeof disputePanel>>;
