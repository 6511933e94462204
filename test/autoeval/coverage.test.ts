import { AutoEvaluationRunner } from '../../src/autoeval';
import { wilsonInterval } from '../../src/autoqa';
import type { FullRubric } from '../../src/rubrics';
import { makeTestApp, type TestContext } from '../helpers/app';
import { buildOrg, type Org } from '../helpers/builders';
import { signIn } from '../helpers/http';
import { rubricJson, section, yesNo } from '../helpers/scoring';
import {
  GREETING,
  MANAGER,
  as,
  callWithTranscript,
  greeted,
  itemId,
  notGreeted,
  publish,
  tokensFor,
  type Tokens,
} from './fixtures';

// The coverage report: calls, analysed, answered automatically; per item the automatic fail rate beside the
// human one, per team and CSR, with 95% Wilson intervals; page and CSV; nothing for a CSR (404).

jest.setTimeout(60_000);

let ctx: TestContext;
let org: Org;
let tokens: Tokens;
let rubric: FullRubric;

const DAY = '2026-11-20';

beforeAll(async () => {
  ctx = makeTestApp();
  org = await buildOrg(ctx.deps);
  tokens = await tokensFor(ctx, org, ['admin', 'supervisorA', 'supervisorB', 'csrA']);
  rubric = await publish(
    ctx,
    tokens.admin ?? '',
    rubricJson(
      [
        section('All', 1, [
          { ...yesNo('Greeted'), auto: GREETING } as never,
          { ...yesNo('No manager asked for'), auto: MANAGER } as never,
          yesNo('Was kind'),
        ]),
      ],
      { auto_mode: 'auto' } as never,
    ),
  );
  const sup = tokens.supervisorA ?? '';
  // Team A: three greeted calls, one not (which also asks for a manager); team B: one not greeted.
  for (let i = 0; i < 3; i += 1) await callWithTranscript(ctx, sup, org.csrA.username, greeted);
  const scored = await callWithTranscript(ctx, sup, org.csrA.username, notGreeted);
  await callWithTranscript(ctx, tokens.supervisorB ?? '', org.csrB.username, notGreeted);
  await callWithTranscript(ctx, sup, org.csrA.username, null);
  await new AutoEvaluationRunner().run(ctx.deps);
  // A person scores one call: greeted "yes" (disagreeing with the rule), manager "no", kind "yes".
  const res = await as(ctx, sup).post('/api/v1/evaluations', {
    call_id: scored,
    rubric_id: rubric.id,
    submit: true,
    answers: [
      { item_id: itemId(rubric, 'Greeted'), value: 'yes' },
      { item_id: itemId(rubric, 'No manager asked for'), value: 'no', comment: 'asked for a manager' },
      { item_id: itemId(rubric, 'Was kind'), value: 'yes' },
    ],
  });
  expect(res.status).toBe(201);
});
afterAll(async () => ctx.close());

const range = `from=${DAY}&to=${DAY}`;

describe('coverage report', () => {
  test('counts, per-item rates with Wilson intervals, automatic beside human, per team', async () => {
    const admin = await signIn(ctx.app, org.admin.username);
    const page = await admin.get(`/reports/coverage?${range}&rubric_id=${rubric.id}`);
    expect(page.status).toBe(200);
    expect(page.text).toMatch(/data-figure="calls">6</);
    expect(page.text).toMatch(/data-figure="analysed">5 /);
    expect(page.text).toMatch(/data-figure="answered">5 /);
    const greetedRow = new RegExp(
      `data-item="${itemId(rubric, 'Greeted')}"><td>Greeted</td>\\s*<td class="num">40.0% <small>\\(2 of 5\\)</small>`,
    );
    expect(page.text).toMatch(greetedRow);
    const interval = wilsonInterval(2, 5);
    expect(page.text).toContain(
      `${((interval?.low ?? 0) * 100).toFixed(1)}–${((interval?.high ?? 0) * 100).toFixed(1)}%`,
    );
    // The item without a rule is not in the report.
    expect(page.text).not.toContain('Was kind');
  });

  test('the CSV has the same figures for all, each team and each CSR; a date-time range reads the rows alike', async () => {
    const supervisor = await signIn(ctx.app, org.admin.username);
    const csv = await supervisor.get(`/reports/coverage.csv?${range}&rubric_id=${rubric.id}`);
    expect(csv.status).toBe(200);
    expect(csv.headers['content-type']).toMatch(/text\/csv/);
    const lines = csv.text.trim().split(/\r?\n/);
    expect(lines[0]).toBe(
      'level,id,name,analysed_calls,auto_answered_calls,item_id,item,auto_answered,auto_failed,auto_fail_pct,auto_ci_low_pct,auto_ci_high_pct,human_answered,human_failed,human_fail_pct,human_ci_low_pct,human_ci_high_pct',
    );
    const greetedId = itemId(rubric, 'Greeted');
    const managerId = itemId(rubric, 'No manager asked for');
    const all = lines.find((l) => l.startsWith(`all,,All,5,5,${greetedId},`));
    expect(all).toMatch(/,5,2,40\.0,[\d.]+,[\d.]+,1,0,0\.0,/);
    const teamA = lines.find((l) => l.startsWith(`team,${org.teamA},`) && l.includes(`,${managerId},`));
    expect(teamA).toMatch(/,4,4,/);
    expect(teamA).toMatch(/,4,1,25\.0,[\d.]+,[\d.]+,1,1,100\.0,/);
    const csrB = lines.find((l) => l.startsWith(`csr,${org.csrB.id},`) && l.includes(`,${greetedId},`));
    expect(csrB).toMatch(/,1,1,100\.0,/);
    const rows = await supervisor.get(
      `/reports/coverage.csv?from=${DAY}T00:00:00Z&to=${DAY}T23:59:59Z&rubric_id=${rubric.id}`,
    );
    expect(rows.status).toBe(200);
    expect(rows.text.trim().split(/\r?\n/).slice(1)).toEqual(lines.slice(1));
  });

  test('a supervisor sees only their teams', async () => {
    const supervisor = await signIn(ctx.app, org.supervisorA.username);
    const csv = await supervisor.get(`/reports/coverage.csv?${range}&rubric_id=${rubric.id}`);
    expect(csv.status).toBe(200);
    expect(csv.text).toContain(`all,,All,4,4,`);
    expect(csv.text).not.toContain(`team,${org.teamB},`);
    const other = await supervisor.get(`/reports/coverage?${range}&team_id=${org.teamB}`);
    expect(other.status).toBe(404);
  });

  test('bad input is a 422 with a message, never a 500', async () => {
    const admin = await signIn(ctx.app, org.admin.username);
    for (const query of ['rubric_id=abc', 'from=2026-02-30', 'rubric_id=-4']) {
      const res = await admin.get(`/reports/coverage?${query}`);
      expect(res.status).toBe(422);
    }
    expect((await admin.get(`/reports/coverage?rubric_id=999999`)).status).toBe(404);
  });

  test('a CSR finds no coverage page or CSV, and no link to it (404, silent monitoring)', async () => {
    const csr = await signIn(ctx.app, org.csrA.username);
    for (const path of ['/reports/coverage', '/reports/coverage.csv', `/reports/coverage?rubric_id=${rubric.id}`]) {
      const res = await csr.get(path);
      expect(res.status).toBe(404);
      expect(res.text).not.toMatch(/coverage|automatic/i);
    }
    const home = await csr.get('/');
    expect(home.text).not.toMatch(/coverage/i);
  });
});
