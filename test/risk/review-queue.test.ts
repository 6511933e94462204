import { unscoredCalls } from '../../src/evaluations/queue.queries';
import { DEFAULT_RISK_LIMITS, riskReasons, type RiskQuery } from '../../src/risk';
import type { FullRubric } from '../../src/rubrics/rubrics.queries';
import { makeTestApp, type TestContext } from '../helpers/app';
import { buildOrg, type Org } from '../helpers/builders';
import { signIn } from '../helpers/http';
import { itemNamed, publishedRubric, rubricJson, section, yesNo } from '../helpers/scoring';
import { clockTo, insertCall } from '../sampling/fixtures';

// The review queue driven by the rules: every unscored call carries its risk flags (a critical item failed
// automatically, dead air or overtalk over the limits, low CSAT) with a plain reason; the queue filters by
// them and sorts the most flagged first. Limits (src/risk): dead air > 10 s, overtalk > 5 s, CSAT <= 2.

let ctx: TestContext;
let org: Org;
let rubric: FullRubric;
const ids: Record<string, number> = {};

interface Facts {
  deadAir?: number;
  overtalk?: number;
  csat?: number;
  critical?: 'failed' | 'passed';
  minor?: 'failed';
}

/** Name → facts; the calls start one hour apart in this order, so newest first is the reverse. */
const CALLS: Record<string, Facts> = {
  clean: {},
  critical: { critical: 'failed' },
  criticalPassed: { critical: 'passed', minor: 'failed' },
  deadAir: { deadAir: 12 },
  deadAirAtLimit: { deadAir: 10 },
  overtalk: { overtalk: 6.5 },
  overtalkAtLimit: { overtalk: 5 },
  csat2: { csat: 2 },
  csat3: { csat: 3 },
  twoFlags: { csat: 1, deadAir: 15 },
};

async function analyse(callId: number, facts: Facts) {
  await ctx.deps.db
    .insertInto('call_analyses')
    .values({
      call_id: callId,
      status: 'done',
      enqueued_at: '2026-12-01T00:00:00.000Z',
      run_after: '2026-12-01T00:00:00.000Z',
      dead_air_longest_s: facts.deadAir ?? 1,
      dead_air_total_s: facts.deadAir ?? 1,
      overtalk_total_s: facts.overtalk ?? 0.5,
      overtalk_count: 1,
    })
    .execute();
}

async function autoEvaluate(callId: number, facts: Facts) {
  const row = await ctx.deps.db
    .insertInto('auto_evaluations')
    .values({
      call_id: callId,
      family_id: rubric.id,
      rubric_id: rubric.id,
      team_id: org.teamA,
      agent_id: org.csrA.id,
      call_day: '2026-12-01',
      answered: 2,
      failed: 1,
      score: null,
      raw_score: null,
      passed: null,
      evaluated_at: '2026-12-01T00:00:00.000Z',
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const answer = (prompt: string, failed: boolean) => ({
    auto_evaluation_id: row.id,
    item_id: itemNamed(rubric, prompt).id,
    value: failed ? 'no' : 'yes',
    failed: failed ? 1 : 0,
    reason: 'crafted',
    evidence: '[]',
  });
  await ctx.deps.db
    .insertInto('auto_evaluation_answers')
    .values([answer('Verified the caller', facts.critical === 'failed'), answer('Thanked the caller', !!facts.minor)])
    .execute();
}

beforeAll(async () => {
  ctx = makeTestApp();
  org = await buildOrg(ctx.deps);
  rubric = await publishedRubric(
    ctx.deps,
    rubricJson([section('Call', 1, [yesNo('Verified the caller', { critical: true }), yesNo('Thanked the caller')])]),
  );
  clockTo(ctx, '2026-12-20T12:00:00Z');
  for (const [i, [name, facts]] of Object.entries(CALLS).entries()) {
    const startedAt = new Date(Date.parse('2026-12-02T08:00:00Z') + i * 3_600_000).toISOString();
    const id = await insertCall(ctx.deps, org.csrA, { startedAt, externalId: `risk-${name}` });
    ids[name] = id;
    if (facts.csat !== undefined)
      await ctx.deps.db.updateTable('calls').set({ csat: facts.csat }).where('id', '=', id).execute();
    await analyse(id, facts);
    if (facts.critical) await autoEvaluate(id, facts);
  }
});
afterAll(async () => ctx.close());

const queue = async (risk: Omit<RiskQuery, 'limits'>) =>
  (await unscoredCalls(ctx.deps.db, [org.teamA], 25, undefined, { ...risk, limits: DEFAULT_RISK_LIMITS })).map(
    (c) => c.id,
  );
const named = (...names: string[]) => names.map((n) => ids[n]);
const newestFirst = (names: string[]) => named(...[...names].reverse());

describe('risk filter and order', () => {
  test.each([
    ['critical', ['critical']],
    ['dead_air', ['deadAir', 'twoFlags']],
    ['overtalk', ['overtalk']],
    ['low_csat', ['csat2', 'twoFlags']],
    ['any', ['critical', 'deadAir', 'overtalk', 'csat2', 'twoFlags']],
  ] as const)('risk=%s keeps exactly the flagged calls, newest first (limits are strict)', async (risk, names) => {
    expect(await queue({ risk, sort: 'newest' })).toEqual(newestFirst([...names]));
  });

  test('no filter keeps every call; sort=risk puts the two-flag call first, then the one-flag calls newest first', async () => {
    expect(await queue({ risk: '', sort: 'newest' })).toEqual(newestFirst(Object.keys(CALLS)));
    const sorted = await queue({ risk: '', sort: 'risk' });
    expect(sorted.slice(0, 5)).toEqual([
      ...named('twoFlags'),
      ...newestFirst(['critical', 'deadAir', 'overtalk', 'csat2']),
    ]);
    expect(sorted.slice(5)).toEqual(
      newestFirst(['clean', 'criticalPassed', 'deadAirAtLimit', 'overtalkAtLimit', 'csat3']),
    );
  });

  test('each row says why it is flagged, in plain words', async () => {
    const rows = await unscoredCalls(ctx.deps.db, [org.teamA], 25, undefined, {
      risk: '',
      sort: 'newest',
      limits: DEFAULT_RISK_LIMITS,
    });
    const reasons = new Map(rows.map((r) => [r.id, riskReasons(r, DEFAULT_RISK_LIMITS)]));
    expect(reasons.get(ids.critical)).toEqual(['Critical item failed automatically: “Verified the caller”']);
    expect(reasons.get(ids.twoFlags)).toEqual(['Dead air of 15.0 s (limit 10 s)', 'Low CSAT: 1 of 5 (2 or below)']);
    expect(reasons.get(ids.overtalk)).toEqual(['Overtalk of 6.5 s in all (limit 5 s)']);
    for (const name of ['clean', 'criticalPassed', 'deadAirAtLimit', 'overtalkAtLimit', 'csat3'])
      expect({ name, reasons: reasons.get(ids[name]) }).toEqual({ name, reasons: [] });
  });
});

describe('the queue page', () => {
  test('a supervisor filters by risk and sees the reasons', async () => {
    const supervisor = await signIn(ctx.app, org.supervisorA.username);
    const res = await supervisor.get('/evaluations?risk=dead_air&sort=risk');
    expect(res.status).toBe(200);
    const queueHtml = res.text.slice(res.text.indexOf('id="queue-heading"'), res.text.indexOf('id="drafts-heading"'));
    const linked = [...queueHtml.matchAll(/href="\/calls\/(\d+)"/g)].map((m) => Number(m[1]));
    expect(linked).toEqual(named('twoFlags', 'deadAir'));
    expect(queueHtml).toContain('Dead air of 12.0 s (limit 10 s)');
    expect(queueHtml).toContain('Low CSAT: 1 of 5 (2 or below)');
    expect(queueHtml).toMatch(/<option value="dead_air" selected>/);
  });

  test.each([['risk=everything'], ['sort=oldest'], ['risk=any&risk=critical']])(
    '?%s is refused with a 422 and a plain sentence',
    async (query) => {
      const supervisor = await signIn(ctx.app, org.supervisorA.username);
      const res = await supervisor.get(`/evaluations?${query}`);
      expect(res.status).toBe(422);
      expect(res.text).toMatch(/Risk is any|Sort by newest or risk/);
      expect(res.text).not.toMatch(/at .*\.ts:\d+/);
    },
  );

  test('silent monitoring: a CSR gets no queue, and no trace of a flag on their own pages', async () => {
    const csr = await signIn(ctx.app, org.csrA.username);
    for (const path of ['/evaluations', '/evaluations?risk=any', '/evaluations?sort=risk']) {
      const res = await csr.get(path);
      expect({ path, status: res.status }).toEqual({ path, status: 403 });
      expect(res.text).not.toMatch(/flag|dead air|overtalk|critical/i);
    }
    for (const path of ['/', '/scorecards']) {
      const res = await csr.get(path);
      expect(res.status).toBe(200);
      expect(res.text).not.toMatch(/flagged|risk|dead air|overtalk/i);
    }
  });
});
