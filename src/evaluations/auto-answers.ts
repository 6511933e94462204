import { callForFacts, factsOf, suggestAnswers } from '../autoqa';
import type { Evaluation } from '../db/schema';
import type { Executor } from '../db/transaction';
import type { FullRubric } from '../rubrics';
import type { CheckedAnswer } from './answers';
import { replaceAutoAnswers, updateHumanValue } from './auto-answers.queries';

// On submit, the rule's answer of every ruled item is stored beside the person's (DOMAIN.md: every rule's
// accuracy is measured on the calls both a person and the rule answered). It is worked out from the call's facts
// as they stand inside the submitting transaction, so the pair describes one moment. Scorecards made on the API,
// or of a rubric not in suggest mode, are recorded too (suggested = 0): the person answered without seeing the
// rule, which is the fairest comparison there is. Calibration scorecards are practice and are left out.

/** Whether the scoring form shows (and showed) a rubric's suggestions on this scorecard. */
export function showsSuggestions(rubric: Pick<FullRubric, 'auto_mode'>, evaluation: Pick<Evaluation, 'kind'>) {
  return rubric.auto_mode === 'suggest' && evaluation.kind === 'standard';
}

export async function recordRuleAnswers(
  trx: Executor,
  evaluation: Evaluation,
  rubric: FullRubric,
  answers: readonly CheckedAnswer[],
  opts: { suggested: boolean; now: string; fresh?: boolean },
): Promise<void> {
  if (evaluation.kind !== 'standard') return;
  const items = rubric.sections.flatMap((s) => s.items).filter((i) => i.auto !== null);
  if (items.length === 0) return;
  const row = await callForFacts(trx, evaluation.call_id);
  if (!row) return;
  const human = new Map(answers.map((a) => [a.item_id, a.value]));
  const rows = suggestAnswers(items, factsOf(row)).map((s) => ({
    evaluation_id: evaluation.id,
    item_id: s.item_id,
    rubric_id: rubric.id,
    call_id: evaluation.call_id,
    rule_value: s.value === null ? null : String(s.value),
    human_value: human.get(s.item_id) ?? null,
    suggested: opts.suggested ? 1 : 0,
    reason: s.reason,
    evidence_s: s.evidence[0]?.start_s ?? null,
    recorded_at: opts.now,
  }));
  await replaceAutoAnswers(trx, evaluation.id, rows, opts.fresh === true);
}

/** After a rescore: the person's side of each recorded pair follows the scorecard's new answers. */
export async function followRescore(trx: Executor, evaluationId: number, answers: readonly CheckedAnswer[]) {
  for (const a of answers) await updateHumanValue(trx, evaluationId, a.item_id, a.value);
}
