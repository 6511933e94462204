import { evidenceJson, isFailing, loadCallFacts, suggestAnswers } from '../autoqa';
import type { DB } from '../db/database';
import { inTransaction, type Tx } from '../db/transaction';
import { loadRubric, scoringModel, type FullRubric } from '../rubrics';
import { computeScore } from '../scoring';
import { callFactsChangedForTopics } from '../topics';
import {
  addToDailySums,
  autoAnswers,
  callPlace,
  findAutoEvaluation,
  queueCall,
  unqueueCall,
  writeAutoEvaluation,
  type AutoAnswerRow,
  type AutoRubricRef,
} from './autoeval.queries';

// One call's automatic evaluation by one rubric version in auto mode: the rules' answers with reason and
// evidence, the DOMAIN score when every item is answered, stored in place of the call's earlier automatic
// evaluation of the same rubric family, with the daily sums moved from the old answers to the new ones in the
// same transaction. Nobody is notified, nothing is released, no coaching task is made (DOMAIN.md).

/** A rubric cache for one run of the runner (a published version never changes). */
export type RubricCache = Map<number, FullRubric | null>;

async function rubricOf(trx: Tx, cache: RubricCache, id: number): Promise<FullRubric | null> {
  if (!cache.has(id)) cache.set(id, (await loadRubric(trx, id)) ?? null);
  return cache.get(id) ?? null;
}

/** Whether the call has facts the rules can use: its audio analysed, or a transcript. */
function isAnalysed(place: { analysis_status: string | null; transcript: string | null }): boolean {
  return place.analysis_status === 'done' || place.transcript !== null;
}

async function takeAway(trx: Tx, existing: NonNullable<Awaited<ReturnType<typeof findAutoEvaluation>>>) {
  const answers = await autoAnswers(trx, existing.id);
  await addToDailySums(
    trx,
    {
      day: existing.call_day,
      rubric_id: existing.rubric_id,
      team_id: existing.team_id ?? 0,
      agent_id: existing.agent_id ?? 0,
    },
    -1,
    { answered: existing.answered > 0 },
    answers.filter((a) => a.failed !== null).map((a) => ({ item_id: a.item_id, failed: a.failed === 1 })),
  );
}

/**
 * Writes (or rewrites) the call's automatic evaluation by this rubric version, inside the caller's transaction.
 * Returns false when the call is gone, has no agent or is not analysed (nothing to evaluate).
 */
export async function evaluateCallByRubric(
  trx: Tx,
  callId: number,
  ref: AutoRubricRef,
  cache: RubricCache,
  now: string,
): Promise<boolean> {
  const [place, facts, rubric] = [
    await callPlace(trx, callId),
    await loadCallFacts(trx, callId),
    await rubricOf(trx, cache, ref.id),
  ];
  if (!place || !facts || !rubric || place.agent_id === null || !isAnalysed(place)) return false;
  const items = rubric.sections.flatMap((s) => s.items);
  const suggested = suggestAnswers(items, facts);
  const byId = new Map(items.map((i) => [i.id, i]));
  const answers: AutoAnswerRow[] = suggested.map((a) => {
    const item = byId.get(a.item_id);
    const failing = item ? isFailing(item, a.value) : null;
    return {
      item_id: a.item_id,
      value: a.value,
      failed: a.value === null || failing === null ? null : failing ? 1 : 0,
      reason: a.reason,
      evidence: JSON.stringify(a.evidence.map(evidenceJson)),
    };
  });
  const given = answers.filter((a) => a.failed !== null);
  const values = new Map(answers.map((a) => [a.item_id, a.value]));
  const complete = items.every((i) => (values.get(i.id) ?? null) !== null);
  const score = complete ? computeScore(scoringModel(rubric), Object.fromEntries(values)) : null;
  const existing = await findAutoEvaluation(trx, callId, ref.family_id);
  if (existing) await takeAway(trx, existing);
  const row = {
    call_id: callId,
    family_id: ref.family_id,
    rubric_id: ref.id,
    team_id: place.team_id,
    agent_id: place.agent_id,
    call_day: place.started_at.slice(0, 10),
    answered: given.length,
    failed: given.filter((a) => a.failed === 1).length,
    score: score?.score ?? null,
    raw_score: score?.raw_score ?? null,
    passed: score?.passed === undefined || score.score === null ? null : score.passed ? 1 : 0,
    critical_failed: score?.critical_failed ? 1 : 0,
    evaluated_at: now,
  };
  await writeAutoEvaluation(trx, existing?.id ?? null, row, answers);
  await addToDailySums(
    trx,
    { day: row.call_day, rubric_id: ref.id, team_id: row.team_id ?? 0, agent_id: place.agent_id },
    1,
    { answered: given.length > 0 },
    given.map((a) => ({ item_id: a.item_id, failed: a.failed === 1 })),
  );
  return true;
}

/**
 * Evaluates calls by the given rubrics in one transaction; `fromQueue` also takes them off the queue (every
 * rubric in auto mode must then be given).
 */
export async function evaluateCalls(
  db: DB,
  callIds: readonly number[],
  rubrics: readonly AutoRubricRef[],
  cache: RubricCache,
  options: { now: string; fromQueue: boolean },
): Promise<void> {
  await inTransaction(db, async (trx) => {
    for (const callId of callIds) {
      for (const ref of rubrics) await evaluateCallByRubric(trx, callId, ref, cache, options.now);
      if (options.fromQueue) await unqueueCall(trx, callId);
    }
  });
}

/**
 * Marks a call whose transcript or analysis changed, inside the transaction that changed it, so its
 * automatic evaluations are redone even when the process stops right after the commit.
 */
export async function callFactsChanged(trx: Tx, callId: number, now: string): Promise<void> {
  await queueCall(trx, callId, now);
  // The same change re-tags the call's topics (src/topics), queued in the same transaction.
  await callFactsChangedForTopics(trx, callId, now);
}
