import { sql } from 'kysely';
import { engineOf } from '../../src/db/dialect';
import { BUSY_RETRY, ROW_GUARDED, inTransaction } from '../../src/db/transaction';
import type { FullRubric } from '../../src/rubrics/rubrics.queries';
import { makeTestApp, type TestContext } from '../helpers/app';
import { buildOrg, buildUser, type Org } from '../helpers/builders';
import { saveTeam } from '../../src/org/org.service';
import {
  api,
  makeCall,
  publishedRubric,
  tokenFor,
  workedExampleAnswers,
  workedExampleRubric,
} from '../helpers/scoring';

// Many supervisors submit scorecards of the newest calls at once. On PostgreSQL the scoring writes run at read
// committed (ROW_GUARDED): their checks are a unique index and a compare-and-set on the revision, so they need
// no serializable snapshot, whose page-level predicate locks made adjacent calls' submits abort one another.

let ctx: TestContext;
let org: Org;
let rubric: FullRubric;

beforeAll(async () => {
  ctx = makeTestApp();
  org = await buildOrg(ctx.deps);
  const second = await buildUser(ctx.deps, 'supervisor');
  await saveTeam(
    ctx.deps,
    { id: org.admin.id, role: 'admin' },
    { name: 'Team A', department_id: org.departmentId, supervisors: [org.supervisorA.username, second.username] },
    org.teamA,
  );
  org.supervisorB = second;
  rubric = await publishedRubric(ctx.deps, workedExampleRubric({ release_mode: 'on_submit' }));
});

afterAll(() => ctx.close());

async function evaluationCount(callId: number): Promise<number> {
  const row = await ctx.deps.db
    .selectFrom('calls')
    .select('evaluation_count')
    .where('id', '=', callId)
    .executeTakeFirstOrThrow();
  return Number(row.evaluation_count);
}

async function isolationOf(policy: typeof BUSY_RETRY): Promise<string> {
  return inTransaction(
    ctx.deps.db,
    async (trx) =>
      (await sql<{ level: string }>`select current_setting('transaction_isolation') as level`.execute(trx)).rows[0]
        .level,
    policy,
  );
}

test('on PostgreSQL the scoring writes run at read committed, every other unit of work at serializable', async () => {
  if (engineOf(ctx.deps.db) === 'postgres') {
    expect(await isolationOf(ROW_GUARDED)).toBe('read committed');
    expect(await isolationOf(BUSY_RETRY)).toBe('serializable');
  } else {
    // SQLite has no such setting: one writer at a time either way. (The error is better-sqlite3's, made in the
    // realm that first loaded it, so it is matched by its text, not by toThrow's instanceof Error.)
    const refused = await isolationOf(ROW_GUARDED).then(
      (level) => `answered ${level}`,
      (err: unknown) => String(err),
    );
    expect(refused).toMatch(/no such function: current_setting/);
  }
});

test('sixteen submits of adjacent calls by two supervisors at once all commit, each exactly once', async () => {
  const calls = [];
  for (let i = 0; i < 16; i += 1) calls.push(await makeCall(ctx.deps, org.admin, i % 2 ? org.csrA : org.csrA2));
  const tokens = [await tokenFor(ctx.deps, org.supervisorA), await tokenFor(ctx.deps, org.supervisorB)];
  const responses = await Promise.all(
    calls.map((call, i) =>
      api(ctx.app, tokens[i % 2]).post('/api/v1/evaluations', {
        call_id: call.id,
        rubric_id: rubric.id,
        answers: workedExampleAnswers(rubric),
        submit: true,
      }),
    ),
  );
  expect(responses.map((r) => r.status)).toEqual(calls.map(() => 201));
  expect(new Set(responses.map((r) => r.body.call_id))).toEqual(new Set(calls.map((c) => c.id)));
  for (const call of calls) expect(await evaluationCount(call.id)).toBe(1);
  const audit = await ctx.deps.db
    .selectFrom('audit_log')
    .select('entity_id')
    .where('action', '=', 'evaluation.submitted')
    .execute();
  expect(audit.map((a) => a.entity_id).sort((a, b) => Number(a) - Number(b))).toEqual(
    responses.map((r) => r.body.id).sort((a, b) => a - b),
  );
});

test('the same call submitted four times at once by one supervisor: four scorecards, the count says four', async () => {
  const call = await makeCall(ctx.deps, org.admin, org.csrA);
  const sup = api(ctx.app, await tokenFor(ctx.deps, org.supervisorA));
  const body = { call_id: call.id, rubric_id: rubric.id, answers: workedExampleAnswers(rubric), submit: true };
  const responses = await Promise.all([1, 2, 3, 4].map(() => sup.post('/api/v1/evaluations', body)));
  expect(responses.map((r) => r.status)).toEqual([201, 201, 201, 201]);
  expect(new Set(responses.map((r) => r.body.id)).size).toBe(4);
  expect(await evaluationCount(call.id)).toBe(4);
  const drafts = await ctx.deps.db
    .selectFrom('evaluations')
    .select('id')
    .where('call_id', '=', call.id)
    .where('status', '=', 'draft')
    .execute();
  expect(drafts).toEqual([]);
});
