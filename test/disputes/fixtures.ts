import type { User } from '../../src/db/schema';
import type { FullRubric } from '../../src/rubrics/rubrics.queries';
import type { TestContext } from '../helpers/app';
import type { Org } from '../helpers/builders';
import {
  itemsOf,
  makeCall,
  optionWorth,
  workedExampleRubric,
  type AnswerJson,
  type Api,
  type RubricJson,
} from '../helpers/scoring';

// Scorecards to dispute: the worked-example rubric (Greeting: two yes/no; Policy: scale 0..4, choice {0,2,5}).

export const DAY = 86_400_000;

export interface EvaluationBody {
  id: number;
  status: string;
  score: number | null;
  revision: number;
}

/** The worked-example rubric as POST /api/v1/rubrics takes it, with dispute settings and release mode. */
export function disputeRubric(settings: Record<string, unknown> = {}): RubricJson {
  return Object.assign(workedExampleRubric(), settings);
}

/** The four items of the worked-example rubric by role. */
export function itemsByName(rubric: FullRubric) {
  const [greet, name, accurate, policy] = itemsOf(rubric);
  return { greet, name, accurate, policy };
}

/** Yes, No, 3 of 4, the 5-point option: 79.2% (a pass); "name" and "accurate" lost points. */
export function passingAnswers(rubric: FullRubric): AnswerJson[] {
  const { greet, name, accurate, policy } = itemsByName(rubric);
  return [
    { item_id: greet.id, value: 'yes' },
    { item_id: name.id, value: 'no' },
    { item_id: accurate.id, value: 3 },
    { item_id: policy.id, value: optionWorth(policy, 5) },
  ];
}

/** Yes, No, 1 of 4, the 2-point option: (50 + 100 × 3/9 × 3) / 4 = 37.5% (a fail: coaching). */
export function failingAnswers(rubric: FullRubric): AnswerJson[] {
  const { greet, name, accurate, policy } = itemsByName(rubric);
  return [
    { item_id: greet.id, value: 'yes' },
    { item_id: name.id, value: 'no' },
    { item_id: accurate.id, value: 1 },
    { item_id: policy.id, value: optionWorth(policy, 2) },
  ];
}

export function fullMarks(rubric: FullRubric): AnswerJson[] {
  const { greet, name, accurate, policy } = itemsByName(rubric);
  return [
    { item_id: greet.id, value: 'yes' },
    { item_id: name.id, value: 'yes' },
    { item_id: accurate.id, value: 4 },
    { item_id: policy.id, value: optionWorth(policy, 5) },
  ];
}

/** The scoring form's fields for these answers. */
export function formFields(answers: AnswerJson[]): Record<string, string> {
  return Object.fromEntries(answers.map((a) => [`a_${a.item_id}`, String(a.value)]));
}

/** A new call of `agent` scored and submitted through the API by `scorer` (released at once on an on_submit rubric). */
export async function scoredCall(
  ctx: TestContext,
  org: Org,
  scorer: Api,
  rubric: FullRubric,
  opts: { agent?: User; answers?: AnswerJson[] } = {},
): Promise<EvaluationBody> {
  const call = await makeCall(ctx.deps, org.admin, opts.agent ?? org.csrA);
  const res = await scorer.post('/api/v1/evaluations', {
    call_id: call.id,
    rubric_id: rubric.id,
    answers: opts.answers ?? passingAnswers(rubric),
    submit: true,
  });
  if (res.status !== 201) throw new Error(`scoring: ${res.status} ${res.text}`);
  return res.body as EvaluationBody;
}

export async function evaluationRow(ctx: TestContext, id: number) {
  return ctx.deps.db.selectFrom('evaluations').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
}

export async function auditActions(ctx: TestContext, entityType: string, entityId: number): Promise<string[]> {
  const rows = await ctx.deps.db
    .selectFrom('audit_log')
    .select('action')
    .where('entity_type', '=', entityType)
    .where('entity_id', '=', entityId)
    .orderBy('id')
    .execute();
  return rows.map((r) => r.action);
}
