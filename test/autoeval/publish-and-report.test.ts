import { AutoEvaluationRunner, type RunResult } from '../../src/autoeval';
import { makeTestApp, type TestContext } from '../helpers/app';
import { buildOrg, type Org } from '../helpers/builders';
import { rubricJson, section, yesNo } from '../helpers/scoring';
import {
  GREETING,
  as,
  callWithTranscript,
  greeted,
  itemId,
  notGreeted,
  publish,
  tokensFor,
  type Tokens,
} from './fixtures';

// Publishing a rubric version starts the auto-mode runner at once (the rubricPublished hook), and
// GET /api/v1/reports/auto-qa counts answered/failed from the stored automatic evaluations, not by running the
// rules again at request time: taking the stored rows away takes the counts away.

jest.setTimeout(60_000);

let ctx: TestContext;
let org: Org;
let tokens: Tokens;

beforeAll(async () => {
  ctx = makeTestApp();
  org = await buildOrg(ctx.deps);
  tokens = await tokensFor(ctx, org, ['admin', 'supervisorA']);
});
afterAll(async () => ctx.close());

test('publishing runs the auto evaluations at once, and the report reads what they stored', async () => {
  const greetedCall = await callWithTranscript(ctx, tokens.supervisorA ?? '', org.csrA.username, greeted);
  const other = await callWithTranscript(ctx, tokens.supervisorA ?? '', org.csrA.username, notGreeted);
  const runner = new AutoEvaluationRunner();
  const runs: Array<Promise<RunResult>> = [];
  ctx.deps.rubricPublished = [() => void runs.push(runner.run(ctx.deps))];
  const rubric = await publish(
    ctx,
    tokens.admin ?? '',
    rubricJson([section('Opening', 1, [{ ...yesNo('Greeted'), auto: GREETING } as never])], {
      auto_mode: 'auto',
    } as never),
  );
  expect(runs).toHaveLength(1);
  await Promise.all(runs);
  const stored = await ctx.deps.db
    .selectFrom('auto_evaluations')
    .select(['call_id', 'failed'])
    .where('rubric_id', '=', rubric.id)
    .orderBy('call_id')
    .execute();
  expect(stored).toEqual([
    { call_id: greetedCall, failed: 0 },
    { call_id: other, failed: 1 },
  ]);

  const starts = await ctx.deps.db
    .selectFrom('calls')
    .select('started_at')
    .where('id', 'in', [greetedCall, other])
    .execute();
  const from = starts.map((s) => s.started_at.slice(0, 10)).sort()[0];
  const to = new Date(Date.parse(from) + 2 * 86_400_000).toISOString().slice(0, 10);
  const report = async () => {
    const res = await as(ctx, tokens.admin).get(`/api/v1/reports/auto-qa?rubric_id=${rubric.id}&from=${from}&to=${to}`);
    expect(res.status).toBe(200);
    const items = (res.body as { items: Array<{ item_id: number; answered: number; failed: number }> }).items;
    return items.find((i) => i.item_id === itemId(rubric, 'Greeted'));
  };
  expect(await report()).toMatchObject({ answered: 2, failed: 1, fail_rate: 0.5 });

  await ctx.deps.db.deleteFrom('auto_evaluation_answers').execute();
  await ctx.deps.db.deleteFrom('auto_evaluations').execute();
  expect(await report()).toMatchObject({ answered: 0, failed: 0, fail_rate: null });
});
