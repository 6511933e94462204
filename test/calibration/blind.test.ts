import type { Call } from '../../src/db/schema';
import { saveEvaluation } from '../../src/evaluations/evaluations.service';
import type { FullRubric } from '../../src/rubrics/rubrics.queries';
import { makeTestApp, type TestContext } from '../helpers/app';
import { buildOrg, type Org } from '../helpers/builders';
import { signIn, type Agent } from '../helpers/http';
import { api, makeCall, publishedRubric, tokenFor, workedExampleRubric, type Api } from '../helpers/scoring';
import { answersFor, openSession, scoreIn } from './fixtures';

// Blind scoring: an evaluator cannot read another's answers or score, through any page or API, before the
// session allows it: after submitting their own ("until you submit"), or once it is closed ("until closed").

let ctx: TestContext;
let org: Org;
let rubric: FullRubric;
let call: Call;
let api$: Record<'a' | 'b' | 'manager' | 'admin' | 'outsider', Api>;
let page: Record<'a' | 'b', Agent>;

const MISSING = 99_999_999;

beforeAll(async () => {
  ctx = makeTestApp();
  org = await buildOrg(ctx.deps);
  rubric = await publishedRubric(ctx.deps, workedExampleRubric());
  call = await makeCall(ctx.deps, org.admin, org.csrA, { recording: true });
  api$ = {
    a: api(ctx.app, await tokenFor(ctx.deps, org.supervisorA)),
    b: api(ctx.app, await tokenFor(ctx.deps, org.supervisorB)),
    manager: api(ctx.app, await tokenFor(ctx.deps, org.manager)),
    admin: api(ctx.app, await tokenFor(ctx.deps, org.admin)),
    outsider: api(ctx.app, await tokenFor(ctx.deps, org.otherSupervisor)),
  };
  page = {
    a: await signIn(ctx.app, org.supervisorA.username),
    b: await signIn(ctx.app, org.supervisorB.username),
  };
});
afterAll(async () => ctx.close());

const session = (blindUntil: 'submitted' | 'closed') =>
  openSession(api$.manager, {
    call_id: call.id,
    rubric_id: rubric.id,
    evaluator_ids: [org.supervisorA.id, org.supervisorB.id],
    blind_until: blindUntil,
  });

/** Everything that could show evaluation `id` to `who`, each compared with the answer for no evaluation. */
async function expectHidden(who: 'a' | 'b', id: number) {
  const viaApi = await api$[who].get(`/api/v1/evaluations/${id}`);
  expect(viaApi.status).toBe(404);
  expect(viaApi.text).toBe((await api$[who].get(`/api/v1/evaluations/${MISSING}`)).text);
  const disputes = await api$[who].get(`/api/v1/evaluations/${id}/disputes`);
  expect(disputes.status).toBe(404);
  for (const path of [`/evaluations/${id}`, `/evaluations/${id}/score`, `/calibration/evaluations/${id}/recording`]) {
    const res = await page[who].get(path);
    expect(res.status).toBe(404);
  }
}

describe('blind until each evaluator submits', () => {
  let id: number;
  let aEvaluation: number;
  let bEvaluation: number;

  beforeAll(async () => {
    id = await session('submitted');
    aEvaluation = await scoreIn(ctx, org.supervisorA, id, answersFor(rubric, ['yes', 'no', 3, 5]));
    bEvaluation = await scoreIn(ctx, org.supervisorB, id, answersFor(rubric, ['no', 'no', 0, 0]), { draft: true });
  });

  test('B, still scoring, cannot read A’s submitted scorecard through the API or any page', async () => {
    await expectHidden('b', aEvaluation);
  });

  test('B’s session page and the session API show progress but no answers or scores', async () => {
    const res = await page.b.get(`/calibration/${id}`);
    expect(res.status).toBe(200);
    expect(res.text).toContain('you have submitted your own scorecard');
    expect(res.text).toContain('submitted');
    expect(res.text).not.toContain('79.2%');
    expect(res.text).not.toContain('Krippendorff');
    const json = await api$.b.get(`/api/v1/calibration-sessions/${id}`);
    expect(json.body).toMatchObject({ results_visible: false, results: null, own_evaluation_id: bEvaluation });
    expect(JSON.stringify(json.body)).not.toContain('79.16');
  });

  test('A, having submitted, sees the submitted results, never B’s draft', async () => {
    await expectHidden('a', bEvaluation);
    const json = await api$.a.get(`/api/v1/calibration-sessions/${id}`);
    expect(json.body.results_visible).toBe(true);
    expect(json.body.results.evaluators.map((e: { user_id: number }) => e.user_id)).toEqual([org.supervisorA.id]);
    const answeredBy = json.body.results.items.flatMap((i: { answers: Array<{ user_id: number }> }) =>
      i.answers.map((a) => a.user_id),
    );
    expect(new Set(answeredBy)).toEqual(new Set([org.supervisorA.id]));
  });

  test('the organiser, who does not score, may look; an outsider may not', async () => {
    expect((await api$.manager.get(`/api/v1/evaluations/${aEvaluation}`)).status).toBe(200);
    expect((await api$.outsider.get(`/api/v1/evaluations/${aEvaluation}`)).status).toBe(404);
    expect((await api$.outsider.get(`/api/v1/calibration-sessions/${id}`)).status).toBe(404);
  });

  test('once B submits, each reads the other’s scorecard', async () => {
    await saveEvaluation(ctx.deps, { id: org.supervisorB.id, role: 'supervisor' }, bEvaluation, {
      answers: answersFor(rubric, ['no', 'no', 0, 0]),
      submit: true,
    });
    const seen = await api$.b.get(`/api/v1/evaluations/${aEvaluation}`);
    expect(seen.status).toBe(200);
    expect(seen.body).toMatchObject({ kind: 'calibration', evaluator_id: org.supervisorA.id });
    expect(seen.body.answers).toHaveLength(4);
    expect((await api$.a.get(`/api/v1/evaluations/${bEvaluation}`)).status).toBe(200);
    const results = (await api$.b.get(`/api/v1/calibration-sessions/${id}`)).body.results;
    expect(results.evaluators).toHaveLength(2);
  });
});

describe('blind until the session is closed', () => {
  let id: number;
  let aEvaluation: number;
  let bEvaluation: number;

  beforeAll(async () => {
    id = await session('closed');
    aEvaluation = await scoreIn(ctx, org.supervisorA, id, answersFor(rubric, ['yes', 'no', 3, 5]));
    bEvaluation = await scoreIn(ctx, org.supervisorB, id, answersFor(rubric, ['no', 'no', 0, 0]));
  });

  test('both submitted: still nobody reads another’s answers, not even the organiser or an admin', async () => {
    await expectHidden('a', bEvaluation);
    await expectHidden('b', aEvaluation);
    for (const who of ['manager', 'admin'] as const) {
      expect((await api$[who].get(`/api/v1/evaluations/${aEvaluation}`)).status).toBe(404);
      expect((await api$[who].get(`/api/v1/calibration-sessions/${id}`)).body.results).toBeNull();
    }
    const res = await page.a.get(`/calibration/${id}`);
    expect(res.text).toContain('until the session is closed');
    expect(res.text).not.toContain('Krippendorff');
    // Their own score is theirs to see.
    expect(res.text).toContain('You submitted your scorecard: <strong>79.2%</strong>');
  });

  test('after closing, everyone in scope reads every answer; outsiders still get 404', async () => {
    expect((await api$.manager.post(`/api/v1/calibration-sessions/${id}/close`, {})).status).toBe(200);
    expect((await api$.a.get(`/api/v1/evaluations/${bEvaluation}`)).status).toBe(200);
    expect((await api$.b.get(`/api/v1/evaluations/${aEvaluation}`)).status).toBe(200);
    expect((await api$.admin.get(`/api/v1/evaluations/${aEvaluation}`)).status).toBe(200);
    const res = await page.b.get(`/calibration/${id}`);
    expect(res.text).toContain('Krippendorff');
    expect(res.text).toContain('79.2%');
    const outsider = await api$.outsider.get(`/api/v1/evaluations/${aEvaluation}`);
    expect(outsider.status).toBe(404);
    expect(outsider.text).toBe((await api$.outsider.get(`/api/v1/evaluations/${MISSING}`)).text);
  });
});
