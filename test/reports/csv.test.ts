import { makeTestApp, type TestContext } from '../helpers/app';
import { buildOrg, type Org } from '../helpers/builders';
import { signIn, type Agent } from '../helpers/http';
import {
  asDuration,
  csvRows,
  handCountedCalls,
  insertCall,
  insertCalls,
  seedQualityFixture,
  submitEvaluation,
  tableAfter,
  type CallFixture,
} from '../helpers/reports';
import { api, itemNamed, publishedRubric, rubricJson, section, tokenFor, yesNo, type Api } from '../helpers/scoring';

// CSV downloads: each table's CSV holds the rows and figures of the table on the page; the calls export
// holds exactly the calls of the filter, in order, streamed in keyset pages; text that a spreadsheet would
// run as a formula is neutralised.

let ctx: TestContext;
let org: Org;
let sup: Agent;
let manager: Agent;
let supApi: Api;
/** The 2,600 bulk calls of 10–12 November, as [started_at, id], in the order the export must give them. */
let bulk: Array<[string, number]>;

const INJECTIONS = ['=HYPERLINK("http://evil.example","click")', '+SUM(1,2)', '-2+3', '@cmd'];
const RUBRIC_NAME = '=cmd|" /C calc"!A0';

beforeAll(async () => {
  ctx = makeTestApp();
  org = await buildOrg(ctx.deps);
  supApi = api(ctx.app, await tokenFor(ctx.deps, org.supervisorA));
  await insertCalls(ctx.deps, handCountedCalls(org.csrA, org.csrA2, org.teamA));
  await seedQualityFixture(ctx.deps, org, {
    supervisorA: supApi,
    supervisorB: api(ctx.app, await tokenFor(ctx.deps, org.supervisorB)),
    manager: api(ctx.app, await tokenFor(ctx.deps, org.manager)),
    otherSupervisor: api(ctx.app, await tokenFor(ctx.deps, org.otherSupervisor)),
  });
  bulk = await seedBulkCalls();
  // The next day (24 November), so the quality figures of the 23rd stay those of the fixture.
  ctx.clock.advance(86_400_000);
  await seedInjections();
  sup = await signIn(ctx.app, org.supervisorA.username);
  manager = await signIn(ctx.app, org.manager.username);
});
afterAll(async () => ctx.close());

/**
 * 2,600 team A calls over 13 instants (200 calls share each start time) inserted in a shuffled order, so ids
 * do not follow time and the export's 1,000-row keyset pages end in the middle of a run of equal times;
 * plus calls just outside the period and another department's calls inside it.
 */
async function seedBulkCalls(): Promise<Array<[string, number]>> {
  const instants = Array.from({ length: 13 }, (_, i) =>
    new Date(Date.parse('2026-11-10T00:00:00.000Z') + i * 5 * 3_600_000).toISOString(),
  );
  const fixtures: CallFixture[] = [];
  for (let i = 0; i < 2600; i += 1) {
    // A fixed permutation of the instants (7 is coprime with 13) stands in for a shuffle.
    const instant = instants[(i * 7) % 13];
    fixtures.push({ started_at: instant, agent: i % 3 === 0 ? org.csrA2 : org.csrA, queue_wait_s: i % 60 });
  }
  const ids = await insertCalls(ctx.deps, fixtures);
  await insertCalls(ctx.deps, [
    { started_at: '2026-11-09T23:59:59.999Z', agent: org.csrA },
    { started_at: '2026-11-13T00:00:00.000Z', agent: org.csrA },
    { started_at: '2026-11-11T12:00:00.000Z', agent: org.otherCsr },
    { started_at: '2026-11-11T12:00:00.000Z', agent: org.csrB },
  ]);
  return fixtures
    .map((f, i): [string, number] => [f.started_at, ids[i]])
    .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] - b[1]));
}

/** Calls on 15 November and a scorecard (submitted on the 24th) whose texts start like formulas. */
async function seedInjections(): Promise<void> {
  for (const [i, text] of INJECTIONS.entries()) {
    await insertCall(ctx.deps, {
      started_at: `2026-11-15T0${i}:00:00.000Z`,
      agent: org.csrA,
      external_id: text,
      category: text,
    });
  }
  const rubric = await publishedRubric(
    ctx.deps,
    rubricJson([section('Main', 1, [yesNo('@risky item')])], { name: RUBRIC_NAME }),
  );
  const call = await insertCall(ctx.deps, { started_at: '2026-11-15T09:00:00.000Z', agent: org.csrA });
  await submitEvaluation(supApi, call, rubric, [{ item_id: itemNamed(rubric, '@risky item').id, value: 'no' }]);
}

/** The service level CSV row written the way the page shows it. */
function serviceRowAsShown(row: string[]): string[] {
  const [bucket, offered, within, abandoned, level, abandonRate, wait, hold] = row;
  const seconds = (v: string) => (v === '' ? '—' : asDuration(Number(v)));
  return [
    bucket === 'total' ? 'Total' : bucket,
    offered,
    within,
    abandoned,
    level === '' ? 'no calls' : `${level}%`,
    abandonRate === '' ? '—' : `${abandonRate}%`,
    seconds(wait),
    seconds(hold),
  ];
}

describe('service level CSV', () => {
  test.each([
    ['per day', 'from=2026-11-02&to=2026-11-09&group=day'],
    ['per week', 'from=2026-11-02&to=2026-11-15&group=week'],
    ['with threshold_s', 'from=2026-11-01&to=2026-11-10&group=day&threshold_s=45'],
  ])('%s: the CSV has the rows and figures of the page table', async (_label, query) => {
    const pageRes = await sup.get(`/reports/service-level?${query}`);
    const csvRes = await sup.get(`/reports/service-level.csv?${query}`);
    expect(csvRes.status).toBe(200);
    expect(csvRes.headers['content-type']).toMatch(/^text\/csv/);
    const shown = tableAfter(pageRes.text, 'Data table').slice(1);
    const [header, ...rows] = csvRows(csvRes.text);
    expect(header.slice(0, 4)).toEqual([
      query.includes('group=day') ? 'day' : 'week',
      'offered',
      `answered_within_${query.includes('threshold_s=45') ? 45 : 30}s`,
      'abandoned',
    ]);
    expect(rows.map(serviceRowAsShown)).toEqual(shown);
    expect(rows.length).toBeGreaterThan(2);
  });

  test('the CSV total is the hand-counted one', async () => {
    // The week of 2 November: offered 9, in time 4, abandoned 2, wait 166.5 / 7, hold 160 / 7.
    const res = await sup.get('/reports/service-level.csv?from=2026-11-02&to=2026-11-08&group=week');
    const rows = csvRows(res.text);
    expect(rows[rows.length - 1]).toEqual(['total', '9', '4', '2', '44.4', '22.2', '23.8', '22.9']);
  });
});

describe('quality items CSV', () => {
  test('the CSV has the rows and figures of the page table, in the same order', async () => {
    const query = 'from=2026-11-01&to=2026-11-23';
    const pageRes = await manager.get(`/reports/quality?${query}`);
    const csvRes = await manager.get(`/reports/table/quality-items.csv?${query}`);
    const shown = tableAfter(pageRes.text, 'Where scores are lost').slice(1);
    const [header, ...rows] = csvRows(csvRes.text);
    expect(header).toEqual(['rubric', 'item', 'critical', 'answered', 'failed', 'failure_rate_pct']);
    expect(
      rows.map(([rubric, item, critical, answered, failed, rate]) => [
        critical === 'yes' ? `${item} critical` : item,
        rubric,
        answered,
        failed,
        `${Number(rate).toFixed(0)}%`,
      ]),
    ).toEqual(shown);
    expect(rows.map((r) => [r[1], r[3], r[4], r[5]])).toEqual([
      ['Accuracy', '4', '2', '50.0'],
      ['Greeted the caller', '3', '1', '33.3'],
      ['Verified identity', '4', '1', '25.0'],
    ]);
  });

  test('quality-csrs: the CSV has the CSRs of the page table, lowest average first', async () => {
    const query = 'from=2026-11-01&to=2026-11-23';
    const shown = tableAfter((await manager.get(`/reports/quality?${query}`)).text, 'CSRs, lowest average first');
    const rows = csvRows((await manager.get(`/reports/table/quality-csrs.csv?${query}`)).text).slice(1);
    expect(rows.map((r) => [r[0], r[1], r[2]])).toEqual(shown.slice(1).map((r) => [r[0], r[1], r[2]]));
    expect(rows.map((r) => r[2])).toEqual(['0.0', '62.5', '87.5']);
  });

  test('quality-evaluators: a negative difference stays a number, as on the page', async () => {
    const query = 'from=2026-11-01&to=2026-11-23';
    const shown = tableAfter((await manager.get(`/reports/quality?${query}`)).text, '<h2>Evaluators</h2>').slice(1);
    const rows = csvRows((await manager.get(`/reports/table/quality-evaluators.csv?${query}`)).text).slice(1);
    expect(rows.map((r) => [r[0], r[1], r[3], Number(r[4])])).toEqual(
      shown.map((r) => [r[0], r[1], r[3], Number(r[4])]),
    );
    expect(rows.some((r) => r[4] === '-59.4')).toBe(true);
  });

  test('an unknown table name is refused', async () => {
    const res = await manager.get('/reports/table/passwords.csv');
    expect(res.status).toBe(422);
  });
});

describe('calls export', () => {
  const QUERY = 'from=2026-11-10&to=2026-11-12';

  test('holds exactly the calls of the period, ordered by start time then id, with no duplicate or gap', async () => {
    const res = await sup.get(`/reports/calls.csv?${QUERY}`);
    expect(res.status).toBe(200);
    const [header, ...rows] = csvRows(res.text);
    expect(header).toEqual([
      'id',
      'external_id',
      'started_at',
      'agent',
      'team',
      'direction',
      'category',
      'queue_wait_s',
      'hold_s',
      'duration_s',
      'csat',
      'abandoned',
      'evaluations',
      'analysis',
      'talk_ratio',
      'overtalk_s',
      'overtalk_count',
      'dead_air_total_s',
      'dead_air_longest_s',
    ]);
    expect(rows).toHaveLength(2600);
    expect(new Set(rows.map((r) => r[0])).size).toBe(2600);
    expect(rows.map((r) => [r[2], Number(r[0])])).toEqual(bulk);
  });

  test('is streamed as a download, not sent with a length', async () => {
    const res = await sup.get(`/reports/calls.csv?${QUERY}`);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(res.headers['content-disposition']).toBe('attachment; filename="calls-2026-11-10-to-2026-11-12.csv"');
    expect(res.headers['transfer-encoding']).toBe('chunked');
    expect(res.headers['content-length']).toBeUndefined();
    expect(res.headers['cache-control']).toBe('no-store');
  });

  test('a CSR filter keeps only that CSR’s calls, still in order', async () => {
    const rows = csvRows((await sup.get(`/reports/calls.csv?${QUERY}&agent=${org.csrA2.username}`)).text).slice(1);
    expect(rows).toHaveLength(867);
    expect(rows.every((r) => r[3] === org.csrA2.username)).toBe(true);
    const keys = rows.map((r) => `${r[2]}#${r[0].padStart(8, '0')}`);
    expect(keys).toEqual([...keys].sort());
  });

  test('each row carries the call’s fields', async () => {
    const id = await insertCall(ctx.deps, {
      started_at: '2026-11-14T08:30:00.000Z',
      agent: org.csrA,
      external_id: 'pbx-4711',
      category: 'billing, refunds',
      queue_wait_s: 12.5,
      hold_s: 40,
      duration_s: 300,
      csat: 4,
    });
    const rows = csvRows((await sup.get('/reports/calls.csv?from=2026-11-14&to=2026-11-14')).text);
    expect(rows.find((r) => r[0] === String(id))).toEqual([
      String(id),
      'pbx-4711',
      '2026-11-14T08:30:00.000Z',
      org.csrA.username,
      'Team A',
      'inbound',
      'billing, refunds',
      '12.5',
      '40',
      '300',
      '4',
      'no',
      '0',
      'no_recording',
      '',
      '',
      '',
      '',
      '',
    ]);
  });
});

describe('formula injection', () => {
  function expectNeutralised(rows: string[][], originals: string[]) {
    for (const row of rows.slice(1)) {
      for (const cell of row) expect(cell).not.toMatch(/^[=+\-@\t\r]/);
    }
    const cells = new Set(rows.flat());
    for (const text of originals) expect(cells).toContain(`'${text}`);
  }

  test('calls.csv prefixes cells starting with = + - @ so a spreadsheet shows them as text', async () => {
    const rows = csvRows((await sup.get('/reports/calls.csv?from=2026-11-15&to=2026-11-15')).text);
    expect(rows).toHaveLength(1 + INJECTIONS.length + 1);
    expectNeutralised(rows, INJECTIONS);
  });

  test('scorecards.csv and the table CSVs do the same for rubric names and item prompts', async () => {
    const query = 'from=2026-11-24&to=2026-11-24';
    const scorecards = csvRows((await sup.get(`/reports/scorecards.csv?${query}`)).text);
    expectNeutralised(scorecards, [RUBRIC_NAME]);
    const items = csvRows((await sup.get(`/reports/table/quality-items.csv?${query}`)).text);
    expectNeutralised(items, [RUBRIC_NAME, '@risky item']);
  });
});
