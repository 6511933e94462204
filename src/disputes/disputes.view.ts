import type { Evaluation } from '../db/schema';
import type { Executor } from '../db/transaction';
import type { AppDeps } from '../deps';
import { answersOf } from '../evaluations';
import { canResolveDispute, isEvaluatedCsr, type Actor } from '../policy';
import { findRubric } from '../rubrics';
import { NotFound } from '../lib/errors';
import {
  disputesOfEvaluation,
  disputeWithNames,
  itemsOfDisputes,
  type DisputeItemRow,
  type DisputeRow,
} from './disputes.queries';
import { disputeRules, refusal } from './disputes.service';

export interface DisputeDetail extends DisputeRow {
  items: DisputeItemRow[];
}

export async function withItems(db: Executor, rows: DisputeRow[]): Promise<DisputeDetail[]> {
  const items = await itemsOfDisputes(
    db,
    rows.map((r) => r.id),
  );
  return rows.map((r) => ({ ...r, items: items.filter((i) => i.dispute_id === r.id) }));
}

/** Items that lost points: the only ones a CSR may dispute. */
export async function disputableItemIds(db: Executor, evaluationId: number): Promise<Set<number>> {
  const answers = await answersOf(db, evaluationId);
  return new Set(
    answers.filter((a) => a.points !== null && a.max_points !== null && a.points < a.max_points).map((a) => a.item_id),
  );
}

/** What the scorecard page shows about disputes: the one in review, earlier outcomes, and whether to offer one. */
export async function disputePanel(deps: AppDeps, actor: Actor, evaluation: Evaluation) {
  const rubric = await findRubric(deps.db, evaluation.rubric_id);
  if (!rubric) throw new Error(`the rubric of scorecard ${evaluation.id} is gone`);
  const [disputes, rules, disputable] = await Promise.all([
    disputesOfEvaluation(deps.db, evaluation.id).then((rows) => withItems(deps.db, rows)),
    disputeRules(deps.db, evaluation, rubric, deps.clock.now()),
    disputableItemIds(deps.db, evaluation.id),
  ]);
  const open = disputes.find((d) => d.status === 'open') ?? null;
  const isOwner = isEvaluatedCsr(actor, evaluation);
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
    canResolve: open !== null && (await canResolveDispute(deps.db, actor, open)),
  };
}

export type DisputePanel = Awaited<ReturnType<typeof disputePanel>>;

/** One dispute with its items and the names around it. */
export async function disputeDetail(db: Executor, id: number): Promise<DisputeDetail> {
  const row = await disputeWithNames(db, id);
  if (!row) throw new NotFound('No such dispute.');
  const [detail] = await withItems(db, [row]);
  if (!detail) throw new NotFound('No such dispute.');
  return detail;
}
