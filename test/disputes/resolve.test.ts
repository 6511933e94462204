import type { User } from '../../src/db/schema';
import { rescoreEvaluation } from '../../src/evaluations/evaluations.service';
import { saveTeam } from '../../src/org/org.service';
import type { FullRubric } from '../../src/rubrics/rubrics.queries';
import { makeTestApp, type TestContext } from '../helpers/app';
import { buildOrg, buildUser, type Org } from '../helpers/builders';
import { csrfFrom, postForm, signIn } from '../helpers/http';
import { api, publishedRubric, tokenFor, workedExampleRubric, type Api } from '../helpers/scoring';
import {
  auditActions,
  evaluationRow,
  failingAnswers,
  formFields,
  fullMarks,
  itemsByName,
  passingAnswers,
  scoredCall,
} from './fixtures';

// Deciding a dispute: only the assignee (or an admin, or the manager over the team) decides; others in
// scope may look; anyone outside gets 404. Upholding keeps the scores; rescoring goes through the ordinary
// rescore, so every earlier revision is kept, coaching follows the new score and the CSR acknowledges again.

let ctx: TestContext;
let org: Org;
let supervisorA2: User;
let rubric: FullRubric;
let sup: Api;
let reviewer: Api;
let csr: Api;
let clients: Record<string, Api>;

beforeAll(async () => {
  ctx = makeTestApp();
  org = await buildOrg(ctx.deps);
  supervisorA2 = await buildUser(ctx.deps, 'supervisor');
  await saveTeam(
    ctx.deps,
    { id: org.admin.id, role: 'admin' },
    { name: 'Team A', department_id: org.departmentId, supervisors: [org.supervisorA.username, supervisorA2.username] },
    org.teamA,
  );
  rubric = await publishedRubric(ctx.deps, workedExampleRubric());
  sup = api(ctx.app, await tokenFor(ctx.deps, org.supervisorA));
  reviewer = api(ctx.app, await tokenFor(ctx.deps, supervisorA2));
  csr = api(ctx.app, await tokenFor(ctx.deps, org.csrA));
  clients = {
    assignee: reviewer,
    evaluator: sup,
    'same-department supervisor': api(ctx.app, await tokenFor(ctx.deps, org.supervisorB)),
    'other-department supervisor': api(ctx.app, await tokenFor(ctx.deps, org.otherSupervisor)),
    manager: api(ctx.app, await tokenFor(ctx.deps, org.manager)),
    'other manager': api(ctx.app, await tokenFor(ctx.deps, org.otherManager)),
    admin: api(ctx.app, await tokenFor(ctx.deps, org.admin)),
    'the CSR': csr,
    'another CSR': api(ctx.app, await tokenFor(ctx.deps, org.csrA2)),
  };
});
afterAll(async () => ctx.close());

interface DisputeBody {
  id: number;
  status: string;
  score_before: number | null;
  score_after: number | null;
  resolution_reason: string | null;
  items: Array<{ item_id: number; points_before: number; points_after: number | null }>;
}

/** A released scorecard of csrA by supervisorA, disputed by the CSR on "name" and "accurate". */
async function disputed(answers = passingAnswers(rubric)) {
  const evaluation = await scoredCall(ctx, org, sup, rubric, { answers });
  const { name, accurate } = itemsByName(rubric);
  const res = await csr.post(`/api/v1/evaluations/${evaluation.id}/disputes`, {
    item_ids: [name.id, accurate.id],
    reason: 'I gave my name and the right answer.',
  });
  if (res.status !== 201) throw new Error(`dispute: ${res.status} ${res.text}`);
  return { evaluation, dispute: res.body as DisputeBody };
}

async function disputeRow(id: number) {
  return ctx.deps.db.selectFrom('disputes').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
}

async function revisionsOf(evaluationId: number) {
  return ctx.deps.db
    .selectFrom('evaluation_revisions')
    .selectAll()
    .where('evaluation_id', '=', evaluationId)
    .orderBy('id')
    .execute();
}

async function taskOf(evaluationId: number) {
  return ctx.deps.db
    .selectFrom('coaching_tasks')
    .selectAll()
    .where('evaluation_id', '=', evaluationId)
    .executeTakeFirst();
}

describe('who may see and decide a dispute of team A (assigned to its other supervisor)', () => {
  test.each([
    ['assignee', 200, 200],
    ['evaluator', 200, 403],
    ['same-department supervisor', 404, 404],
    ['other-department supervisor', 404, 404],
    ['manager', 200, 200],
    ['other manager', 404, 404],
    ['admin', 200, 200],
    ['the CSR', 200, 403],
    ['another CSR', 404, 403],
  ])('%s: GET %i, uphold %i', async (who, see, decide) => {
    const { dispute } = await disputed();
    const client = clients[who];
    expect((await client.get(`/api/v1/disputes/${dispute.id}`)).status).toBe(see);
    const res = await client.post(`/api/v1/disputes/${dispute.id}/uphold`, { reason: 'The scores stand.' });
    expect(res.status).toBe(decide);
    expect((await disputeRow(dispute.id)).status).toBe(decide === 200 ? 'upheld' : 'open');
  });

  test('another team’s supervisor gets 404 pages for the dispute and its rescore form, like for no dispute', async () => {
    const { dispute } = await disputed();
    const page = await signIn(ctx.app, org.supervisorB.username);
    for (const path of [`/disputes/${dispute.id}`, `/disputes/${dispute.id}/rescore`]) {
      const res = await page.get(path);
      expect(res.status).toBe(404);
      expect(res.text).toBe((await page.get(path.replace(String(dispute.id), '99999999'))).text);
    }
    const post = await postForm(page, `/disputes/${dispute.id}/uphold`, { reason: 'Not mine to decide.' });
    expect(post.status).toBe(404);
    expect((await disputeRow(dispute.id)).status).toBe('open');
    expect((await page.get('/disputes')).text).not.toContain(`href="/disputes/${dispute.id}"`);
  });

  test('the evaluator sees the dispute page but no decision forms', async () => {
    const { dispute } = await disputed();
    const page = await signIn(ctx.app, org.supervisorA.username);
    const res = await page.get(`/disputes/${dispute.id}`);
    expect(res.status).toBe(200);
    expect(res.text).toContain('I gave my name and the right answer.');
    expect(res.text).not.toContain(`action="/disputes/${dispute.id}/uphold"`);
  });
});

describe('upholding', () => {
  test('without a reason: 422 beside the field (API and page), and it stays open', async () => {
    const { dispute } = await disputed();
    const res = await reviewer.post(`/api/v1/disputes/${dispute.id}/uphold`, { reason: '' });
    expect(res.status).toBe(422);
    expect(res.body.error.details[0].path).toBe('reason');
    const page = await signIn(ctx.app, supervisorA2.username);
    const form = await postForm(page, `/disputes/${dispute.id}/uphold`, { reason: ' ' }, `/disputes/${dispute.id}`);
    expect(form.status).toBe(422);
    expect(form.text).toMatch(/id="reason"[^>]*aria-invalid="true"/);
    expect(form.text).toContain('Say why the scores stand.');
    expect((await disputeRow(dispute.id)).status).toBe('open');
  });

  test('with a reason: decided, scores unchanged, audited; deciding again is 409; the CSR reads the outcome', async () => {
    const { evaluation, dispute } = await disputed();
    const before = await evaluationRow(ctx, evaluation.id);
    const page = await signIn(ctx.app, supervisorA2.username);
    const res = await postForm(
      page,
      `/disputes/${dispute.id}/uphold`,
      { reason: 'At 0:03 the agent only says "hello".' },
      `/disputes/${dispute.id}`,
    );
    expect(res.status).toBe(303);
    const row = await disputeRow(dispute.id);
    expect(row).toMatchObject({
      status: 'upheld',
      resolved_by: supervisorA2.id,
      resolved_at: ctx.clock.now().toISOString(),
      resolution_reason: 'At 0:03 the agent only says "hello".',
      score_after: before.score,
    });
    expect(await evaluationRow(ctx, evaluation.id)).toEqual(before);
    expect(await revisionsOf(evaluation.id)).toEqual([]);
    expect(await auditActions(ctx, 'dispute', dispute.id)).toEqual(['dispute.opened', 'dispute.upheld']);
    const again = await reviewer.post(`/api/v1/disputes/${dispute.id}/uphold`, { reason: 'Twice.' });
    expect(again.status).toBe(409);

    const csrPage = await signIn(ctx.app, org.csrA.username);
    const card = await csrPage.get(`/evaluations/${evaluation.id}`);
    expect(card.text).toContain('Scores upheld');
    expect(card.text).toContain('At 0:03 the agent only says &#34;hello&#34;.');
    expect(card.text).not.toMatch(/badge-neutral">in review/);
    const viaApi = await csr.get(`/api/v1/evaluations/${evaluation.id}/disputes`);
    expect(viaApi.body.items[0]).toMatchObject({
      status: 'upheld',
      resolution_reason: 'At 0:03 the agent only says "hello".',
    });
  });
});

describe('rescoring', () => {
  test('through the API: a new revision, the score worked out again, coaching cancelled, acknowledgement asked again', async () => {
    const { evaluation, dispute } = await disputed(failingAnswers(rubric));
    expect(evaluation.score).toBe(37.5);
    expect((await taskOf(evaluation.id))?.status).toBe('open');
    expect((await csr.post(`/api/v1/evaluations/${evaluation.id}/acknowledge`, {})).status).toBe(200);
    const revision = (await evaluationRow(ctx, evaluation.id)).revision;

    const res = await reviewer.post(`/api/v1/disputes/${dispute.id}/rescore`, {
      answers: fullMarks(rubric),
      reason: 'Listened again: both were right.',
      revision,
    });
    expect(res.status).toBe(200);
    expect(res.body.evaluation).toMatchObject({ score: 100, passed: true, status: 'released', acknowledged_at: null });
    expect(res.body.dispute).toMatchObject({
      status: 'rescored',
      score_before: 37.5,
      score_after: 100,
      resolution_reason: 'Listened again: both were right.',
    });
    const { name, accurate } = itemsByName(rubric);
    expect(
      res.body.dispute.items.map((i: DisputeBody['items'][number]) => [i.item_id, i.points_before, i.points_after]),
    ).toEqual([
      [name.id, 0, 1],
      [accurate.id, 1, 4],
    ]);
    const revisions = await revisionsOf(evaluation.id);
    expect(revisions).toHaveLength(1);
    expect(revisions[0]).toMatchObject({ reason: 'Listened again: both were right.', replaced_by: supervisorA2.id });
    expect(JSON.parse(revisions[0].snapshot)).toMatchObject({ score: 37.5, status: 'acknowledged' });
    expect(await evaluationRow(ctx, evaluation.id)).toMatchObject({ rescore_count: 1, revision: revision + 1 });
    expect((await taskOf(evaluation.id))?.status).toBe('cancelled');
    expect(await auditActions(ctx, 'dispute', dispute.id)).toEqual(['dispute.opened', 'dispute.rescored']);
    expect(await auditActions(ctx, 'evaluation', evaluation.id)).toContain('evaluation.rescored');

    const csrPage = await signIn(ctx.app, org.csrA.username);
    const card = await csrPage.get(`/evaluations/${evaluation.id}`);
    expect(card.text).toContain('Rescored');
    expect(card.text).toContain('Listened again: both were right.');
    expect(card.text).toContain('37.5% → 100.0%');
    expect(card.text).toContain('I have reviewed this scorecard');
    expect((await csr.post(`/api/v1/evaluations/${evaluation.id}/acknowledge`, {})).status).toBe(200);
  });

  test('the revision chain: a second dispute rescored back to a fail keeps both earlier revisions and reopens coaching', async () => {
    const { evaluation, dispute } = await disputed(failingAnswers(rubric));
    const first = await reviewer.post(`/api/v1/disputes/${dispute.id}/rescore`, {
      answers: passingAnswers(rubric),
      reason: 'First look again.',
    });
    expect(first.status).toBe(200);
    expect((await taskOf(evaluation.id))?.status).toBe('cancelled');
    const second = await csr.post(`/api/v1/evaluations/${evaluation.id}/disputes`, {
      item_ids: [itemsByName(rubric).name.id],
      reason: 'Still wrong.',
    });
    expect(second.status).toBe(201);
    const res = await reviewer.post(`/api/v1/disputes/${second.body.id}/rescore`, {
      answers: failingAnswers(rubric),
      reason: 'On reflection the first score was right.',
    });
    expect(res.status).toBe(200);
    const revisions = await revisionsOf(evaluation.id);
    expect(revisions.map((r) => [JSON.parse(r.snapshot).score, r.reason])).toEqual([
      [37.5, 'First look again.'],
      [79.166667, 'On reflection the first score was right.'],
    ]);
    expect(await evaluationRow(ctx, evaluation.id)).toMatchObject({ score: 37.5, rescore_count: 2 });
    expect((await taskOf(evaluation.id))?.status).toBe('open');
  });

  test('a stale revision is 409: neither the scorecard nor the dispute changes', async () => {
    const { evaluation, dispute } = await disputed();
    const before = await evaluationRow(ctx, evaluation.id);
    const res = await reviewer.post(`/api/v1/disputes/${dispute.id}/rescore`, {
      answers: fullMarks(rubric),
      reason: 'Late.',
      revision: before.revision - 1,
    });
    expect(res.status).toBe(409);
    expect(await evaluationRow(ctx, evaluation.id)).toEqual(before);
    expect((await disputeRow(dispute.id)).status).toBe('open');
  });

  test('what fails while deciding the dispute takes the rescore back (one transaction)', async () => {
    const { evaluation } = await disputed();
    const before = await evaluationRow(ctx, evaluation.id);
    await expect(
      rescoreEvaluation(
        ctx.deps,
        { id: supervisorA2.id, role: 'supervisor' },
        evaluation.id,
        { answers: fullMarks(rubric), reason: 'Rolled back.' },
        undefined,
        async () => {
          throw new Error('deciding failed');
        },
      ),
    ).rejects.toThrow('deciding failed');
    expect(await evaluationRow(ctx, evaluation.id)).toEqual(before);
    expect(await revisionsOf(evaluation.id)).toEqual([]);
  });

  test('the rescore page: the scoring form posts to the dispute; no reason is 422; then 303 to the scorecard', async () => {
    const { evaluation, dispute } = await disputed();
    const page = await signIn(ctx.app, supervisorA2.username);
    const form = await page.get(`/disputes/${dispute.id}/rescore`);
    expect(form.status).toBe(200);
    expect(form.text).toContain(`action="/disputes/${dispute.id}/rescore"`);
    expect(form.text).toContain('Your answer to the dispute');
    const revision = String((await evaluationRow(ctx, evaluation.id)).revision);
    const fields = { ...formFields(fullMarks(rubric)), revision, op: 'rescore' };
    const bad = await postForm(
      page,
      `/disputes/${dispute.id}/rescore`,
      { ...fields, reason: '' },
      `/disputes/${dispute.id}/rescore`,
    );
    expect(bad.status).toBe(422);
    expect(bad.text).toContain('Say why you are rescoring.');
    expect((await disputeRow(dispute.id)).status).toBe('open');
    const csrf = await csrfFrom(page, `/disputes/${dispute.id}/rescore`);
    const ok = await page
      .post(`/disputes/${dispute.id}/rescore`)
      .type('form')
      .send({ ...fields, reason: 'Heard it again.', _csrf: csrf });
    expect(ok.status).toBe(303);
    expect(ok.headers.location).toBe(`/evaluations/${evaluation.id}`);
    expect(await disputeRow(dispute.id)).toMatchObject({ status: 'rescored', score_after: 100 });
  });

  test('only the deciders reach the rescore: the evaluator is sent back to the dispute, the CSR is refused', async () => {
    const { dispute } = await disputed();
    const evaluatorPage = await signIn(ctx.app, org.supervisorA.username);
    const res = await evaluatorPage.get(`/disputes/${dispute.id}/rescore`);
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe(`/disputes/${dispute.id}`);
    const viaApi = await sup.post(`/api/v1/disputes/${dispute.id}/rescore`, {
      answers: fullMarks(rubric),
      reason: 'Mine.',
    });
    expect(viaApi.status).toBe(403);
    expect((await csr.post(`/api/v1/disputes/${dispute.id}/rescore`, { answers: [], reason: 'x' })).status).toBe(403);
    expect((await disputeRow(dispute.id)).status).toBe('open');
  });
});
