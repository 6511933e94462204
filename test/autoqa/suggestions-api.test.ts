import request from 'supertest';
import { loadRubric, scoringModel, type FullRubric } from '../../src/rubrics';
import { computeScore } from '../../src/scoring';
import { makeTestApp, type TestContext } from '../helpers/app';
import { buildOrg, type Org } from '../helpers/builders';
import { rubricJson, section, yesNo } from '../helpers/scoring';
import { callFields, pushCall, recordingFile, tokenFor } from '../calls/fixtures';
import { callWav } from '../analysis/jobs-fixtures';

// GET /api/v1/calls/:id/suggestions (API.md wave 2): a rubric's rules answer a call from its transcript, its
// audio analysis and its hold time, with reasons and evidence, and the score those answers would give. Only
// those who score calls see them; a CSR never learns that rules answer for their calls (404).

jest.setTimeout(60_000);

let ctx: TestContext;
let org: Org;
const tokens: Record<string, string> = {};
let rubric: FullRubric;
let partialRubric: FullRubric;

const GREETING = {
  when: { phrase: { any_of: ['thank you for calling'], speaker: 'agent', within_first_s: 20 } },
  then: 'yes',
  else: 'no',
};
const DEAD_AIR = { when: { dead_air_over_s: 10 }, then: 'no', else: 'yes' };
const HOLD = { when: { hold_over_s: 60 }, then: 'no', else: 'yes' };

function as(who: string) {
  const token = tokens[who] ?? '';
  return {
    get: (path: string) => request(ctx.app).get(path).set('Authorization', `Bearer ${token}`),
    post: (path: string, body: object) =>
      request(ctx.app).post(path).set('Authorization', `Bearer ${token}`).send(body),
  };
}

async function published(body: object): Promise<FullRubric> {
  const created = await as('admin').post('/api/v1/rubrics', body);
  expect(created.status).toBe(201);
  expect((await as('admin').post(`/api/v1/rubrics/${created.body.id}/publish`, {})).status).toBe(200);
  const loaded = await loadRubric(ctx.deps.db, created.body.id);
  if (!loaded) throw new Error('rubric not stored');
  return loaded;
}

/** A call of 24 s whose agent is silent from 4 s to 16 s (12 s of dead air), with the given transcript. */
async function callWith(transcript: object[] | null, opts: { agent?: string; hold_s?: string } = {}) {
  const audio = callWav({
    seconds: 24,
    agent: [
      [0, 4],
      [16, 20],
    ],
    customer: [[20, 23]],
  });
  const fields = callFields(opts.agent ?? org.csrA.username, { hold_s: opts.hold_s ?? '0', duration_s: '24' });
  const res = await pushCall(ctx.app, tokens.supervisorA ?? '', fields, [recordingFile(audio, 'call.wav')]);
  expect(res.status).toBe(201);
  const id = (res.body as { id: number }).id;
  if (transcript) {
    const sent = await request(ctx.app)
      .post(`/api/v1/calls/${id}/transcript`)
      .set('Authorization', `Bearer ${tokens.admin ?? ''}`)
      .set('Content-Type', 'application/json')
      .send(JSON.stringify(transcript));
    expect(sent.status).toBe(201);
  }
  return id;
}

const greeted = [
  { speaker: 'agent', start_s: 0.5, end_s: 3.5, text: 'Thank you for calling Acme, this is Sam.' },
  { speaker: 'customer', start_s: 20, end_s: 23, text: 'Hi, I have a question.' },
];
const notGreeted = [
  { speaker: 'agent', start_s: 0.5, end_s: 3.5, text: 'Yeah, hello?' },
  { speaker: 'customer', start_s: 20, end_s: 23, text: 'Thank you for calling me back.' },
];

beforeAll(async () => {
  ctx = makeTestApp();
  org = await buildOrg(ctx.deps);
  for (const who of ['admin', 'manager', 'supervisorA', 'supervisorB', 'otherSupervisor', 'csrA'] as const) {
    tokens[who] = await tokenFor(ctx.app, org[who].username);
  }
  rubric = await published(
    rubricJson(
      [
        section('Opening', 1, [{ ...yesNo('Greeted'), auto: GREETING } as never]),
        section('Flow', 2, [
          { ...yesNo('No long silence'), auto: DEAD_AIR } as never,
          { ...yesNo('Short hold', { critical: true }), auto: HOLD } as never,
        ]),
      ],
      { auto_mode: 'suggest', pass_threshold: 60 } as never,
    ),
  );
  partialRubric = await published(
    rubricJson([section('Opening', 1, [{ ...yesNo('Greeted'), auto: GREETING } as never, yesNo('Gave name')])]),
  );
});
afterAll(async () => ctx.close());

const itemId = (r: FullRubric, prompt: string) =>
  r.sections.flatMap((s) => s.items).find((i) => i.prompt === prompt)?.id;

describe('GET /api/v1/calls/:id/suggestions', () => {
  test('greeting said, long dead air: yes with the line as evidence, no with the stretch; score by the DOMAIN math', async () => {
    const id = await callWith(greeted);
    await ctx.deps.analysis.drain(ctx.deps);
    const res = await as('supervisorA').get(`/api/v1/calls/${id}/suggestions?rubric_id=${rubric.id}`);
    expect(res.status).toBe(200);
    expect(res.body.rubric_id).toBe(rubric.id);
    const byItem = new Map(res.body.answers.map((a: { item_id: number }) => [a.item_id, a]));
    expect(byItem.get(itemId(rubric, 'Greeted'))).toEqual({
      item_id: itemId(rubric, 'Greeted'),
      value: 'yes',
      reason: 'Agent said “thank you for calling” at 0:00',
      evidence: [
        {
          kind: 'line',
          speaker: 'agent',
          start_s: 0.5,
          end_s: 3.5,
          text: 'Thank you for calling Acme, this is Sam.',
          match: { start: 0, end: 21 },
        },
      ],
    });
    const silence = byItem.get(itemId(rubric, 'No long silence')) as {
      value: string;
      reason: string;
      evidence: Array<{ kind: string; start_s: number; end_s: number; speaker: null; text: null }>;
    };
    expect(silence.value).toBe('no');
    expect(silence.reason).toMatch(/^Dead air of 1[12]\.\d s at 0:0[34]–0:1[56] \(limit 10 s\)$/);
    expect(silence.evidence).toHaveLength(1);
    expect(silence.evidence[0]).toMatchObject({ kind: 'dead_air', speaker: null, text: null });
    expect(silence.evidence[0]?.start_s).toBeCloseTo(4, 0);
    expect(silence.evidence[0]?.end_s).toBeCloseTo(16, 0);
    expect(byItem.get(itemId(rubric, 'Short hold'))).toMatchObject({
      value: 'yes',
      reason: 'No hold (limit 60 s)',
    });
    // Opening 100% (weight 1), Flow 1 of 2 = 50% (weight 2): (100 + 2 × 50) / 3 = 66.67, over the 60% pass mark.
    expect(res.body.raw_score).toBeCloseTo(66.666667, 5);
    expect(res.body).toMatchObject({ score: res.body.raw_score, passed: true });
    const answers = Object.fromEntries(
      res.body.answers.map((a: { item_id: number; value: string }) => [a.item_id, a.value]),
    );
    const math = computeScore(scoringModel(rubric), answers);
    expect([res.body.score, res.body.raw_score, res.body.passed]).toEqual([math.score, math.raw_score, math.passed]);
  });

  test('greeting not said by the agent (only by the customer): no, with a reason and no evidence lines', async () => {
    const id = await callWith(notGreeted, { hold_s: '90' });
    await ctx.deps.analysis.drain(ctx.deps);
    const res = await as('manager').get(`/api/v1/calls/${id}/suggestions?rubric_id=${rubric.id}`);
    expect(res.status).toBe(200);
    const greeting = res.body.answers.find((a: { item_id: number }) => a.item_id === itemId(rubric, 'Greeted'));
    expect(greeting).toMatchObject({ value: 'no', evidence: [] });
    expect(greeting.reason).toMatch(/^Agent never said .*“thank you for calling”.* in the first 20 s$/);
    // The hold item is critical and failed: the score is 0 though the raw score is not.
    const hold = res.body.answers.find((a: { item_id: number }) => a.item_id === itemId(rubric, 'Short hold'));
    expect(hold).toMatchObject({ value: 'no', reason: 'On hold 90 s (limit 60 s)' });
    expect(res.body).toMatchObject({ score: 0, passed: false });
    expect(res.body.raw_score).toBeCloseTo(0, 5);
  });

  test('no transcript: the phrase rule gives no answer (not "no") and the score is null', async () => {
    const id = await callWith(null);
    await ctx.deps.analysis.drain(ctx.deps);
    const res = await as('admin').get(`/api/v1/calls/${id}/suggestions?rubric_id=${rubric.id}`);
    expect(res.status).toBe(200);
    const greeting = res.body.answers.find((a: { item_id: number }) => a.item_id === itemId(rubric, 'Greeted'));
    expect(greeting).toEqual({
      item_id: itemId(rubric, 'Greeted'),
      value: null,
      reason: 'No transcript',
      evidence: [],
    });
    expect(res.body).toMatchObject({ score: null, raw_score: null, passed: null });
  });

  test('audio not analysed yet: the dead-air rule gives no answer', async () => {
    const id = await callWith(greeted);
    const res = await as('admin').get(`/api/v1/calls/${id}/suggestions?rubric_id=${rubric.id}`);
    const silence = res.body.answers.find((a: { item_id: number }) => a.item_id === itemId(rubric, 'No long silence'));
    expect(silence.value).toBeNull();
    expect(res.body.score).toBeNull();
    await ctx.deps.analysis.drain(ctx.deps);
  });

  test('an item without a rule has no answer, so the score stays null', async () => {
    const id = await callWith(greeted);
    const res = await as('admin').get(`/api/v1/calls/${id}/suggestions?rubric_id=${partialRubric.id}`);
    expect(res.status).toBe(200);
    expect(res.body.answers.map((a: { item_id: number; value: string }) => [a.item_id, a.value])).toEqual([
      [itemId(partialRubric, 'Greeted'), 'yes'],
    ]);
    expect(res.body).toMatchObject({ score: null, raw_score: null, passed: null });
  });
});

describe('who sees suggestions', () => {
  let callId: number;
  beforeAll(async () => {
    callId = await callWith(greeted);
  });

  test.each([
    ['admin', 200],
    ['manager', 200],
    ['supervisorA', 200],
    ['supervisorB', 404],
    ['otherSupervisor', 404],
    ['csrA', 404],
  ])('%s: %i', async (who, status) => {
    const res = await as(who).get(`/api/v1/calls/${callId}/suggestions?rubric_id=${rubric.id}`);
    expect(res.status).toBe(status);
    if (status === 404) expect(JSON.stringify(res.body)).not.toMatch(/thank you|rubric|Greeted|auto/i);
  });

  test('a CSR gets 404 even on a call of their own released scorecard, which they may otherwise open', async () => {
    const id = await callWith(greeted);
    const answers = partialRubric.sections.flatMap((s) => s.items).map((i) => ({ item_id: i.id, value: 'yes' }));
    const scored = await as('supervisorA').post('/api/v1/evaluations', {
      call_id: id,
      rubric_id: partialRubric.id,
      answers,
      submit: true,
    });
    expect(scored.status).toBe(201);
    expect(scored.body.status).toBe('released');
    const recording = await as('csrA').get(`/api/v1/calls/${id}/recording`);
    expect(recording.status).toBe(200);
    const res = await as('csrA').get(`/api/v1/calls/${id}/suggestions?rubric_id=${partialRubric.id}`);
    expect(res.status).toBe(404);
    expect(JSON.stringify(res.body)).not.toMatch(/thank you|Greeted|auto/i);
  });

  test('the CSR gets 404 even with a bad rubric_id, so nothing tells them rules exist', async () => {
    expect((await as('csrA').get(`/api/v1/calls/${callId}/suggestions?rubric_id=abc`)).status).toBe(404);
  });

  test('a rubric that does not exist is 404; a missing or malformed rubric_id is 422', async () => {
    const missing = await as('admin').get(`/api/v1/calls/${callId}/suggestions?rubric_id=999999`);
    expect(missing.status).toBe(404);
    expect(missing.body.error.message).toBe('No such rubric.');
    for (const query of ['', '?rubric_id=', '?rubric_id=abc', '?rubric_id=-1', '?rubric_id=1.5']) {
      const res = await as('admin').get(`/api/v1/calls/${callId}/suggestions${query}`);
      expect(res.status).toBe(422);
      expect(res.body.error.details[0].path).toBe('rubric_id');
    }
  });

  test('a call that does not exist is 404', async () => {
    expect((await as('admin').get(`/api/v1/calls/999999/suggestions?rubric_id=${rubric.id}`)).status).toBe(404);
  });

  test('a CSR cannot read a rubric with its rules through the API', async () => {
    const res = await as('csrA').get(`/api/v1/rubrics/${rubric.id}`);
    expect([403, 404]).toContain(res.status);
    expect(JSON.stringify(res.body)).not.toMatch(/thank you for calling|auto/);
  });
});
