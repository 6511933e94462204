import type { FullRubric } from '../../src/rubrics/rubrics.queries';
import { makeTestApp, type TestContext } from '../helpers/app';
import { buildOrg, type Org } from '../helpers/builders';
import { postForm, signIn, type Agent } from '../helpers/http';
import { textOf } from '../helpers/reports';
import {
  api,
  itemNamed,
  makeCall,
  publishedRubric,
  rubricJson,
  section,
  tokenFor,
  yesNo,
  type Api,
} from '../helpers/scoring';

// Rescoring an answer that carries a comment ("No" with "Did not give name" → "Yes") asks whether to keep,
// edit or clear that comment; until the person decides, the form comes back (422) and nothing is written.

let ctx: TestContext;
let org: Org;
let rubric: FullRubric;
let sup: Api;
let page: Agent;

const name = () => itemNamed(rubric, 'Gave their name').id;
const greet = () => itemNamed(rubric, 'Greeted the caller').id;

beforeAll(async () => {
  ctx = makeTestApp();
  org = await buildOrg(ctx.deps);
  rubric = await publishedRubric(
    ctx.deps,
    rubricJson([section('Opening', 1, [yesNo('Gave their name'), yesNo('Greeted the caller')])]),
  );
  sup = api(ctx.app, await tokenFor(ctx.deps, org.supervisorA));
  page = await signIn(ctx.app, org.supervisorA.username);
});
afterAll(async () => ctx.close());

/** A submitted scorecard: name "no" with a comment, greeting "yes" with a comment. */
async function scorecard(): Promise<{ id: number; revision: number }> {
  const call = await makeCall(ctx.deps, org.admin, org.csrA);
  const res = await sup.post('/api/v1/evaluations', {
    call_id: call.id,
    rubric_id: rubric.id,
    submit: true,
    answers: [
      { item_id: name(), value: 'no', comment: 'Did not give name' },
      { item_id: greet(), value: 'yes', comment: 'Warm greeting' },
    ],
  });
  expect(res.status).toBe(201);
  return { id: res.body.id, revision: res.body.revision };
}

async function commentsOf(id: number) {
  const rows = await ctx.deps.db
    .selectFrom('evaluation_answers')
    .select(['item_id', 'value', 'comment'])
    .where('evaluation_id', '=', id)
    .orderBy('item_id')
    .execute();
  return Object.fromEntries(rows.map((r) => [r.item_id, [r.value, r.comment]]));
}

function rescore(evaluation: { id: number; revision: number }, fields: Record<string, string>) {
  return postForm(page, `/evaluations/${evaluation.id}/rescore`, {
    [`a_${name()}`]: 'yes',
    [`c_${name()}`]: 'Did not give name',
    [`a_${greet()}`]: 'yes',
    [`c_${greet()}`]: 'Warm greeting',
    revision: String(evaluation.revision),
    reason: 'Listened again',
    op: 'rescore',
    ...fields,
  });
}

test('a changed answer whose old comment is untouched comes back asking keep, edit or clear; nothing is written', async () => {
  const evaluation = await scorecard();
  const before = await commentsOf(evaluation.id);
  const res = await rescore(evaluation, {});
  expect(res.status).toBe(422);
  expect(textOf(res.text)).toContain(
    'You changed an answer that has a comment from before. Choose for it: keep the comment, edit it, or clear it.',
  );
  expect(res.text).toContain(`data-comment-decision="${name()}"`);
  expect(textOf(res.text)).toContain('This comment was written for the answer “No”.');
  for (const choice of ['keep', 'edit', 'clear']) {
    expect(res.text).toContain(`name="cc_${name()}" value="${choice}"`);
  }
  // Only the item whose answer changed is asked about.
  expect(res.text).not.toContain(`data-comment-decision="${greet()}"`);
  expect(await commentsOf(evaluation.id)).toEqual(before);
  const revisions = await ctx.deps.db
    .selectFrom('evaluation_revisions')
    .select('id')
    .where('evaluation_id', '=', evaluation.id)
    .execute();
  expect(revisions).toHaveLength(0);
});

test.each([
  ['clear', null],
  ['keep', 'Did not give name'],
])('choosing "%s" saves the rescore with the comment %p', async (decision, comment) => {
  const evaluation = await scorecard();
  const res = await rescore(evaluation, { [`cc_${name()}`]: decision });
  expect(res.status).toBe(303);
  expect(await commentsOf(evaluation.id)).toEqual({
    [name()]: ['yes', comment],
    [greet()]: ['yes', 'Warm greeting'],
  });
});

test('choosing "edit" saves the comment as edited in the form', async () => {
  const evaluation = await scorecard();
  const res = await rescore(evaluation, { [`cc_${name()}`]: 'edit', [`c_${name()}`]: 'Gave name late' });
  expect(res.status).toBe(303);
  expect((await commentsOf(evaluation.id))[name()]).toEqual(['yes', 'Gave name late']);
});

test('a comment already edited or cleared in the form is taken as the decision: no question', async () => {
  const edited = await scorecard();
  expect((await rescore(edited, { [`c_${name()}`]: 'Name given at the end' })).status).toBe(303);
  expect((await commentsOf(edited.id))[name()]).toEqual(['yes', 'Name given at the end']);
  const cleared = await scorecard();
  expect((await rescore(cleared, { [`c_${name()}`]: '' })).status).toBe(303);
  expect((await commentsOf(cleared.id))[name()]).toEqual(['yes', null]);
});

test('an unknown decision is not a decision: the question comes back', async () => {
  const evaluation = await scorecard();
  const res = await rescore(evaluation, { [`cc_${name()}`]: 'whatever' });
  expect(res.status).toBe(422);
  expect(res.text).toContain(`data-comment-decision="${name()}"`);
});
