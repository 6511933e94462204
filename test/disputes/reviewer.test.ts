import { up } from '../../migrations/20261203T1300_dispute_reviewer_not_evaluator';
import type { User } from '../../src/db/schema';
import { openDispute } from '../../src/disputes/disputes.service';
import { rescoreEvaluation } from '../../src/evaluations/evaluations.service';
import { saveDepartment, saveTeam } from '../../src/org/org.service';
import { disputeReviewer } from '../../src/policy';
import type { FullRubric } from '../../src/rubrics/rubrics.queries';
import { makeTestApp, type TestContext } from '../helpers/app';
import { buildOrg, buildUser, type Org } from '../helpers/builders';
import { postForm, signIn } from '../helpers/http';
import { api, publishedRubric, tokenFor, workedExampleRubric, type Api } from '../helpers/scoring';
import { disputeRubric, evaluationRow, formFields, fullMarks, itemsByName, scoredCall } from './fixtures';

// A dispute is never reviewed by the person who wrote the scorecard (DOMAIN.md): another supervisor of the
// CSR's team, else the department's manager, else an admin; and the evaluator may not decide it, neither
// through the dispute nor by rescoring the scorecard around it.

let ctx: TestContext;
let org: Org;
let rubric: FullRubric;
let byManager: FullRubric;
let supB: Api;
let csrB: Api;

beforeAll(async () => {
  ctx = makeTestApp();
  org = await buildOrg(ctx.deps);
  rubric = await publishedRubric(ctx.deps, workedExampleRubric());
  byManager = await publishedRubric(ctx.deps, disputeRubric({ dispute_reviewer: 'manager' }));
  supB = api(ctx.app, await tokenFor(ctx.deps, org.supervisorB));
  csrB = api(ctx.app, await tokenFor(ctx.deps, org.csrB));
});
afterAll(async () => ctx.close());

const disputeBody = (r: FullRubric) => ({ item_ids: [itemsByName(r).name.id], reason: 'I did give my name.' });

describe('who gets the dispute (the policy rule)', () => {
  const candidates = { supervisors: [11, 12], manager: 20, admins: [1, 2] };
  test.each([
    ['supervisor', 11, candidates, 12],
    ['supervisor', 30, candidates, 11],
    ['supervisor', 11, { ...candidates, supervisors: [11] }, 20],
    ['supervisor', 11, { ...candidates, supervisors: [11], manager: null }, 1],
    ['manager', 11, candidates, 20],
    ['manager', 20, candidates, 11],
    ['manager', 20, { ...candidates, supervisors: [] }, 1],
    ['supervisor', 1, { supervisors: [], manager: null, admins: [1, 2] }, 2],
    ['supervisor', 1, { supervisors: [], manager: null, admins: [1] }, null],
  ] as const)('%s preferred, evaluator %i, %j → %p', (preference, evaluator, c, expected) => {
    expect(
      disputeReviewer({ ...c, supervisors: [...c.supervisors], admins: [...c.admins] }, evaluator, preference),
    ).toBe(expected);
  });
});

describe('opening a dispute assigns someone other than the evaluator', () => {
  test('HTTP: the lone supervisor of team B scored it, so the department’s manager reviews it', async () => {
    const evaluation = await scoredCall(ctx, org, supB, rubric, { agent: org.csrB });
    const res = await csrB.post(`/api/v1/evaluations/${evaluation.id}/disputes`, disputeBody(rubric));
    expect(res.status).toBe(201);
    expect(res.body.assignee_id).toBe(org.manager.id);
    expect(res.body.assignee_id).not.toBe(org.supervisorB.id);
  });

  test('service: with the manager as reviewer but the manager as evaluator, the team’s supervisor reviews it', async () => {
    const managerApi = api(ctx.app, await tokenFor(ctx.deps, org.manager));
    const evaluation = await scoredCall(ctx, org, managerApi, byManager, { agent: org.csrB });
    const dispute = await openDispute(
      ctx.deps,
      { id: org.csrB.id, role: 'csr' },
      evaluation.id,
      disputeBody(byManager),
    );
    expect(dispute.evaluator_id).toBe(org.manager.id);
    expect(dispute.assignee_id).toBe(org.supervisorB.id);
  });

  test('service: a lone supervisor in a department without a manager: an admin who did not score it', async () => {
    const admin = { id: org.admin.id, role: 'admin' as const };
    const department = await saveDepartment(ctx.deps, admin, { name: 'No manager' });
    const lone: User = await buildUser(ctx.deps, 'supervisor');
    const team = await saveTeam(ctx.deps, admin, {
      name: 'Lone',
      department_id: department,
      supervisors: [lone.username],
    });
    const agent = await buildUser(ctx.deps, 'csr', { team_id: team });
    const loneApi = api(ctx.app, await tokenFor(ctx.deps, lone));
    const evaluation = await scoredCall(ctx, org, loneApi, rubric, { agent });
    const dispute = await openDispute(ctx.deps, { id: agent.id, role: 'csr' }, evaluation.id, disputeBody(rubric));
    expect(dispute.assignee_id).toBe(org.admin.id);
    // The admin reviewer sees it in their queue and may decide it.
    const adminApi = api(ctx.app, await tokenFor(ctx.deps, org.admin));
    const upheld = await adminApi.post(`/api/v1/disputes/${dispute.id}/uphold`, { reason: 'The scores stand.' });
    expect(upheld.status).toBe(200);
  });
});

describe('the evaluator may not decide their own disputed scorecard', () => {
  test('a manager who scored it may not uphold or rescore it, though a manager over the team otherwise may', async () => {
    const managerApi = api(ctx.app, await tokenFor(ctx.deps, org.manager));
    const evaluation = await scoredCall(ctx, org, managerApi, rubric, { agent: org.csrB });
    const opened = await csrB.post(`/api/v1/evaluations/${evaluation.id}/disputes`, disputeBody(rubric));
    expect(opened.status).toBe(201);
    expect(opened.body.assignee_id).toBe(org.supervisorB.id);
    const id = opened.body.id as number;
    expect((await managerApi.post(`/api/v1/disputes/${id}/uphold`, { reason: 'Mine stands.' })).status).toBe(403);
    const rescore = await managerApi.post(`/api/v1/disputes/${id}/rescore`, {
      answers: fullMarks(rubric),
      reason: 'Mine.',
    });
    expect(rescore.status).toBe(403);
    const page = await signIn(ctx.app, org.manager.username);
    expect((await page.get(`/disputes/${id}`)).text).not.toContain(`action="/disputes/${id}/uphold"`);
    expect((await supB.post(`/api/v1/disputes/${id}/uphold`, { reason: 'The scores stand.' })).status).toBe(200);
  });

  test('an admin who scored it may not decide it either', async () => {
    const adminApi = api(ctx.app, await tokenFor(ctx.deps, org.admin));
    const evaluation = await scoredCall(ctx, org, adminApi, rubric, { agent: org.csrB });
    const opened = await csrB.post(`/api/v1/evaluations/${evaluation.id}/disputes`, disputeBody(rubric));
    expect(opened.body.assignee_id).toBe(org.supervisorB.id);
    const res = await adminApi.post(`/api/v1/disputes/${opened.body.id}/uphold`, { reason: 'Mine stands.' });
    expect(res.status).toBe(403);
  });

  test('while the dispute is open the scorecard is not rescored around it (service and page); after, it may be', async () => {
    const evaluation = await scoredCall(ctx, org, supB, rubric, { agent: org.csrB });
    const opened = await csrB.post(`/api/v1/evaluations/${evaluation.id}/disputes`, disputeBody(rubric));
    expect(opened.status).toBe(201);
    const before = await evaluationRow(ctx, evaluation.id);
    const evaluator = { id: org.supervisorB.id, role: 'supervisor' as const };
    const input = { answers: fullMarks(rubric), reason: 'Changed my mind.' };
    await expect(rescoreEvaluation(ctx.deps, evaluator, evaluation.id, input)).rejects.toMatchObject({
      status: 409,
      code: 'in_dispute',
    });
    const page = await signIn(ctx.app, org.supervisorB.username);
    const fields = { ...formFields(fullMarks(rubric)), revision: String(before.revision), reason: 'Changed my mind.' };
    const res = await postForm(page, `/evaluations/${evaluation.id}/rescore`, fields, `/evaluations/${evaluation.id}`);
    expect(res.status).toBe(409);
    expect(res.text).toContain('This scorecard is in dispute');
    expect(await evaluationRow(ctx, evaluation.id)).toEqual(before);

    const managerApi = api(ctx.app, await tokenFor(ctx.deps, org.manager));
    const upheld = await managerApi.post(`/api/v1/disputes/${opened.body.id}/uphold`, { reason: 'The scores stand.' });
    expect(upheld.status).toBe(200);
    const after = await rescoreEvaluation(ctx.deps, evaluator, evaluation.id, input);
    expect(after.evaluation.score).toBe(100);
  });
});

describe('open disputes assigned to their evaluator before the fix', () => {
  test('the data migration hands them to the reviewer the rule picks; decided ones keep their history', async () => {
    const open = await scoredCall(ctx, org, supB, rubric, { agent: org.csrB });
    const decided = await scoredCall(ctx, org, supB, rubric, { agent: org.csrB });
    const ids: number[] = [];
    for (const evaluation of [open, decided]) {
      const res = await csrB.post(`/api/v1/evaluations/${evaluation.id}/disputes`, disputeBody(rubric));
      expect(res.status).toBe(201);
      ids.push(res.body.id as number);
    }
    const managerApi = api(ctx.app, await tokenFor(ctx.deps, org.manager));
    expect((await managerApi.post(`/api/v1/disputes/${ids[1]}/uphold`, { reason: 'Stands.' })).status).toBe(200);
    // As the old rule left them: assigned to supervisorB, who scored both.
    await ctx.deps.db.updateTable('disputes').set({ assignee_id: org.supervisorB.id }).where('id', 'in', ids).execute();
    await up(ctx.deps.db);
    const rows = await ctx.deps.db
      .selectFrom('disputes')
      .select(['id', 'assignee_id'])
      .where('id', 'in', ids)
      .orderBy('id')
      .execute();
    expect(rows.map((r) => r.assignee_id)).toEqual([org.manager.id, org.supervisorB.id]);
  });
});
