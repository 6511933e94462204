import { startCalibrationScoring } from '../../src/calibration/calibration.service';
import type { User } from '../../src/db/schema';
import { saveEvaluation } from '../../src/evaluations/evaluations.service';
import type { FullRubric } from '../../src/rubrics/rubrics.queries';
import type { TestContext } from '../helpers/app';
import { itemsOf, optionWorth, type AnswerJson, type Api } from '../helpers/scoring';

// Calibration sessions and blind scoring on the worked-example rubric (Greeting: two yes/no; Policy: scale
// 0..4 and a choice worth 0, 2 or 5).

export const actorOf = (user: User) => ({ id: user.id, role: user.role });

/** Answers for the worked-example rubric: [greeting, name, accuracy 0..4, policy points 0|2|5]. */
export function answersFor(rubric: FullRubric, [greet, name, accuracy, policy]: [string, string, number, number]) {
  const [g, n, a, p] = itemsOf(rubric);
  return [
    { item_id: g.id, value: greet },
    { item_id: n.id, value: name },
    { item_id: a.id, value: accuracy },
    { item_id: p.id, value: optionWorth(p, policy) },
  ] satisfies AnswerJson[];
}

/** Opens a session through the API; returns its id. */
export async function openSession(client: Api, body: Record<string, unknown>): Promise<number> {
  const res = await client.post('/api/v1/calibration-sessions', body);
  if (res.status !== 201) throw new Error(`open session: ${res.status} ${res.text}`);
  return (res.body as { id: number }).id;
}

/** The evaluator's calibration scorecard for the session, saved (and submitted unless `draft`). */
export async function scoreIn(
  ctx: TestContext,
  user: User,
  sessionId: number,
  answers: AnswerJson[],
  opts: { draft?: boolean } = {},
): Promise<number> {
  const id = await startCalibrationScoring(ctx.deps, actorOf(user), sessionId);
  await saveEvaluation(ctx.deps, actorOf(user), id, { answers, submit: !opts.draft });
  return id;
}
