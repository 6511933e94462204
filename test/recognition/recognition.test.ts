import { committedCents } from '../../src/budget/budget';
import type { User } from '../../src/db/schema';
import type { FullRubric } from '../../src/rubrics/rubrics.queries';
import { saveSettings } from '../../src/settings/settings.service';
import { makeTestApp, type TestContext } from '../helpers/app';
import { buildOrg, buildUser, type Org } from '../helpers/builders';
import { csrfFrom, postForm, signIn, type Agent } from '../helpers/http';
import {
  api,
  itemsOf,
  optionWorth,
  publishedRubric,
  tokenFor,
  workedExampleAnswers,
  workedExampleRubric,
  type AnswerJson,
  type Api,
} from '../helpers/scoring';
import { auditActions, fieldError, flashes, formFields, submitScorecard, tableRows, textOf } from '../helpers/training';

// Top performers per team (highest average over the period's scorecards, at least N of them, equal averages as
// shown share a rank) and awards to them, charged to the department's budget.

let ctx: TestContext;
let org: Org;
let rubric: FullRubric;
let csrA3: User;
let csrA4: User;
let csrA5: User;
let csrA6: User;
let manager: Agent;

function fullMarks(): AnswerJson[] {
  const [greet, name, accurate, policy] = itemsOf(rubric);
  return [
    { item_id: greet.id, value: 'yes' },
    { item_id: name.id, value: 'yes' },
    { item_id: accurate.id, value: 4 },
    { item_id: policy.id, value: optionWorth(policy, 5) },
  ];
}

/** 37.5%. */
function failing(): AnswerJson[] {
  const [greet, name, accurate, policy] = itemsOf(rubric);
  return [
    { item_id: greet.id, value: 'yes' },
    { item_id: name.id, value: 'no' },
    { item_id: accurate.id, value: 1 },
    { item_id: policy.id, value: optionWorth(policy, 2) },
  ];
}

async function score(scorer: Api, agent: User, answers: AnswerJson[][]) {
  for (const a of answers) await submitScorecard(ctx.deps, org.admin, scorer, agent, rubric.id, a);
}

beforeAll(async () => {
  ctx = makeTestApp();
  org = await buildOrg(ctx.deps);
  rubric = await publishedRubric(ctx.deps, workedExampleRubric());
  csrA3 = await buildUser(ctx.deps, 'csr', { team_id: org.teamA });
  csrA4 = await buildUser(ctx.deps, 'csr', { team_id: org.teamA });
  csrA5 = await buildUser(ctx.deps, 'csr', { team_id: org.teamA });
  csrA6 = await buildUser(ctx.deps, 'csr', { team_id: org.teamA });
  const supA = api(ctx.app, await tokenFor(ctx.deps, org.supervisorA));
  const supB = api(ctx.app, await tokenFor(ctx.deps, org.supervisorB));
  const other = api(ctx.app, await tokenFor(ctx.deps, org.otherSupervisor));
  const worked = workedExampleAnswers(rubric); // 79.17%
  await score(supA, org.csrA, [fullMarks(), fullMarks(), fullMarks()]); // 100
  await score(supA, org.csrA2, [worked, worked, worked]); // 79.17
  await score(supA, csrA3, [worked, worked, worked]); // 79.17
  await score(supA, csrA6, [fullMarks(), fullMarks(), failing()]); // (100 + 100 + 37.5) / 3 = 79.17, shown 79.2
  await score(supA, csrA4, [failing(), failing(), failing()]); // 37.5
  await score(supA, csrA5, [fullMarks(), fullMarks()]); // 100, but only two scorecards
  await score(supB, org.csrB, [worked, worked, worked]);
  await score(other, org.otherCsr, [fullMarks(), fullMarks(), fullMarks()]);
  manager = await signIn(ctx.app, org.manager.username);
});
afterAll(async () => ctx.close());

/** Rows as "team | rank | CSR | average | scorecards", order kept; the award column (managers) dropped. */
async function performers(agent: Agent, period = 'this_month'): Promise<string[]> {
  const page = await agent.get(`/recognition?period=${period}`);
  expect(page.status).toBe(200);
  if (page.text.includes('Nobody has enough scorecards in this period yet.')) return [];
  return tableRows(page.text, 0).map((cells) => cells.slice(cells.length - 5).join(' | '));
}

const row = (team: string, rank: number, csr: User, average: string, count: number) =>
  `${team} | ${rank} | ${csr.display_name} | ${average}% | ${count}`;

/** Rows of equal rank may come in either order; compare each rank's group as a set. */
function byRank(rows: string[]): string[][] {
  const groups = new Map<string, string[]>();
  for (const r of rows) {
    const key = r.split(' | ').slice(0, 2).join(' | ');
    groups.set(key, [...(groups.get(key) ?? []), r].sort());
  }
  return [...groups.values()];
}

describe('top performers', () => {
  test('per team, at least 3 scorecards, equal averages (to one decimal) share a rank and the next rank skips', async () => {
    const rows = await performers(manager);
    expect(byRank(rows)).toEqual([
      [row('Team A', 1, org.csrA, '100.0', 3)],
      [
        row('Team A', 2, org.csrA2, '79.2', 3),
        row('Team A', 2, csrA3, '79.2', 3),
        row('Team A', 2, csrA6, '79.2', 3),
      ].sort(),
      [row('Team A', 5, csrA4, '37.5', 3)],
      [row('Team B', 1, org.csrB, '79.2', 3)],
    ]);
    expect(rows.join('\n')).not.toContain(csrA5.display_name);
    expect(rows.join('\n')).not.toContain(org.otherCsr.display_name);
  });

  test('the minimum follows the recognition_min_evaluations setting', async () => {
    const admin = { id: org.admin.id, role: 'admin' as const };
    await saveSettings(ctx.deps, admin, { recognition_min_evaluations: 2 });
    try {
      const page = await manager.get('/recognition');
      expect(textOf(page.text)).toContain('among CSRs with at least 2 scorecards');
      const rows = await performers(manager);
      expect(byRank(rows.filter((r) => r.startsWith('Team A')))).toEqual([
        [row('Team A', 1, org.csrA, '100.0', 3), row('Team A', 1, csrA5, '100.0', 2)].sort(),
        [
          row('Team A', 3, org.csrA2, '79.2', 3),
          row('Team A', 3, csrA3, '79.2', 3),
          row('Team A', 3, csrA6, '79.2', 3),
        ].sort(),
        [row('Team A', 6, csrA4, '37.5', 3)],
      ]);
      await saveSettings(ctx.deps, admin, { recognition_min_evaluations: 4 });
      expect(await performers(manager)).toEqual([]);
    } finally {
      await saveSettings(ctx.deps, admin, { recognition_min_evaluations: 3 });
    }
  });

  test('scorecards of another period do not count', async () => {
    expect(await performers(manager, 'last_month')).toEqual([]);
    expect((await performers(manager, 'this_quarter')).length).toBe(6);
  });

  test('a supervisor sees only their teams, without the award controls', async () => {
    const sup = await signIn(ctx.app, org.supervisorA.username);
    const rows = await performers(sup);
    expect(rows).toHaveLength(5);
    expect(rows.every((r) => r.startsWith('Team A |'))).toBe(true);
    const page = await sup.get('/recognition');
    expect(page.text).not.toContain('name="agent_ids"');
    const other = await signIn(ctx.app, org.otherManager.username);
    expect(await performers(other)).toEqual([row('Other', 1, org.otherCsr, '100.0', 3)]);
  });
});

describe('awards', () => {
  async function awardForm(agent: Agent) {
    return formFields((await agent.get('/recognition')).text, '/recognition/awards');
  }

  async function awardsCount(): Promise<number> {
    const r = await ctx.deps.db
      .selectFrom('awards')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    return Number(r.n);
  }

  test('recording an award charges the budget per CSR and the CSR sees it on My training', async () => {
    const committed = await committedCents(ctx.deps.db, org.departmentId, '2026-Q4');
    const res = await manager
      .post('/recognition/awards')
      .type('form')
      .send({
        ...(await awardForm(manager)),
        department_id: String(org.departmentId),
        agent_ids: [String(org.csrA.id), String(csrA3.id)],
        title: '$25 gift card',
        amount: '25',
        note: 'Top of the team in November',
      });
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/recognition');
    expect(flashes((await manager.get('/recognition')).text)).toContainEqual({
      kind: 'success',
      message: 'Award recorded and charged to the budget.',
    });
    const award = await ctx.deps.db
      .selectFrom('awards')
      .selectAll()
      .where('title', '=', '$25 gift card')
      .executeTakeFirstOrThrow();
    expect(award).toMatchObject({
      department_id: org.departmentId,
      awarded_by: org.manager.id,
      amount_cents: 2_500,
      total_cents: 5_000,
      period_key: '2026-Q4',
      over_budget: 0,
    });
    const recipients = await ctx.deps.db
      .selectFrom('award_recipients')
      .select('csr_id')
      .where('award_id', '=', award.id)
      .orderBy('csr_id')
      .execute();
    expect(recipients.map((r) => r.csr_id)).toEqual([org.csrA.id, csrA3.id].sort((a, b) => a - b));
    expect(await committedCents(ctx.deps.db, org.departmentId, '2026-Q4')).toBe(committed + 5_000);
    expect(await auditActions(ctx.deps.db, 'award', award.id)).toEqual(['award.recorded']);

    const budget = await manager.get(`/budget?department_id=${org.departmentId}`);
    expect(tableRows(budget.text, 1).map((r) => [r[2], r[3], r[4]])).toContainEqual([
      'recognition',
      '$25 gift card for 2 CSR(s)',
      '$50.00',
    ]);

    const mine = textOf((await (await signIn(ctx.app, org.csrA.username)).get('/training/mine')).text);
    expect(mine).toContain('$25 gift card ($25.00)');
    expect(mine).toContain('“Top of the team in November”');
    const notAwarded = textOf((await (await signIn(ctx.app, org.csrA2.username)).get('/training/mine')).text);
    expect(notAwarded).not.toContain('$25 gift card');
    expect(notAwarded).toContain('No awards yet.');
  });

  test('submitting the same award form twice records and charges it once', async () => {
    const form = await awardForm(manager);
    expect(form.idempotency_key).toMatch(/^[0-9a-f]{32}$/);
    const fields = {
      ...form,
      department_id: String(org.departmentId),
      agent_ids: [String(csrA6.id)],
      title: 'Lunch voucher',
      amount: '15.50',
    };
    const committed = await committedCents(ctx.deps.db, org.departmentId, '2026-Q4');
    expect((await manager.post('/recognition/awards').type('form').send(fields)).status).toBe(303);
    expect((await manager.post('/recognition/awards').type('form').send(fields)).status).toBe(303);
    expect(flashes((await manager.get('/recognition')).text)).toContainEqual({
      kind: 'success',
      message: 'That award was already recorded; nothing was charged twice.',
    });
    const stored = await ctx.deps.db.selectFrom('awards').select('id').where('title', '=', 'Lunch voucher').execute();
    expect(stored).toHaveLength(1);
    expect(await committedCents(ctx.deps.db, org.departmentId, '2026-Q4')).toBe(committed + 1_550);
    const mine = textOf((await (await signIn(ctx.app, csrA6.username)).get('/training/mine')).text);
    expect(mine.match(/Lunch voucher/g)).toHaveLength(1);
  });

  test.each<[string, () => Record<string, unknown>, string, string]>([
    [
      'no CSR ticked',
      () => ({ department_id: String(org.departmentId), title: 'Prize', amount: '10' }),
      'agent_ids',
      'Choose at least one CSR.',
    ],
    [
      'a CSR of another department',
      () => ({
        department_id: String(org.departmentId),
        agent_ids: [String(org.otherCsr.id)],
        title: 'Prize',
        amount: '10',
      }),
      'agent_ids',
      'Choose CSRs of this department.',
    ],
    [
      "another manager's department",
      () => ({
        department_id: String(org.otherDepartmentId),
        agent_ids: [String(org.otherCsr.id)],
        title: 'Prize',
        amount: '10',
      }),
      'department_id',
      'No such department of yours.',
    ],
    [
      'an amount that is not money',
      () => ({
        department_id: String(org.departmentId),
        agent_ids: [String(org.csrA.id)],
        title: 'Prize',
        amount: 'abc',
      }),
      'amount',
      'Amount must be a number.',
    ],
    [
      'a negative amount',
      () => ({
        department_id: String(org.departmentId),
        agent_ids: [String(org.csrA.id)],
        title: 'Prize',
        amount: '-5',
      }),
      'amount',
      'Amount must be a number.',
    ],
    [
      'no title',
      () => ({ department_id: String(org.departmentId), agent_ids: [String(org.csrA.id)], title: ' ', amount: '10' }),
      'title',
      'Name the award.',
    ],
  ])('%s: 422 with the message, nothing recorded or charged', async (_name, fields, field, message) => {
    const before = await awardsCount();
    const committed = await committedCents(ctx.deps.db, org.departmentId, '2026-Q4');
    const res = await postForm(manager, '/recognition/awards', fields(), '/recognition');
    expect(res.status).toBe(422);
    const shown =
      field === 'agent_ids' ? /<p class="field-error">([^<]*)<\/p>/.exec(res.text)?.[1] : fieldError(res.text, field);
    expect(shown ?? textOf(res.text)).toContain(message);
    expect(await awardsCount()).toBe(before);
    expect(await committedCents(ctx.deps.db, org.departmentId, '2026-Q4')).toBe(committed);
  });

  test.each([
    ['csrA', 403],
    ['supervisorA', 403],
  ] as const)('%s may not record awards (%i) and nothing is charged', async (who, status) => {
    const before = await awardsCount();
    const agent = await signIn(ctx.app, org[who].username);
    const csrf = await csrfFrom(agent, '/profile');
    const res = await agent
      .post('/recognition/awards')
      .type('form')
      .send({
        _csrf: csrf,
        department_id: String(org.departmentId),
        agent_ids: String(org.csrA.id),
        title: 'Self-award',
        amount: '100',
      });
    expect(res.status).toBe(status);
    expect(await awardsCount()).toBe(before);
  });

  test('a CSR cannot open the recognition page (403) and sees only their own awards', async () => {
    const csr = await signIn(ctx.app, org.csrB.username);
    expect((await csr.get('/recognition')).status).toBe(403);
    const mine = textOf((await csr.get('/training/mine')).text);
    expect(mine).not.toContain('$25 gift card');
    expect(mine).not.toContain('Lunch voucher');
  });
});
