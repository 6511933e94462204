import type { User } from '../../src/db/schema';
import type { FullRubric } from '../../src/rubrics/rubrics.queries';
import { makeTestApp, type TestContext } from '../helpers/app';
import { buildOrg, buildUser, type Org } from '../helpers/builders';
import { signIn, type Agent } from '../helpers/http';
import {
  api,
  itemsOf,
  makeCall,
  optionWorth,
  publishedRubric,
  tokenFor,
  workedExampleRubric,
  type AnswerJson,
  type Api,
} from '../helpers/scoring';

// Scoring is silent: a CSR cannot see, or infer from any page, list, count or API answer, that a call of
// theirs is being scored. The table below is CSR × state of their scorecard × route → 404 or listed. Each
// state belongs to its own CSR, so a hidden state must leave every answer exactly as it is for a CSR
// nobody has scored (the baseline).

const STATES = [
  'draft',
  'submitted, not yet released',
  'submitted, never released',
  'calibration',
  'released',
  'acknowledged',
] as const;
type State = (typeof STATES)[number];
const VISIBLE: State[] = ['released', 'acknowledged'];

interface Subject {
  csr: User;
  page: Agent;
  api: Api;
  callId: number;
  evaluationId: number;
  taskId: number | null;
}

let ctx: TestContext;
let org: Org;
let baseline: Omit<Subject, 'evaluationId' | 'taskId'>;
let subjects: Record<State, Subject>;
const MISSING = 99_999_999;

/** Every item at its lowest: 0%, a fail that opens a coaching task on submit. */
function failingAnswers(rubric: FullRubric): AnswerJson[] {
  const [greet, name, accurate, policy] = itemsOf(rubric);
  return [
    { item_id: greet.id, value: 'no' },
    { item_id: name.id, value: 'no' },
    { item_id: accurate.id, value: 0 },
    { item_id: policy.id, value: optionWorth(policy, 0) },
  ];
}

async function newCsr(): Promise<{ csr: User; page: Agent; api: Api; callId: number }> {
  const csr = await buildUser(ctx.deps, 'csr', { team_id: org.teamA });
  const call = await makeCall(ctx.deps, org.admin, csr, { recording: true });
  return {
    csr,
    page: await signIn(ctx.app, csr.username),
    api: api(ctx.app, await tokenFor(ctx.deps, csr)),
    callId: call.id,
  };
}

beforeAll(async () => {
  ctx = makeTestApp();
  org = await buildOrg(ctx.deps);
  const rubric = {
    on_submit: await publishedRubric(ctx.deps, workedExampleRubric({ release_mode: 'on_submit' })),
    manual: await publishedRubric(ctx.deps, workedExampleRubric({ release_mode: 'manual' })),
    never: await publishedRubric(ctx.deps, workedExampleRubric({ release_mode: 'never' })),
  };
  const supervisor = api(ctx.app, await tokenFor(ctx.deps, org.supervisorA));
  baseline = await newCsr();

  async function scored(state: State): Promise<Subject> {
    const who = await newCsr();
    const use =
      state === 'submitted, not yet released'
        ? rubric.manual
        : state === 'submitted, never released'
          ? rubric.never
          : rubric.on_submit;
    let evaluationId: number;
    if (state === 'calibration') {
      const now = ctx.clock.now().toISOString();
      const inserted = await ctx.deps.db
        .insertInto('evaluations')
        .values({
          call_id: who.callId,
          rubric_id: use.id,
          agent_id: who.csr.id,
          team_id: org.teamA,
          evaluator_id: org.supervisorA.id,
          kind: 'calibration',
          status: 'released',
          score: 0,
          raw_score: 0,
          passed: 0,
          section_scores: '[]',
          created_at: now,
          updated_at: now,
          submitted_at: now,
          released_at: now,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      evaluationId = inserted.id;
    } else {
      const res = await supervisor.post('/api/v1/evaluations', {
        call_id: who.callId,
        rubric_id: use.id,
        answers: failingAnswers(use),
        submit: state !== 'draft',
      });
      if (res.status !== 201) throw new Error(`scoring for ${state}: ${res.status} ${res.text}`);
      evaluationId = res.body.id;
      if (state === 'acknowledged') {
        const ack = await who.api.post(`/api/v1/evaluations/${evaluationId}/acknowledge`, {});
        if (ack.status !== 200) throw new Error(`acknowledge: ${ack.status} ${ack.text}`);
      }
    }
    const task = await ctx.deps.db
      .selectFrom('coaching_tasks')
      .select('id')
      .where('evaluation_id', '=', evaluationId)
      .executeTakeFirst();
    return { ...who, evaluationId, taskId: task?.id ?? null };
  }

  const built: Partial<Record<State, Subject>> = {};
  for (const state of STATES) built[state] = await scored(state);
  subjects = built as Record<State, Subject>;
});
afterAll(async () => ctx.close());

/** A page as another CSR would get it: their name and CSRF token aside, byte for byte. */
function normalised(text: string, csr: User): string {
  return text
    .split(csr.display_name)
    .join('<name>')
    .replace(/name="_csrf" value="[^"]*"/g, 'name="_csrf"');
}

const table = STATES.map((state) => [state, VISIBLE.includes(state) ? 'listed' : 'hidden'] as const);

test('the fixture has the states it claims', async () => {
  const statuses = await ctx.deps.db
    .selectFrom('evaluations')
    .select(['id', 'status', 'kind'])
    .where(
      'id',
      'in',
      STATES.map((s) => subjects[s].evaluationId),
    )
    .execute();
  const byId = new Map(statuses.map((r) => [r.id, `${r.kind}/${r.status}`]));
  expect(STATES.map((s) => byId.get(subjects[s].evaluationId))).toEqual([
    'standard/draft',
    'standard/submitted',
    'standard/submitted',
    'calibration/released',
    'standard/released',
    'standard/acknowledged',
  ]);
  // Failing submits opened coaching tasks, so the coaching routes below have something they could leak.
  expect(subjects['submitted, not yet released'].taskId).not.toBeNull();
  expect(subjects['submitted, never released'].taskId).not.toBeNull();
  expect(subjects.released.taskId).not.toBeNull();
});

describe('GET /scorecards (the CSR list page)', () => {
  test.each(table)('a %s scorecard is %s', async (state, expected) => {
    const s = subjects[state];
    const res = await s.page.get('/scorecards');
    expect(res.status).toBe(200);
    if (expected === 'listed') {
      expect(res.text).toContain(`href="/evaluations/${s.evaluationId}"`);
    } else {
      const empty = await baseline.page.get('/scorecards');
      expect(normalised(res.text, s.csr)).toBe(normalised(empty.text, baseline.csr));
    }
  });
});

describe('GET /evaluations/:id (the scorecard page)', () => {
  test.each(table)('a %s scorecard is %s', async (state, expected) => {
    const s = subjects[state];
    const res = await s.page.get(`/evaluations/${s.evaluationId}`);
    if (expected === 'listed') {
      expect(res.status).toBe(200);
      expect(res.text).toContain('0.0%');
      return;
    }
    const missing = await s.page.get(`/evaluations/${MISSING}`);
    expect(res.status).toBe(404);
    expect(missing.status).toBe(404);
    expect(res.text).toBe(missing.text);
  });

  test("another CSR's released scorecard is the same 404 as a missing one", async () => {
    const other = subjects.acknowledged;
    const res = await other.page.get(`/evaluations/${subjects.released.evaluationId}`);
    expect(res.status).toBe(404);
    expect(res.text).toBe((await other.page.get(`/evaluations/${MISSING}`)).text);
  });
});

describe('GET /api/v1/evaluations (list)', () => {
  test.each(table)('a %s scorecard is %s', async (state, expected) => {
    const s = subjects[state];
    const res = await s.api.get('/api/v1/evaluations');
    expect(res.status).toBe(200);
    if (expected === 'listed') {
      expect(res.body.items.map((e: { id: number }) => e.id)).toEqual([s.evaluationId]);
    } else {
      expect(res.body).toEqual({ items: [], next_cursor: null });
    }
  });

  test.each(['draft', 'submitted', 'released', 'acknowledged'])(
    'filtering by status=%s shows a CSR nothing beyond their released scorecards',
    async (status) => {
      for (const state of STATES) {
        const s = subjects[state];
        const res = await s.api.get(`/api/v1/evaluations?status=${status}`);
        expect(res.status).toBe(200);
        const ids = res.body.items.map((e: { id: number }) => e.id);
        // Only a visible scorecard, and only under its own status (the visible states are named as statuses).
        expect(ids).toEqual(VISIBLE.includes(state) && state === status ? [s.evaluationId] : []);
      }
    },
  );

  test("filtering by another CSR's username shows nothing", async () => {
    const res = await subjects.acknowledged.api.get(`/api/v1/evaluations?agent=${subjects.released.csr.username}`);
    expect(res.body).toEqual({ items: [], next_cursor: null });
  });
});

describe('GET /api/v1/evaluations/:id', () => {
  test.each(table)('a %s scorecard is %s', async (state, expected) => {
    const s = subjects[state];
    const res = await s.api.get(`/api/v1/evaluations/${s.evaluationId}`);
    if (expected === 'listed') {
      expect(res.status).toBe(200);
      expect(res.body.id).toBe(s.evaluationId);
      expect(res.body.answers).toHaveLength(4);
      return;
    }
    const missing = await s.api.get(`/api/v1/evaluations/${MISSING}`);
    expect(res.status).toBe(404);
    expect(res.text).toBe(missing.text);
  });

  test("another CSR's released scorecard is the same 404 as a missing one", async () => {
    const other = subjects.acknowledged;
    const res = await other.api.get(`/api/v1/evaluations/${subjects.released.evaluationId}`);
    expect(res.status).toBe(404);
    expect(res.text).toBe((await other.api.get(`/api/v1/evaluations/${MISSING}`)).text);
  });
});

describe('recordings', () => {
  test.each(table)('GET /calls/:id/recording with a %s scorecard: %s', async (state, expected) => {
    const s = subjects[state];
    const res = await s.page.get(`/calls/${s.callId}/recording`);
    if (expected === 'listed') {
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toMatch(/^audio\//);
      return;
    }
    expect(res.status).toBe(404);
    expect(res.text).toBe((await s.page.get(`/calls/${MISSING}/recording`)).text);
  });

  test.each(table)('GET /api/v1/calls/:id/recording with a %s scorecard: %s', async (state, expected) => {
    const s = subjects[state];
    const res = await s.api.get(`/api/v1/calls/${s.callId}/recording`);
    if (expected === 'listed') {
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toMatch(/^audio\//);
      return;
    }
    expect(res.status).toBe(404);
    expect(res.text).toBe((await s.api.get(`/api/v1/calls/${MISSING}/recording`)).text);
  });

  test("another CSR's released call recording is the same 404 as a missing one", async () => {
    const other = subjects.acknowledged;
    const res = await other.api.get(`/api/v1/calls/${subjects.released.callId}/recording`);
    expect(res.status).toBe(404);
    expect(res.text).toBe((await other.api.get(`/api/v1/calls/${MISSING}/recording`)).text);
  });

  test('the call of a CSR nobody scored is a 404 like a missing one', async () => {
    const res = await baseline.api.get(`/api/v1/calls/${baseline.callId}/recording`);
    expect(res.status).toBe(404);
    expect(res.text).toBe((await baseline.api.get(`/api/v1/calls/${MISSING}/recording`)).text);
  });
});

describe('call pages', () => {
  test.each(STATES)('GET /calls/:id is always a 404 for a CSR (scorecard %s)', async (state) => {
    const s = subjects[state];
    const res = await s.page.get(`/calls/${s.callId}`);
    expect(res.status).toBe(404);
    expect(res.text).toBe((await s.page.get(`/calls/${MISSING}`)).text);
  });

  test.each(table.filter(([, e]) => e === 'hidden'))(
    'GET /api/v1/calls/:id with a %s scorecard is the same 404 as a missing call',
    async (state) => {
      const s = subjects[state];
      const res = await s.api.get(`/api/v1/calls/${s.callId}`);
      expect(res.status).toBe(404);
      expect(res.text).toBe((await s.api.get(`/api/v1/calls/${MISSING}`)).text);
    },
  );
});

describe('GET / (the CSR home page)', () => {
  test.each(table)('a %s scorecard is %s', async (state, expected) => {
    const s = subjects[state];
    const res = await s.page.get('/');
    expect(res.status).toBe(200);
    if (expected === 'listed') {
      expect(res.text).toContain(`/evaluations/${s.evaluationId}`);
      expect(res.text).not.toContain('No scorecards have been shared with you yet');
    } else {
      const empty = await baseline.page.get('/');
      expect(normalised(res.text, s.csr)).toBe(normalised(empty.text, baseline.csr));
    }
  });
});

describe('GET /api/v1/coaching-tasks', () => {
  test.each(table)('the coaching task of a %s failing scorecard is %s', async (state, expected) => {
    const s = subjects[state];
    const res = await s.api.get('/api/v1/coaching-tasks');
    expect(res.status).toBe(200);
    if (expected === 'listed') {
      expect(res.body.items.map((t: { evaluation_id: number }) => t.evaluation_id)).toEqual([s.evaluationId]);
    } else {
      expect(res.body).toEqual({ items: [], next_cursor: null });
    }
  });

  test.each(table.filter(([state, e]) => e === 'hidden' && state.startsWith('submitted')))(
    'GET /api/v1/coaching-tasks/:id of a %s scorecard is the same 404 as a missing task',
    async (state) => {
      const s = subjects[state];
      const res = await s.api.get(`/api/v1/coaching-tasks/${s.taskId}`);
      expect(res.status).toBe(404);
      expect(res.text).toBe((await s.api.get(`/api/v1/coaching-tasks/${MISSING}`)).text);
    },
  );
});
