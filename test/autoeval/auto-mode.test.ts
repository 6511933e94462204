import { AutoEvaluationRunner } from '../../src/autoeval';
import type { FullRubric } from '../../src/rubrics';
import { callWav } from '../analysis/jobs-fixtures';
import { callFields, pushCall, recordingFile } from '../calls/fixtures';
import { makeTestApp, type TestContext } from '../helpers/app';
import { buildOrg, type Org } from '../helpers/builders';
import { postForm, signIn } from '../helpers/http';
import { rubricJson, section, yesNo } from '../helpers/scoring';
import {
  GREETING,
  HOLD,
  MANAGER,
  as,
  callWithTranscript,
  greeted,
  itemId,
  notGreeted,
  publish,
  sendTranscript,
  tokensFor,
  type Tokens,
} from './fixtures';

// Auto mode (DOMAIN.md, Automatic analysis): a rubric in auto mode scores every analysed call with no person,
// kept apart from scorecards, never released to the CSR and never making a coaching task; redone when the
// transcript changes or a new version is published; idempotent, and what a crash leaves is finished later.

jest.setTimeout(60_000);

let ctx: TestContext;
let org: Org;
let tokens: Tokens;
let auto: FullRubric;
let suggestOnly: FullRubric;

const run = (runner = new AutoEvaluationRunner()) => runner.run(ctx.deps);

async function autoRows(callId: number) {
  return ctx.deps.db.selectFrom('auto_evaluations').selectAll().where('call_id', '=', callId).execute();
}

async function answersOf(autoEvaluationId: number) {
  return ctx.deps.db
    .selectFrom('auto_evaluation_answers')
    .selectAll()
    .where('auto_evaluation_id', '=', autoEvaluationId)
    .orderBy('item_id')
    .execute();
}

/** The daily sums recounted from the stored answers: they must equal the roll-up rows exactly. */
async function sumsMatchRows(): Promise<void> {
  const db = ctx.deps.db;
  const items = await db.selectFrom('auto_item_day').selectAll().where('answered', '!=', 0).execute();
  const answers = await db
    .selectFrom('auto_evaluation_answers as a')
    .innerJoin('auto_evaluations as e', 'e.id', 'a.auto_evaluation_id')
    .select(['e.rubric_id', 'e.call_day', 'e.team_id', 'e.agent_id', 'a.item_id', 'a.failed'])
    .where('a.failed', 'is not', null)
    .execute();
  const recount = new Map<string, { answered: number; failed: number }>();
  for (const a of answers) {
    const key = [a.rubric_id, a.call_day, a.team_id ?? 0, a.agent_id ?? 0, a.item_id].join('|');
    const sum = recount.get(key) ?? { answered: 0, failed: 0 };
    sum.answered += 1;
    sum.failed += a.failed ?? 0;
    recount.set(key, sum);
  }
  const stored = new Map(
    items.map((r) => [
      [r.rubric_id, r.day, r.team_id, r.agent_id, r.item_id].join('|'),
      { answered: r.answered, failed: r.failed },
    ]),
  );
  expect(stored).toEqual(recount);
  const calls = await db.selectFrom('auto_call_day').selectAll().where('evaluated', '!=', 0).execute();
  const evaluations = await db.selectFrom('auto_evaluations').selectAll().execute();
  const total = calls.reduce((s, r) => s + r.evaluated, 0);
  expect(total).toBe(evaluations.length);
  expect(calls.reduce((s, r) => s + r.answered, 0)).toBe(evaluations.filter((e) => e.answered > 0).length);
}

beforeAll(async () => {
  ctx = makeTestApp();
  org = await buildOrg(ctx.deps);
  tokens = await tokensFor(ctx, org, ['admin', 'supervisorA', 'csrA']);
  auto = await publish(
    ctx,
    tokens.admin ?? '',
    rubricJson(
      [
        section('Opening', 1, [{ ...yesNo('Greeted'), auto: GREETING } as never]),
        section('Flow', 1, [
          { ...yesNo('No manager asked for'), auto: MANAGER } as never,
          { ...yesNo('Short hold', { critical: true }), auto: HOLD } as never,
        ]),
      ],
      { auto_mode: 'auto', pass_threshold: 75 } as never,
    ),
  );
  suggestOnly = await publish(
    ctx,
    tokens.admin ?? '',
    rubricJson([section('Opening', 1, [{ ...yesNo('Greeted'), auto: GREETING } as never])], {
      auto_mode: 'suggest',
    } as never),
  );
});
afterAll(async () => ctx.close());

describe('auto mode', () => {
  test('an analysed call gets one automatic evaluation per auto rubric, with reasons, evidence and the DOMAIN score', async () => {
    const id = await callWithTranscript(ctx, tokens.supervisorA ?? '', org.csrA.username, greeted);
    expect((await run()).evaluated).toBeGreaterThanOrEqual(1);
    const rows = await autoRows(id);
    expect(rows.map((r) => r.rubric_id)).toEqual([auto.id]);
    const [row] = rows;
    if (!row) throw new Error('no automatic evaluation');
    expect(row).toMatchObject({ answered: 3, failed: 0, score: 100, passed: 1, critical_failed: 0 });
    expect(row.agent_id).toBe(org.csrA.id);
    const answers = await answersOf(row.id);
    const greeting = answers.find((a) => a.item_id === itemId(auto, 'Greeted'));
    expect(greeting).toMatchObject({ value: 'yes', failed: 0, reason: 'Agent said “thank you for calling” at 0:00' });
    expect(JSON.parse(greeting?.evidence ?? '[]')).toEqual([
      expect.objectContaining({ kind: 'line', start_s: 0.5, end_s: 3.5, speaker: 'agent' }),
    ]);
    // Kept apart from scorecards: no evaluation, no coaching task, the call still counts as not scored.
    const evaluations = await ctx.deps.db.selectFrom('evaluations').select('id').where('call_id', '=', id).execute();
    expect(evaluations).toEqual([]);
    const tasks = await ctx.deps.db.selectFrom('coaching_tasks').select('id').execute();
    expect(tasks).toEqual([]);
    const call = await ctx.deps.db
      .selectFrom('calls')
      .select('evaluation_count')
      .where('id', '=', id)
      .executeTakeFirst();
    expect(call?.evaluation_count).toBe(0);
    await sumsMatchRows();
  });

  test('a critical item failed automatically gives 0 with the raw score kept; no coaching task', async () => {
    const id = await callWithTranscript(ctx, tokens.supervisorA ?? '', org.csrA.username, notGreeted, {
      hold_s: '300',
    });
    await run();
    const [row] = await autoRows(id);
    expect(row).toMatchObject({ answered: 3, failed: 3, score: 0, raw_score: 0, passed: 0, critical_failed: 1 });
    expect(await ctx.deps.db.selectFrom('coaching_tasks').select('id').execute()).toEqual([]);
    await sumsMatchRows();
  });

  test('a call not analysed (no transcript, no recording) gets none; a suggest-mode rubric never scores on its own', async () => {
    const id = await callWithTranscript(ctx, tokens.supervisorA ?? '', org.csrA.username, null);
    await run();
    expect(await autoRows(id)).toEqual([]);
    const bySuggest = await ctx.deps.db
      .selectFrom('auto_evaluations')
      .select('id')
      .where('rubric_id', '=', suggestOnly.id)
      .execute();
    expect(bySuggest).toEqual([]);
  });

  test('a replaced transcript is queued in its own commit and redone; running again changes nothing', async () => {
    const id = await callWithTranscript(ctx, tokens.supervisorA ?? '', org.csrA.username, greeted);
    await run();
    const before = await autoRows(id);
    await sendTranscript(ctx, tokens.supervisorA ?? '', id, notGreeted);
    const queued = await ctx.deps.db.selectFrom('auto_evaluation_queue').selectAll().execute();
    expect(queued.map((q) => q.call_id)).toEqual([id]);
    // A fresh runner, as after a crash and restart: the queue row survived, the call is redone once.
    await run(new AutoEvaluationRunner());
    const after = await autoRows(id);
    expect(after).toHaveLength(1);
    expect(after[0]?.id).toBe(before[0]?.id);
    expect(after[0]).toMatchObject({ answered: 3, failed: 2 });
    expect(await ctx.deps.db.selectFrom('auto_evaluation_queue').selectAll().execute()).toEqual([]);
    await sumsMatchRows();
    const again = await run(new AutoEvaluationRunner());
    expect(again.evaluated).toBe(0);
    expect(await autoRows(id)).toEqual(after);
    await sumsMatchRows();
  });

  test('a finished audio analysis queues the call in its commit; rules without a transcript answer only what they can', async () => {
    const audio = callWav({ seconds: 6, agent: [[0, 2]], customer: [[3, 5]] });
    const fields = callFields(org.csrA.username, { hold_s: '10', duration_s: '6' });
    const res = await pushCall(ctx.app, tokens.supervisorA ?? '', fields, [recordingFile(audio, 'call.wav')]);
    expect(res.status).toBe(201);
    const id = (res.body as { id: number }).id;
    await ctx.deps.analysis.drain(ctx.deps);
    const queued = await ctx.deps.db.selectFrom('auto_evaluation_queue').select('call_id').execute();
    expect(queued.map((q) => q.call_id)).toEqual([id]);
    await run();
    const [row] = await autoRows(id);
    if (!row) throw new Error('no automatic evaluation');
    // Only the hold rule answers (from the call record); no transcript leaves the phrase rules open, not "no".
    expect(row).toMatchObject({ answered: 1, failed: 0, score: null, passed: null });
    const answers = await answersOf(row.id);
    expect(answers.find((a) => a.item_id === itemId(auto, 'Greeted'))?.value).toBeNull();
    expect(answers.find((a) => a.item_id === itemId(auto, 'Short hold'))?.value).toBe('yes');
    await sumsMatchRows();
  });

  test('publishing a new version redoes every call by it, one evaluation per call and family', async () => {
    const admin = await signIn(ctx.app, org.admin.username);
    const res = await postForm(admin, `/rubrics/${auto.id}/new-version`, {});
    expect(res.status).toBe(303);
    const v2 = Number(/\/rubrics\/(\d+)\/edit$/.exec(res.headers.location as string)?.[1]);
    expect((await as(ctx, tokens.admin).post(`/api/v1/rubrics/${v2}/publish`, {})).status).toBe(200);
    const calls = await ctx.deps.db.selectFrom('auto_evaluations').select('call_id').execute();
    await run();
    const rows = await ctx.deps.db.selectFrom('auto_evaluations').selectAll().execute();
    expect(rows.map((r) => r.call_id).sort()).toEqual(calls.map((c) => c.call_id).sort());
    expect(new Set(rows.map((r) => r.rubric_id))).toEqual(new Set([v2]));
    const oldSums = await ctx.deps.db
      .selectFrom('auto_item_day')
      .selectAll()
      .where('rubric_id', '=', auto.id)
      .where('answered', '!=', 0)
      .execute();
    expect(oldSums).toEqual([]);
    await sumsMatchRows();
  });

  test('the call page shows the automatic evaluation to a supervisor; a CSR sees no trace anywhere', async () => {
    const id = await callWithTranscript(ctx, tokens.supervisorA ?? '', org.csrA.username, notGreeted);
    await run();
    const supervisor = await signIn(ctx.app, org.supervisorA.username);
    const page = await supervisor.get(`/calls/${id}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('Automatic evaluation');
    expect(page.text).toContain('Customer said “speak to a manager”');
    const csr = await signIn(ctx.app, org.csrA.username);
    expect((await csr.get(`/calls/${id}`)).status).toBe(404);
    for (const path of ['/', '/evaluations', '/coaching']) {
      const res = await csr.get(path);
      expect(res.text).not.toMatch(/automatic|auto-evaluation|speak to a manager/i);
    }
    const list = await as(ctx, tokens.csrA).get('/api/v1/evaluations');
    expect(list.status).toBe(200);
    expect(list.body.items).toEqual([]);
    expect((await as(ctx, tokens.csrA).get(`/api/v1/calls/${id}`)).status).toBe(404);
  });
});
