import { startEvaluation } from '../../src/evaluations';
import type { FullRubric } from '../../src/rubrics';
import { makeTestApp, type TestContext } from '../helpers/app';
import { buildOrg, type Org } from '../helpers/builders';
import { postForm, signIn } from '../helpers/http';
import { rubricJson, section, yesNo } from '../helpers/scoring';
import { tokenFor } from '../calls/fixtures';
import { Api, DEAD_AIR, formFields, GREETING, greeted, itemOf } from './suggest-fixtures';

// Suggest mode (issue 16): the scoring form arrives prefilled with the rules' answers (exactly the API's
// /suggestions), each marked with its reason and evidence; the person confirms or changes them and submits;
// the rule's answer is recorded beside the person's in the same unit of work.

jest.setTimeout(120_000);

let ctx: TestContext;
let org: Org;
let api: Api;
let suggest: FullRubric;
let off: FullRubric;

beforeAll(async () => {
  ctx = makeTestApp();
  org = await buildOrg(ctx.deps);
  api = new Api(ctx, org);
  for (const who of ['admin', 'manager', 'supervisorA', 'csrA'] as const) {
    api.tokens[who] = await tokenFor(ctx.app, org[who].username);
  }
  const sections = () => [
    section('Opening', 1, [{ ...yesNo('Greeted'), auto: GREETING } as never, yesNo('Gave name')]),
    section('Flow', 2, [{ ...yesNo('No long silence'), auto: DEAD_AIR } as never]),
  ];
  suggest = await api.published(rubricJson(sections(), { auto_mode: 'suggest' } as never));
  off = await api.published(rubricJson(sections()));
});
afterAll(async () => ctx.close());

const actor = () => ({ id: org.supervisorA.id, role: 'supervisor' as const });
const rows = (evaluationId: number) =>
  ctx.deps.db
    .selectFrom('evaluation_auto_answers')
    .selectAll()
    .where('evaluation_id', '=', evaluationId)
    .orderBy('item_id')
    .execute();

async function draftOf(rubric: FullRubric, opts: { audio?: boolean } = { audio: true }) {
  const callId = await api.call(greeted, opts);
  await ctx.deps.analysis.drain(ctx.deps);
  const draft = await startEvaluation(ctx.deps, actor(), callId, rubric.id);
  return { callId, draft };
}

describe('the scoring form in suggest mode', () => {
  test('arrives prefilled with exactly the API suggestions, each marked with its reason and evidence', async () => {
    const { callId, draft } = await draftOf(suggest);
    const fromApi = await api.as('supervisorA').get(`/api/v1/calls/${callId}/suggestions?rubric_id=${suggest.id}`);
    expect(fromApi.status).toBe(200);
    const agent = await signIn(ctx.app, org.supervisorA.username);
    const page = await agent.get(`/evaluations/${draft.id}/score`);
    expect(page.status).toBe(200);
    const checked = Object.fromEntries(Object.entries(formFields(page.text)).filter(([k]) => /^a_\d+$/.test(k)));
    const suggested = Object.fromEntries(
      (fromApi.body.answers as Array<{ item_id: number; value: string | null }>).map((a) => [
        `a_${a.item_id}`,
        a.value,
      ]),
    );
    expect(suggested).toEqual({
      [`a_${itemOf(suggest, 'Greeted')}`]: 'yes',
      [`a_${itemOf(suggest, 'No long silence')}`]: 'no',
    });
    // Every suggested answer is the checked one, and only the ruled items are answered.
    expect(checked).toEqual(suggested);
    expect(page.text).toContain('Agent said “thank you for calling” at 0:00');
    expect(page.text).toMatch(/Dead air of 1[12]\.\d s at 0:0[34]–0:1[56] \(limit 10 s\)/);
    expect(page.text.match(/data-suggestion-state>suggested</g)).toHaveLength(2);
    // Evidence seeks: the greeting's line at 0.5 s (with the matched words), the dead air's stretch from ~4 s.
    expect(page.text).toMatch(
      /class="time-stamp evidence" data-seek="0.5"[^>]*data-evidence-kind="line" data-match="0,21"/,
    );
    expect(page.text).toMatch(
      /class="time-stamp evidence" data-seek="(3\.\d+|4(\.\d+)?)"[^>]*data-evidence-kind="dead_air"/,
    );
    expect(page.text).toContain('<script src="/static/js/suggestions.js" defer></script>');
  });

  test('a rubric in off mode gets an empty form, without any suggestion', async () => {
    const { draft } = await draftOf(off, {});
    const page = await (await signIn(ctx.app, org.supervisorA.username)).get(`/evaluations/${draft.id}/score`);
    expect(page.status).toBe(200);
    expect(page.text).not.toContain('class="suggestion"');
    expect(page.text).not.toContain('suggestions.js');
    expect(page.text).not.toMatch(/type="radio"[^>]*checked/);
  });

  test('submitting still needs a person: the unruled item must be answered (422, nothing recorded)', async () => {
    const { draft } = await draftOf(suggest);
    const agent = await signIn(ctx.app, org.supervisorA.username);
    const fields = formFields((await agent.get(`/evaluations/${draft.id}/score`)).text);
    const res = await postForm(
      agent,
      `/evaluations/${draft.id}/score`,
      { ...fields, op: 'submit' },
      `/evaluations/${draft.id}/score`,
    );
    expect(res.status).toBe(422);
    expect(res.text).toContain('Gave name');
    expect(await rows(draft.id)).toEqual([]);
  });

  test('the person confirms one suggestion and overrides another: both recorded beside the rule', async () => {
    const { draft } = await draftOf(suggest);
    const agent = await signIn(ctx.app, org.supervisorA.username);
    const fields = formFields((await agent.get(`/evaluations/${draft.id}/score`)).text);
    const greetedId = itemOf(suggest, 'Greeted');
    const silenceId = itemOf(suggest, 'No long silence');
    const posted = { ...fields, [`a_${greetedId}`]: 'no', [`a_${itemOf(suggest, 'Gave name')}`]: 'yes', op: 'submit' };
    const res = await postForm(agent, `/evaluations/${draft.id}/score`, posted, `/evaluations/${draft.id}/score`);
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe(`/evaluations/${draft.id}`);
    const recorded = await rows(draft.id);
    expect(recorded.map((r) => [r.item_id, r.rule_value, r.human_value, r.suggested, r.rubric_id])).toEqual(
      [
        [greetedId, 'yes', 'no', 1, suggest.id],
        [silenceId, 'no', 'no', 1, suggest.id],
      ].sort((a, b) => Number(a[0]) - Number(b[0])),
    );
    expect(recorded.find((r) => r.item_id === greetedId)?.evidence_s).toBe(0.5);
    expect(recorded.find((r) => r.item_id === greetedId)?.reason).toBe('Agent said “thank you for calling” at 0:00');
  });

  test('a scorecard made on the API, or on a rubric not in suggest mode, is recorded as made without suggestions', async () => {
    const callId = await api.call(greeted);
    const ids = { g: itemOf(off, 'Greeted'), n: itemOf(off, 'Gave name'), s: itemOf(off, 'No long silence') };
    const { id } = await api.score('supervisorA', callId, off, { [ids.g]: 'yes', [ids.n]: 'yes', [ids.s]: 'yes' });
    const recorded = await rows(id);
    // No recording: the dead-air rule cannot answer (null), the greeting rule can.
    expect(recorded.map((r) => [r.item_id, r.rule_value, r.human_value, r.suggested])).toEqual(
      [
        [ids.g, 'yes', 'yes', 0],
        [ids.s, null, 'yes', 0],
      ].sort((a, b) => Number(a[0]) - Number(b[0])),
    );
  });

  test("a rescore moves the person's side of the record; the rule's side stays", async () => {
    const callId = await api.call(greeted);
    const g = itemOf(suggest, 'Greeted');
    const answers = { [g]: 'yes', [itemOf(suggest, 'Gave name')]: 'yes', [itemOf(suggest, 'No long silence')]: 'yes' };
    const { id } = await api.score('supervisorA', callId, suggest, answers);
    const agent = await signIn(ctx.app, org.supervisorA.username);
    const fields = formFields((await agent.get(`/evaluations/${id}/rescore`)).text);
    const res = await postForm(
      agent,
      `/evaluations/${id}/rescore`,
      { ...fields, [`a_${g}`]: 'no', reason: 'Missed the greeting', op: 'rescore' },
      `/evaluations/${id}/rescore`,
    );
    expect(res.status).toBe(303);
    const row = (await rows(id)).find((r) => r.item_id === g);
    expect(row).toMatchObject({ rule_value: 'yes', human_value: 'no' });
  });
});
