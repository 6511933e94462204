import { makeTestApp, type TestContext } from '../helpers/app';
import { buildOrg, type Org } from '../helpers/builders';
import { signIn } from '../helpers/http';
import { GREETING, callWithTranscript, greeted, notGreeted, tokensFor, type Tokens } from './fixtures';

// The builder's dry run: what a rule would answer on the last 50 analysed calls the person sees, with links;
// a rule that is not one is a 422 in JSON; a CSR finds nothing (404).

jest.setTimeout(60_000);

let ctx: TestContext;
let org: Org;
let tokens: Tokens;
const ids: Record<string, number> = {};

beforeAll(async () => {
  ctx = makeTestApp();
  org = await buildOrg(ctx.deps);
  tokens = await tokensFor(ctx, org, ['supervisorA', 'supervisorB']);
  ids.greeted = await callWithTranscript(ctx, tokens.supervisorA ?? '', org.csrA.username, greeted);
  ids.notGreeted = await callWithTranscript(ctx, tokens.supervisorA ?? '', org.csrA.username, notGreeted);
  ids.bare = await callWithTranscript(ctx, tokens.supervisorA ?? '', org.csrA.username, null);
  ids.teamB = await callWithTranscript(ctx, tokens.supervisorB ?? '', org.csrB.username, greeted);
});
afterAll(async () => ctx.close());

const url = (rule: unknown) => `/autoqa/dry-run?rule=${encodeURIComponent(JSON.stringify(rule))}`;

describe('GET /autoqa/dry-run', () => {
  test('an admin sees each analysed call answered by the rule, with its reason and a link; unanalysed calls are left out', async () => {
    const admin = await signIn(ctx.app, org.admin.username);
    const res = await admin.get(url(GREETING));
    expect(res.status).toBe(200);
    expect(res.body.counts).toEqual({ then: 2, else: 1, none: 0 });
    const byCall = new Map(res.body.calls.map((c: { call_id: number }) => [c.call_id, c]));
    expect(byCall.has(ids.bare)).toBe(false);
    expect(byCall.get(ids.notGreeted)).toMatchObject({
      branch: 'else',
      answer: 'no',
      url: `/calls/${ids.notGreeted}`,
    });
    expect(byCall.get(ids.greeted)).toMatchObject({
      branch: 'then',
      answer: 'yes',
      reason: 'Agent said “thank you for calling” at 0:00',
    });
  });

  test('a supervisor sees only the calls of their teams; a dead-air rule on a call whose audio was never analysed is open, not "no"', async () => {
    const supervisor = await signIn(ctx.app, org.supervisorB.username);
    const res = await supervisor.get(url({ when: { dead_air_over_s: 10 }, then: 'no', else: 'yes' }));
    expect(res.status).toBe(200);
    expect(res.body.calls.map((c: { call_id: number }) => c.call_id)).toEqual([ids.teamB]);
    expect(res.body.counts).toEqual({ then: 0, else: 0, none: 1 });
  });

  test('a rule that is not one is a 422 with a message in JSON', async () => {
    const admin = await signIn(ctx.app, org.admin.username);
    for (const bad of ['/autoqa/dry-run', '/autoqa/dry-run?rule=%7Bnot%20json', url({ when: { nope: 1 } })]) {
      const res = await admin.get(bad);
      expect(res.status).toBe(422);
      expect(res.body.error.code).toBe('validation_failed');
      expect(res.body.error.message).toEqual(expect.any(String));
    }
  });

  test('a CSR gets 404 and no trace', async () => {
    const csr = await signIn(ctx.app, org.csrA.username);
    const res = await csr.get(url(GREETING));
    expect(res.status).toBe(404);
    expect(res.text).not.toMatch(/thank you|dry run|automatic/i);
  });
});
