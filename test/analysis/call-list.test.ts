// The call list (page and API) and the calls CSV export with the analysis figures: columns, and filters on talk
// ratio, longest dead air and overtalk. Mono calls have no talk ratio or overtalk, so a range on them excludes it.
import request from 'supertest';
import { makeTestApp, type TestContext } from '../helpers/app';
import { buildOrg, type Org } from '../helpers/builders';
import { signIn } from '../helpers/http';
import { csvRows } from '../helpers/reports';
import { api } from '../helpers/scoring';
import { callWav, pushRecordedCall, STANDARD_CALL, tokenFor } from './jobs-fixtures';

jest.setTimeout(60_000);

let ctx: TestContext;
let org: Org;
let supervisor: ReturnType<typeof api>;
const ids: Record<'talky' | 'mono' | 'quiet' | 'waiting', number> = { talky: 0, mono: 0, quiet: 0, waiting: 0 };

beforeAll(async () => {
  ctx = makeTestApp();
  org = await buildOrg(ctx.deps);
  const token = await tokenFor(ctx.app, org.supervisorA.username);
  supervisor = api(ctx.app, token);
  const push = (audio: Buffer) => pushRecordedCall(ctx.app, token, org.csrA.username, audio);
  // Agent 74% of the talk, 0.5 s of overtalk, longest dead air 2 s.
  ids.talky = await push(callWav(STANDARD_CALL));
  // Mono: longest dead air 3 s, no talk ratio, no overtalk.
  ids.mono = await push(callWav({ ...STANDARD_CALL, channels: 1 }));
  // Agent 2 s of 9 (22%), 1 s of overtalk, 6 s of dead air at the end.
  ids.quiet = await push(callWav({ seconds: 14, agent: [[0, 2]], customer: [[1, 8]] }));
  await ctx.deps.analysis.drain(ctx.deps);
  ids.waiting = await push(callWav(STANDARD_CALL));
});
afterAll(async () => ctx.close());

async function listed(query: string): Promise<number[]> {
  const res = await supervisor.get(`/api/v1/calls?${query}`);
  expect(res.status).toBe(200);
  return (res.body as { items: Array<{ id: number }> }).items.map((c) => c.id).sort((a, b) => a - b);
}

const sorted = (...values: number[]) => [...values].sort((a, b) => a - b);

test.each([
  ['min_talk_ratio=0.5', ['talky']],
  ['max_talk_ratio=0.5', ['quiet']],
  ['min_talk_ratio=0&max_talk_ratio=1', ['talky', 'quiet']],
  ['min_dead_air=2.5', ['mono', 'quiet']],
  ['min_dead_air=5', ['quiet']],
  ['min_overtalk=0.8', ['quiet']],
  ['min_overtalk=0', ['talky', 'quiet']],
  ['analysis=done', ['talky', 'mono', 'quiet']],
  ['analysis=pending', ['waiting']],
  ['analysis=failed', []],
] as const)('the API list filtered by %s', async (query, expected) => {
  expect(await listed(query)).toEqual(sorted(...expected.map((name) => ids[name])));
});

test.each(['min_talk_ratio=2', 'max_talk_ratio=-0.1', 'min_dead_air=abc', 'min_overtalk=-1', 'analysis=maybe'])(
  'a bad filter %s is a 422, never a 500',
  async (query) => {
    const res = await supervisor.get(`/api/v1/calls?${query}`);
    expect(res.status).toBe(422);
  },
);

test('the list page shows the figures in their columns and filters on them', async () => {
  const page = await signIn(ctx.app, org.supervisorA.username);
  const all = await page.get('/calls');
  expect(all.status).toBe(200);
  expect(all.text).toContain('<th scope="col" class="num" title="The agent\'s share of all speech">Talk</th>');
  expect(all.text).toMatch(/data-figure="talk_ratio">74%</);
  expect(all.text).toMatch(/data-figure="talk_ratio">mono</);
  expect(all.text).toMatch(/data-figure="dead_air">6\.0 s</);
  expect(all.text).toMatch(/being analysed/);
  const filtered = await page.get('/calls?min_overtalk=0.8');
  expect(filtered.text).toMatch(/<strong>1<\/strong> call match/);
  expect(filtered.text).toContain(`href="/calls/${ids.quiet}"`);
  const bad = await page.get('/calls?min_talk_ratio=7');
  expect(bad.status).toBe(422);
  expect(bad.text).toMatch(/at most 1/);
});

test('the calls CSV export carries the analysis state and figures', async () => {
  const page = await signIn(ctx.app, org.supervisorA.username);
  const res = await page.get('/reports/calls.csv?from=2026-11-01&to=2026-11-30');
  expect(res.status).toBe(200);
  const [header, ...rows] = csvRows(res.text);
  const col = (name: string) => (header ?? []).indexOf(name);
  for (const name of [
    'analysis',
    'talk_ratio',
    'overtalk_s',
    'overtalk_count',
    'dead_air_total_s',
    'dead_air_longest_s',
  ]) {
    expect(col(name)).toBeGreaterThan(0);
  }
  const row = (id: number) => rows.find((r) => Number(r[0]) === id) ?? [];
  expect(row(ids.talky)[col('analysis')]).toBe('done');
  expect(Number(row(ids.talky)[col('talk_ratio')])).toBeCloseTo(0.74, 1);
  expect(Number(row(ids.quiet)[col('dead_air_longest_s')])).toBeCloseTo(6, 0);
  expect(row(ids.mono)[col('talk_ratio')]).toBe('');
  expect(row(ids.mono)[col('overtalk_s')]).toBe('');
  expect(row(ids.waiting)[col('analysis')]).toBe('pending');
  expect(row(ids.waiting)[col('dead_air_longest_s')]).toBe('');
  expect((await request(ctx.app).get('/reports/calls.csv')).status).toBe(401);
});
