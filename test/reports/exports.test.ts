import type { Statement } from 'better-sqlite3';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import type { Response } from 'express';
import request from 'supertest';
import { exportCalls } from '../../src/reports/exports';
import type { ReportFilter } from '../../src/reports/filters';
import { makeTestApp, sqliteOf, type TestContext } from '../helpers/app';
import { buildOrg, PASSWORD, type Org } from '../helpers/builders';
import { sessionCookie } from '../helpers/http';
import { csvRows, insertCalls, type CallFixture } from '../helpers/reports';
import { publishedRubric, rubricJson, section, yesNo } from '../helpers/scoring';

// The CSV exports read the database in keyset pages of 1,000 rows. Rows sharing a start time on both sides
// of a page boundary are each written once, in order, also when a team scope's calls are merged from one
// query per team; scorecards are filtered exactly while the pages walk the ids; and the export follows its
// client: it stops reading pages while the client takes nothing, and for good once the client has gone away.

const PAGE = 1000;
const OCTOBER = 'from=2026-10-01&to=2026-10-31';
const OCTOBER_FILTER: ReportFilter = {
  from: '2026-10-01T00:00:00.000Z',
  to: '2026-11-01T00:00:00.000Z',
  fromDate: '2026-10-01',
  timeZone: 'UTC',
  toDate: '2026-10-31',
  teamIds: 'all',
  group: 'week',
};
/**
 * 30 start times with 357 calls each (255 of team A, 102 of team B), so most page boundaries fall inside a
 * run of equal times, for one team and for both.
 */
const INSTANTS = 30;
const PER_INSTANT = 357;

let ctx: TestContext;
let org: Org;
let supervisorCookie: string;
let managerCookie: string;
/** Team A's October calls as [started_at, id], in the order the export must give them. */
let teamACalls: CallKey[];
/** Teams A and B (the manager's department), likewise. */
let departmentCalls: CallKey[];

type CallKey = [started_at: string, id: number];

beforeAll(async () => {
  ctx = makeTestApp();
  org = await buildOrg(ctx.deps);
  await seedCalls();
  supervisorCookie = await signInCookie(org.supervisorA.username);
  managerCookie = await signInCookie(org.manager.username);
});
afterAll(async () => ctx.close());

function byTimeThenId(a: CallKey, b: CallKey): number {
  return a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] - b[1];
}

/**
 * Inserted in a fixed shuffle of the start times (11 is coprime with 30), so ids do not follow time, with
 * the CSRs of both teams mixed within each start time; plus calls a millisecond outside October and another
 * department's call inside it.
 */
async function seedCalls(): Promise<void> {
  const instants = Array.from({ length: INSTANTS }, (_, i) =>
    new Date(Date.parse('2026-10-01T00:00:00.000Z') + i * 12 * 3_600_000).toISOString(),
  );
  const agents = [org.csrA, org.csrA2, org.csrB];
  const fixtures: CallFixture[] = Array.from({ length: INSTANTS * PER_INSTANT }, (_, i) => ({
    started_at: instants[(i * 11) % INSTANTS],
    agent: agents[(i % 7) % 3],
  }));
  const ids = await insertCalls(ctx.deps, fixtures);
  await insertCalls(ctx.deps, [
    { started_at: '2026-09-30T23:59:59.999Z', agent: org.csrA },
    { started_at: '2026-11-01T00:00:00.000Z', agent: org.csrB },
    { started_at: '2026-10-15T00:00:00.000Z', agent: org.otherCsr },
  ]);
  const keys = fixtures.map((f, i): CallKey => [f.started_at, ids[i]]);
  departmentCalls = [...keys].sort(byTimeThenId);
  teamACalls = keys.filter((_, i) => fixtures[i].agent !== org.csrB).sort(byTimeThenId);
}

function pagesOf(calls: CallKey[]): number {
  return Math.floor(calls.length / PAGE) + 1;
}

/** Signs in through the login form and returns the session cookie, for requests made without supertest. */
async function signInCookie(username: string): Promise<string> {
  const loginPage = await request(ctx.app).get('/login');
  const csrf = /name="_csrf" value="([^"]+)"/.exec(loginPage.text)![1];
  const res = await request(ctx.app)
    .post('/login')
    .set('Cookie', sessionCookie(loginPage)!)
    .type('form')
    .send({ _csrf: csrf, username, password: PASSWORD });
  expect(res.status).toBe(303);
  return sessionCookie(res)!;
}

describe('calls export pages', () => {
  test.each([
    ['one team', () => teamACalls],
    ['two teams', () => departmentCalls],
  ])('%s: the fixture puts most page boundaries inside runs of calls with the same start time', (_label, calls) => {
    const boundaries = Array.from({ length: pagesOf(calls()) - 2 }, (_, i) => (i + 1) * PAGE);
    const inside = boundaries.filter((b) => calls()[b - 1][0] === calls()[b][0]);
    expect(boundaries.length).toBeGreaterThan(5);
    expect(inside.length).toBeGreaterThan(boundaries.length / 2);
  });

  test('calls sharing a start time across a page boundary are each written once, ordered by time then id', async () => {
    const res = await request(ctx.app).get(`/reports/calls.csv?${OCTOBER}`).set('Cookie', supervisorCookie);
    expect(res.status).toBe(200);
    const rows = csvRows(res.text).slice(1);
    expect(rows.map((r) => [r[2], Number(r[0])])).toEqual(teamACalls);
  });

  test('a scope of two teams gets both teams’ calls merged in the same order', async () => {
    const res = await request(ctx.app).get(`/reports/calls.csv?${OCTOBER}`).set('Cookie', managerCookie);
    const rows = csvRows(res.text).slice(1);
    expect(rows.map((r) => [r[2], Number(r[0])])).toEqual(departmentCalls);
  });

  test('a CSR filter pages through that CSR’s calls alone, in the same order', async () => {
    const res = await request(ctx.app)
      .get(`/reports/calls.csv?${OCTOBER}&agent=${org.csrA.username}`)
      .set('Cookie', managerCookie);
    const rows = csvRows(res.text).slice(1);
    const own = new Set(await csrCallIds(org.csrA.id));
    const expected = departmentCalls.filter(([, id]) => own.has(id));
    expect(expected.length).toBeGreaterThan(2 * PAGE);
    expect(rows.map((r) => [r[2], Number(r[0])])).toEqual(expected);
  });

  test('a scope of more teams than are merged into one query gets the same calls in the same order', async () => {
    const client = new StalledClient();
    client.release();
    const manyTeams = [org.teamA, org.teamB, ...Array.from({ length: 60 }, (_, i) => 1_000_000 + i)];
    await exportCalls(ctx.deps.db, { ...OCTOBER_FILTER, teamIds: manyTeams }, client.response);
    const rows = csvRows(Buffer.concat(client.chunks).toString('utf8')).slice(1);
    expect(rows.map((r) => [r[2], Number(r[0])])).toEqual(departmentCalls);
  });
});

async function csrCallIds(agentId: number): Promise<number[]> {
  const rows = await ctx.deps.db.selectFrom('calls').select('id').where('agent_id', '=', agentId).execute();
  return rows.map((r) => r.id);
}

describe('scorecards export pages', () => {
  const STATUSES = ['draft', 'submitted', 'released', 'acknowledged'] as const;

  /**
   * 5,000 scorecards written straight into the table: every status, some calibration ones, some of another
   * department's team, submitted from late September to early November in an order unrelated to their ids.
   * Returns the [id, submitted_at, status] the supervisor's October export must hold, by id.
   */
  async function seedScorecards(): Promise<Array<[number, string, string]>> {
    const rubric = await publishedRubric(ctx.deps, rubricJson([section('Main', 1, [yesNo('Greeted')])]));
    const values = Array.from({ length: 5000 }, (_, i) => {
      const status = STATUSES[i % 8 === 0 ? 0 : 1 + (i % 3)];
      const inTeamA = i % 7 !== 0;
      const submitted = new Date(Date.parse('2026-09-28T12:00:00.000Z') + ((i * 17) % 40) * 86_400_000);
      return {
        call_id: teamACalls[i][1],
        rubric_id: rubric.id,
        agent_id: inTeamA ? org.csrA.id : org.otherCsr.id,
        team_id: inTeamA ? org.teamA : org.otherTeam,
        evaluator_id: inTeamA ? org.supervisorA.id : org.otherSupervisor.id,
        kind: i % 13 === 0 ? ('calibration' as const) : ('standard' as const),
        status,
        score: i % 101,
        created_at: '2026-09-28T00:00:00.000Z',
        updated_at: '2026-09-28T00:00:00.000Z',
        submitted_at: status === 'draft' ? null : submitted.toISOString(),
      };
    });
    const expected: Array<[number, string, string]> = [];
    for (let i = 0; i < values.length; i += 500) {
      const rows = await ctx.deps.db
        .insertInto('evaluations')
        .values(values.slice(i, i + 500))
        .returning(['id', 'kind', 'status', 'team_id', 'submitted_at'])
        .execute();
      for (const r of rows) {
        const october = r.submitted_at !== null && r.submitted_at >= '2026-10-01' && r.submitted_at < '2026-11-01';
        if (r.kind === 'standard' && r.status !== 'draft' && r.team_id === org.teamA && october)
          expected.push([r.id, r.submitted_at!, r.status]);
      }
    }
    return expected.sort((a, b) => a[0] - b[0]);
  }

  test('holds exactly the submitted standard scorecards of the period and scope, by id, over several pages', async () => {
    const expected = await seedScorecards();
    expect(expected.length).toBeGreaterThan(2 * PAGE);
    const res = await request(ctx.app).get(`/reports/scorecards.csv?${OCTOBER}`).set('Cookie', supervisorCookie);
    expect(res.status).toBe(200);
    const rows = csvRows(res.text).slice(1);
    expect(rows.map((r) => [Number(r[0]), r[1], r[7]])).toEqual(expected);
  });

  test('a period without scorecards gives the header alone', async () => {
    const res = await request(ctx.app)
      .get('/reports/scorecards.csv?from=2026-08-01&to=2026-08-31')
      .set('Cookie', supervisorCookie);
    expect(res.status).toBe(200);
    expect(csvRows(res.text)).toEqual([
      [
        'id',
        'submitted_at',
        'call',
        'agent',
        'evaluator',
        'rubric',
        'version',
        'status',
        'score',
        'raw_score',
        'passed',
        'critical_failed',
        'time_spent_s',
      ],
    ]);
  });
});

/**
 * Counts the calls export's page queries from here on. Statements are prepared once and cached, so the
 * count is of runs (the Statement methods), not of prepare calls.
 */
function pageQueries(): () => number {
  const statement = Object.getPrototypeOf(sqliteOf(ctx.database).prepare('select 1')) as Statement;
  let runs = 0;
  for (const method of ['all', 'iterate'] as const) {
    const original = statement[method];
    jest.spyOn(statement, method).mockImplementation(function (this: Statement, ...params: unknown[]) {
      if (this.source.includes('from "calls" left join "users"')) runs += 1;
      return (original as (...args: unknown[]) => never).apply(this, params);
    });
  }
  return () => runs;
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 300));

/**
 * A response whose client takes nothing until `release()`: writes pile up past the high-water mark, as on a
 * socket whose peer has stopped reading (over loopback the kernel's buffers would swallow a whole test export).
 */
class StalledClient extends Writable {
  readonly chunks: Buffer[] = [];
  private held: Array<() => void> = [];
  private flowing = false;

  constructor() {
    super({ highWaterMark: 16 * 1024 });
  }

  _write(chunk: Buffer, _encoding: BufferEncoding, callback: () => void): void {
    this.chunks.push(chunk);
    if (this.flowing) callback();
    else this.held.push(callback);
  }

  release(): void {
    this.flowing = true;
    for (const callback of this.held.splice(0)) callback();
  }

  get response(): Response {
    return Object.assign(this, { setHeader: () => this, attachment: () => this }) as unknown as Response;
  }
}

describe('an export follows its client', () => {
  afterEach(() => jest.restoreAllMocks());

  test('while the client takes nothing no further page is read; once it takes them, every row follows', async () => {
    const pages = pageQueries();
    const client = new StalledClient();
    const exported = exportCalls(ctx.deps.db, { ...OCTOBER_FILTER, teamIds: [org.teamA] }, client.response);
    await settle();
    expect(pages()).toBe(1);
    client.release();
    await exported;
    const rows = csvRows(Buffer.concat(client.chunks).toString('utf8')).slice(1);
    expect(rows.map((r) => [r[2], Number(r[0])])).toEqual(teamACalls);
    expect(pages()).toBe(pagesOf(teamACalls));
  });
});

describe('an export over HTTP', () => {
  let server: http.Server;
  let port: number;

  beforeEach(async () => {
    server = http.createServer(ctx.app);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterEach(async () => {
    jest.restoreAllMocks();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  function startExport(): Promise<http.IncomingMessage> {
    return new Promise((resolve, reject) => {
      const req = http.get(
        { host: '127.0.0.1', port, path: `/reports/calls.csv?${OCTOBER}`, headers: { Cookie: supervisorCookie } },
        resolve,
      );
      req.on('error', reject);
    });
  }

  test('a client that goes away mid-export stops it, and the server goes on serving', async () => {
    const pages = pageQueries();
    const res = await startExport();
    await new Promise((resolve) => res.once('data', resolve));
    res.destroy();
    await settle();
    const afterClose = pages();
    await settle();
    expect(pages()).toBe(afterClose);
    expect(afterClose).toBeLessThan(pagesOf(teamACalls));

    const again = await request(ctx.app).get(`/reports/calls.csv?${OCTOBER}`).set('Cookie', supervisorCookie);
    expect(csvRows(again.text)).toHaveLength(teamACalls.length + 1);
  });
});
