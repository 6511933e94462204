import request from 'supertest';
import { createToken } from '../../src/profile/tokens.service';
import { loadRubric } from '../../src/rubrics/rubrics.queries';
import { answersFor, scoreIn } from '../calibration/fixtures';
import { makeTestApp, type TestContext } from '../helpers/app';
import { buildOrg, PASSWORD, type Org } from '../helpers/builders';
import { api, itemsOf, optionWorth, workedExampleRubric, type Api } from '../helpers/scoring';
import { validate } from './json-schema';
import { operationOf, servedDocument, type OpenApi, type Schema } from './openapi-doc';

// What the routes really answer conforms to the response schemas of the OpenAPI document (generated from the
// zod response schemas in each feature's *.schemas.ts): every field named, with its type, and no other.

let ctx: TestContext;
let doc: OpenApi;
let org: Org;
const clients: Record<'admin' | 'manager' | 'supervisor' | 'csr', Api> = {} as never;
let adminToken: string;
let supervisorToken: string;

beforeAll(async () => {
  ctx = makeTestApp();
  org = await buildOrg(ctx.deps);
  const users = { admin: org.admin, manager: org.manager, supervisor: org.supervisorA, csr: org.csrA };
  for (const [role, user] of Object.entries(users)) {
    const { token } = await createToken(ctx.deps, user.id, { name: 'openapi schemas test' });
    clients[role as keyof typeof users] = api(ctx.app, token);
    if (role === 'admin') adminToken = token;
    if (role === 'supervisor') supervisorToken = token;
  }
  doc = await servedDocument(ctx.app);
});
afterAll(async () => ctx.close());

/** The documented schema of an answer (the shared Error response followed through its $ref). */
function responseSchema(method: string, path: string, status: number): Schema {
  let response = operationOf(doc, method, path).responses[status];
  if (response?.$ref) response = doc.components.responses[response.$ref.split('/').pop() as string] as never;
  const schema = response?.content?.['application/json']?.schema;
  if (!schema) throw new Error(`${method} ${path} documents no JSON answer for ${status}`);
  return schema;
}

/** Checks a real answer against the document: its status is documented and its body conforms. */
function expectDocumented(res: request.Response, method: string, path: string, status: number) {
  expect({ operation: `${method} ${path}`, status: res.status }).toEqual({ operation: `${method} ${path}`, status });
  const problems = validate(res.body, responseSchema(method, path, status), doc as unknown as Schema);
  expect({ operation: `${method} ${path}`, problems }).toEqual({ operation: `${method} ${path}`, problems: [] });
}

describe('the validator used below', () => {
  const schema = {
    type: 'object',
    properties: { id: { type: 'integer' }, when: { anyOf: [{ type: 'string' }, { type: 'null' }] } },
    required: ['id', 'when'],
    additionalProperties: false,
  };
  test.each<[string, unknown]>([
    ['a wrong type', { id: 'one', when: null }],
    ['a missing field', { id: 1 }],
    ['an undocumented field', { id: 1, when: null, extra: true }],
    ['a value matching no alternative', { id: 1, when: 3 }],
  ])('refuses %s', (_what, value) => {
    expect(validate(value, schema, {})).not.toEqual([]);
  });
  test('accepts a conforming value and refuses a keyword it does not know', () => {
    expect(validate({ id: 1, when: 'now' }, schema, {})).toEqual([]);
    expect(() => validate(1, { multipleOf: 2 }, {})).toThrow(/multipleOf/);
  });
});

describe('real answers conform to the documented response schemas', () => {
  test('health, tokens and the caller', async () => {
    expectDocumented(await request(ctx.app).get('/healthz'), 'get', '/healthz', 200);
    const token = await request(ctx.app)
      .post('/api/v1/tokens')
      .send({ username: org.supervisorA.username, password: PASSWORD, name: 'script' });
    expectDocumented(token, 'post', '/api/v1/tokens', 201);
    expectDocumented(await clients.supervisor.get('/api/v1/me'), 'get', '/api/v1/me', 200);
    expectDocumented(await clients.manager.get('/api/v1/me'), 'get', '/api/v1/me', 200);
  });

  test('the common errors: no credentials, a body that is not JSON, input that is not valid', async () => {
    expectDocumented(
      await request(ctx.app).get('/api/v1/me').set('Accept', 'application/json'),
      'get',
      '/api/v1/me',
      401,
    );
    const malformed = await request(ctx.app)
      .post('/api/v1/rubrics')
      .set('Authorization', `Bearer ${adminToken}`)
      .set('Content-Type', 'application/json')
      .send('{"name": ');
    expectDocumented(malformed, 'post', '/api/v1/rubrics', 400);
    expectDocumented(await clients.admin.post('/api/v1/rubrics', { name: '' }), 'post', '/api/v1/rubrics', 422);
  });

  test('departments, teams and users an admin creates', async () => {
    const department = await clients.admin.post('/api/v1/departments', {
      name: 'Billing',
      manager: org.manager.username,
      budget_cents: 50_000,
      budget_period: 'month',
    });
    expectDocumented(department, 'post', '/api/v1/departments', 201);
    const team = await clients.admin.post('/api/v1/teams', {
      name: 'Billing A',
      department_id: department.body.id,
      supervisors: [org.supervisorB.username],
    });
    expectDocumented(team, 'post', '/api/v1/teams', 201);
    const user = await clients.admin.post('/api/v1/users', {
      username: 'newcsr',
      display_name: 'New CSR',
      password: PASSWORD,
      role: 'csr',
      team_id: team.body.id,
    });
    expectDocumented(user, 'post', '/api/v1/users', 201);
    const patched = await clients.admin.patch(`/api/v1/users/${user.body.id}`, { active: false });
    expectDocumented(patched, 'patch', '/api/v1/users/{id}', 200);
    expectDocumented(await clients.admin.post('/api/v1/users', {}), 'post', '/api/v1/users', 422);
  });
});

describe('real answers of the scoring flow conform to the documented response schemas', () => {
  let callId: number;
  let rubricId: number;
  let evaluationId: number;

  test('calls: push (new and again), import, list, read, and a missing one', async () => {
    const push = () =>
      request(ctx.app)
        .post('/api/v1/calls')
        .set('Authorization', `Bearer ${supervisorToken}`)
        .set('Accept', 'application/json')
        .field('external_id', 'openapi-1')
        .field('agent', org.csrA.username)
        .field('started_at', '2026-11-20T10:00:00Z')
        .field('direction', 'inbound')
        .field('duration_s', '43.7')
        .field('csat', '4')
        .attach('transcript', Buffer.from('WEBVTT\n\n00:00.000 --> 00:02.000\n<v Agent>Thank you for calling.\n'), {
          filename: 'call.vtt',
          contentType: 'text/vtt',
        });
    const created = await push();
    expectDocumented(created, 'post', '/api/v1/calls', 201);
    callId = created.body.id;
    expectDocumented(await push(), 'post', '/api/v1/calls', 200);
    const csv = `external_id,agent,started_at,direction,duration_s\nopenapi-2,${org.csrA.username},2026-11-20T11:00:00Z,inbound,30\nbad,,,,\n`;
    const imported = await request(ctx.app)
      .post('/api/v1/calls/import')
      .set('Authorization', `Bearer ${adminToken}`)
      .set('Content-Type', 'text/csv')
      .send(csv);
    expectDocumented(imported, 'post', '/api/v1/calls/import', 200);
    const list = await clients.supervisor.get('/api/v1/calls');
    expectDocumented(list, 'get', '/api/v1/calls', 200);
    expect(list.body.items.length).toBe(2);
    // The check has teeth: a field the document does not name, or a wrong type, is found.
    const schema = responseSchema('get', '/api/v1/calls/{id}', 200);
    const root = doc as unknown as Schema;
    expect(validate({ ...created.body, secret: 1 }, schema, root)).toEqual(['(root): has undocumented secret']);
    expect(validate({ ...created.body, csat: '4' }, schema, root)).not.toEqual([]);
    expectDocumented(await clients.supervisor.get(`/api/v1/calls/${callId}`), 'get', '/api/v1/calls/{id}', 200);
    expectDocumented(await clients.supervisor.get('/api/v1/calls/999999'), 'get', '/api/v1/calls/{id}', 404);
  });

  test('rubrics: create, publish, read', async () => {
    const draft = await clients.admin.post('/api/v1/rubrics', workedExampleRubric({ release_mode: 'on_submit' }));
    expectDocumented(draft, 'post', '/api/v1/rubrics', 201);
    rubricId = draft.body.id;
    expectDocumented(
      await clients.admin.post(`/api/v1/rubrics/${rubricId}/publish`),
      'post',
      '/api/v1/rubrics/{id}/publish',
      200,
    );
    expectDocumented(await clients.supervisor.get(`/api/v1/rubrics/${rubricId}`), 'get', '/api/v1/rubrics/{id}', 200);
  });

  test('evaluations: a failing score with its coaching task, the list, one with answers, and the CSR acknowledging', async () => {
    const rubric = await loadRubric(ctx.deps.db, rubricId);
    if (!rubric) throw new Error('rubric missing');
    const [greet, name, accuracy, policy] = itemsOf(rubric);
    const scored = await clients.supervisor.post('/api/v1/evaluations', {
      call_id: callId,
      rubric_id: rubricId,
      answers: [
        { item_id: greet?.id, value: 'yes' },
        { item_id: name?.id, value: 'no' },
        { item_id: accuracy?.id, value: 1 },
        { item_id: policy?.id, value: policy ? optionWorth(policy, 0) : 0 },
      ],
      submit: true,
    });
    expectDocumented(scored, 'post', '/api/v1/evaluations', 201);
    expect(scored.body.coaching_task_id).toEqual(expect.any(Number));
    evaluationId = scored.body.id;
    const list = await clients.supervisor.get('/api/v1/evaluations');
    expectDocumented(list, 'get', '/api/v1/evaluations', 200);
    expect(list.body.items.length).toBe(1);
    const one = await clients.csr.get(`/api/v1/evaluations/${evaluationId}`);
    expectDocumented(one, 'get', '/api/v1/evaluations/{id}', 200);
  });

  test('coaching tasks: the list, one, and scheduling it', async () => {
    const list = await clients.supervisor.get('/api/v1/coaching-tasks');
    expectDocumented(list, 'get', '/api/v1/coaching-tasks', 200);
    expect(list.body.items.length).toBe(1);
    const id = list.body.items[0]?.id as number;
    expectDocumented(await clients.csr.get(`/api/v1/coaching-tasks/${id}`), 'get', '/api/v1/coaching-tasks/{id}', 200);
    const scheduled = await clients.supervisor.patch(`/api/v1/coaching-tasks/${id}`, {
      action: 'schedule',
      scheduled_at: '2026-11-25T14:00:00Z',
    });
    expectDocumented(scheduled, 'patch', '/api/v1/coaching-tasks/{id}', 200);
  });

  test('disputes: the CSR opens one, the lists, and the reviewer upholds it; then the CSR acknowledges', async () => {
    const rubric = await loadRubric(ctx.deps.db, rubricId);
    const name = rubric ? itemsOf(rubric)[1] : undefined;
    const opened = await clients.csr.post(`/api/v1/evaluations/${evaluationId}/disputes`, {
      item_ids: [name?.id],
      reason: 'I did give my name at the start.',
    });
    expectDocumented(opened, 'post', '/api/v1/evaluations/{id}/disputes', 201);
    const disputesOf = await clients.csr.get(`/api/v1/evaluations/${evaluationId}/disputes`);
    expectDocumented(disputesOf, 'get', '/api/v1/evaluations/{id}/disputes', 200);
    const queue = await clients.manager.get('/api/v1/disputes');
    expectDocumented(queue, 'get', '/api/v1/disputes', 200);
    expect(queue.body.items.length).toBe(1);
    const id = opened.body.id as number;
    expectDocumented(await clients.manager.get(`/api/v1/disputes/${id}`), 'get', '/api/v1/disputes/{id}', 200);
    const upheld = await clients.manager.post(`/api/v1/disputes/${id}/uphold`, { reason: 'The recording says not.' });
    expectDocumented(upheld, 'post', '/api/v1/disputes/{id}/uphold', 200);
    const acknowledged = await clients.csr.post(`/api/v1/evaluations/${evaluationId}/acknowledge`, { comment: 'OK' });
    expectDocumented(acknowledged, 'post', '/api/v1/evaluations/{id}/acknowledge', 200);
  });

  test('calibration sessions: open, list, read, close with both scorecards in', async () => {
    const opened = await clients.admin.post('/api/v1/calibration-sessions', {
      call_id: callId,
      rubric_id: rubricId,
      evaluator_ids: [org.supervisorA.id, org.manager.id],
    });
    expectDocumented(opened, 'post', '/api/v1/calibration-sessions', 201);
    const id = opened.body.id as number;
    const list = await clients.admin.get('/api/v1/calibration-sessions');
    expectDocumented(list, 'get', '/api/v1/calibration-sessions', 200);
    expect(list.body.items.length).toBe(1);
    const read = await clients.supervisor.get(`/api/v1/calibration-sessions/${id}`);
    expectDocumented(read, 'get', '/api/v1/calibration-sessions/{id}', 200);
    const rubric = await loadRubric(ctx.deps.db, rubricId);
    if (!rubric) throw new Error('rubric missing');
    await scoreIn(ctx, org.supervisorA, id, answersFor(rubric, ['yes', 'no', 3, 5]));
    await scoreIn(ctx, org.manager, id, answersFor(rubric, ['yes', 'yes', 4, 5]));
    const closed = await clients.admin.post(`/api/v1/calibration-sessions/${id}/close`);
    expectDocumented(closed, 'post', '/api/v1/calibration-sessions/{id}/close', 200);
    expect(closed.body.results).not.toBeNull();
  });

  test('training: a course, the catalog, and a booking', async () => {
    const course = await clients.manager.post('/api/v1/training/courses', {
      title: 'De-escalation',
      cost_cents: 12_000,
      group_rule: { type: 'every_n_free', n: 4 },
    });
    expectDocumented(course, 'post', '/api/v1/training/courses', 201);
    const catalog = await clients.supervisor.get('/api/v1/training/courses');
    expectDocumented(catalog, 'get', '/api/v1/training/courses', 200);
    expect(catalog.body.items.length).toBe(1);
    const booking = await clients.manager.post('/api/v1/training/bookings', {
      course_id: course.body.id,
      agents: [org.csrA.username, org.csrA2.username],
      due_at: '2026-12-31',
      override_budget: true,
    });
    expectDocumented(booking, 'post', '/api/v1/training/bookings', 201);
  });

  test('reports: service level and scores', async () => {
    const range = '?from=2026-11-01&to=2026-11-30';
    const serviceLevel = await clients.supervisor.get(`/api/v1/reports/service-level${range}`);
    expectDocumented(serviceLevel, 'get', '/api/v1/reports/service-level', 200);
    expect(serviceLevel.body.offered).toBeGreaterThan(0);
    const scores = await clients.manager.get(`/api/v1/reports/scores${range}&group=day`);
    expectDocumented(scores, 'get', '/api/v1/reports/scores', 200);
    expect(scores.body.count).toBeGreaterThan(0);
  });
});
