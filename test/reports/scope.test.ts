import request from 'supertest';
import type { User } from '../../src/db/schema';
import type { FullRubric } from '../../src/rubrics/rubrics.queries';
import { makeTestApp, type TestContext } from '../helpers/app';
import { buildOrg, buildUser, type Org } from '../helpers/builders';
import { signIn, type Agent } from '../helpers/http';
import { csvRows, insertCall, submitEvaluation, tableAfter, tenPointAnswers, tenPointRubric } from '../helpers/reports';
import { api, tokenFor, type Api } from '../helpers/scoring';

// Who sees what in the reports: a supervisor their teams, a manager their departments, an admin everything;
// a team or CSR outside the scope is not found (404), and a CSR gets no report at all (403).
// Fixture on Friday 20 November: one inbound call per team (A, B, other department), each scored with the
// ten-point rubric by its team's supervisor: A 80, B 60, other 20.

let ctx: TestContext;
let org: Org;
let rubric: FullRubric;
const pages = new Map<string, Agent>();
const tokens = new Map<string, Api>();
let callIds: { a: number; b: number; other: number };

const DAY = 'from=2026-11-20&to=2026-11-23';

beforeAll(async () => {
  ctx = makeTestApp();
  org = await buildOrg(ctx.deps);
  rubric = await tenPointRubric(ctx.deps);
  const people: Record<string, User> = {
    admin: org.admin,
    manager: org.manager,
    otherManager: org.otherManager,
    supervisorA: org.supervisorA,
    supervisorB: org.supervisorB,
    otherSupervisor: org.otherSupervisor,
    csrA: org.csrA,
  };
  for (const [name, user] of Object.entries(people)) {
    tokens.set(name, api(ctx.app, await tokenFor(ctx.deps, user)));
    pages.set(name, await signIn(ctx.app, user.username));
  }
  const call = (agent: User, wait: number) =>
    insertCall(ctx.deps, {
      started_at: '2026-11-20T10:00:00.000Z',
      agent,
      queue_wait_s: wait,
      hold_s: wait * 2,
      csat: 4,
    });
  callIds = { a: await call(org.csrA, 10), b: await call(org.csrB, 10), other: await call(org.otherCsr, 100) };
  await submitEvaluation(tokens.get('supervisorA')!, callIds.a, rubric, tenPointAnswers(rubric, 80));
  await submitEvaluation(tokens.get('supervisorB')!, callIds.b, rubric, tenPointAnswers(rubric, 60));
  await submitEvaluation(tokens.get('otherSupervisor')!, callIds.other, rubric, tenPointAnswers(rubric, 20));
});
afterAll(async () => ctx.close());

const PAGE_ROUTES = [
  '/reports/service-level',
  '/reports/quality',
  '/reports/customers',
  '/reports/service-level.csv',
  '/reports/table/quality-items.csv',
  '/reports/table/customer-items.csv',
  '/reports/calls.csv',
  '/reports/scorecards.csv',
];
const API_ROUTES = ['/api/v1/reports/service-level', '/api/v1/reports/scores'];

type Who = 'admin' | 'manager' | 'otherManager' | 'supervisorA' | 'supervisorB' | 'otherSupervisor';

/** role × filter → status, for every report page, CSV and API route. Names stand for the org's teams and people. */
const ACCESS: Array<[Who, string, number]> = [
  ['supervisorA', 'team_id=teamA', 200],
  ['supervisorA', 'agent=csrA', 200],
  ['supervisorA', 'team_id=teamB', 404],
  ['supervisorA', 'team_id=otherTeam', 404],
  ['supervisorA', 'agent=csrB', 404],
  ['supervisorA', 'agent=otherCsr', 404],
  ['supervisorA', 'agent=supervisorA', 404],
  ['supervisorA', 'agent=nobody', 404],
  ['supervisorA', 'team_id=999999', 404],
  ['supervisorB', 'agent=csrA', 404],
  ['otherSupervisor', 'team_id=teamA', 404],
  ['manager', 'team_id=teamB', 200],
  ['manager', 'agent=csrA2', 200],
  ['manager', 'team_id=otherTeam', 404],
  ['manager', 'agent=otherCsr', 404],
  ['otherManager', 'team_id=teamA', 404],
  ['otherManager', 'agent=csrB', 404],
  ['admin', 'team_id=otherTeam', 200],
  ['admin', 'agent=otherCsr', 200],
];

/** "team_id=teamB" → "team_id=<id of team B>", "agent=csrA" → "agent=<csrA's username>". */
function resolve(filter: string): string {
  const [key, name] = filter.split('=');
  const value = (org as unknown as Record<string, unknown>)[name];
  if (value === undefined) return filter;
  return `${key}=${typeof value === 'number' ? value : (value as User).username}`;
}

describe('team and CSR filters outside the scope', () => {
  test.each(ACCESS)('%s with %s → %i on every report page and CSV', async (who, filter, status) => {
    for (const route of PAGE_ROUTES) {
      const res = await pages.get(who)!.get(`${route}?${DAY}&${resolve(filter)}`);
      expect([route, res.status]).toEqual([route, status]);
    }
  });

  test.each(ACCESS)('%s with %s → %i on every report API route', async (who, filter, status) => {
    for (const route of API_ROUTES) {
      const res = await tokens.get(who)!.get(`${route}?${DAY}&${resolve(filter)}`);
      expect([route, res.status]).toEqual([route, status]);
    }
  });

  test('a team outside the scope is answered exactly like a team that does not exist', async () => {
    const sup = tokens.get('supervisorA')!;
    const outside = await sup.get(`/api/v1/reports/service-level?team_id=${org.teamB}`);
    const missing = await sup.get('/api/v1/reports/service-level?team_id=999999');
    expect(outside.status).toBe(404);
    expect(outside.body).toEqual(missing.body);
    const csrOutside = await sup.get(`/api/v1/reports/scores?agent=${org.otherCsr.username}`);
    const csrMissing = await sup.get('/api/v1/reports/scores?agent=nobody-at-all');
    expect(csrOutside.body).toEqual(csrMissing.body);
  });
});

describe('a CSR', () => {
  const csrPaths = () => [
    '/reports',
    ...PAGE_ROUTES,
    '/reports/table/quality-csrs.csv',
    '/reports/table/customer-csrs.csv',
    `/reports/csr/${org.csrA.id}`,
    `/reports/service-level?agent=${org.csrA.username}`,
  ];

  test('gets 403 on every /reports page, CSV and review, their own included', async () => {
    const csr = pages.get('csrA')!;
    for (const path of csrPaths()) {
      const res = await csr.get(path);
      expect([path, res.status]).toEqual([path, 403]);
    }
  });

  test('gets 403 on the report API routes', async () => {
    const csr = tokens.get('csrA')!;
    for (const route of API_ROUTES) {
      const res = await csr.get(`${route}?agent=${org.csrA.username}`);
      expect([route, res.status]).toEqual([route, 403]);
    }
  });

  test('signed out, the API answers 401 and a page shows no figures', async () => {
    expect((await request(ctx.app).get('/api/v1/reports/scores').set('Accept', 'application/json')).status).toBe(401);
    const res = await request(ctx.app).get('/reports/quality');
    expect([401, 302, 303]).toContain(res.status);
    expect(res.text).not.toContain('CSRs, lowest average first');
  });
});

describe('figures cover the scope only', () => {
  async function figures(who: Who) {
    const client = tokens.get(who)!;
    const service = await client.get(`/api/v1/reports/service-level?${DAY}`);
    const scores = await client.get(`/api/v1/reports/scores?${DAY}`);
    return {
      offered: service.body.offered as number,
      avgHold: service.body.avg_hold_s as number | null,
      count: scores.body.count as number,
      average: scores.body.average as number | null,
    };
  }

  test('a supervisor sees their team, a manager their department, an admin everything', async () => {
    expect(await figures('supervisorA')).toEqual({ offered: 1, avgHold: 20, count: 1, average: 80 });
    expect(await figures('manager')).toEqual({ offered: 2, avgHold: 20, count: 2, average: 70 });
    const all = await figures('admin');
    expect(all.offered).toBe(3);
    expect(all.avgHold).toBeCloseTo(240 / 3, 10);
    expect(all.count).toBe(3);
    expect(all.average).toBeCloseTo(160 / 3, 10);
  });

  test('a call and scorecard of another team never change a supervisor’s or manager’s figures', async () => {
    const before = {
      sup: await figures('supervisorA'),
      manager: await figures('manager'),
      admin: await figures('admin'),
    };
    const extra = await insertCall(ctx.deps, {
      started_at: '2026-11-20T15:00:00.000Z',
      agent: org.otherCsr,
      queue_wait_s: 300,
      hold_s: 600,
    });
    await submitEvaluation(tokens.get('otherSupervisor')!, extra, rubric, tenPointAnswers(rubric, 0));
    await insertCall(ctx.deps, { started_at: '2026-11-20T16:00:00.000Z', team_id: org.otherTeam, abandoned: true });
    expect(await figures('supervisorA')).toEqual(before.sup);
    expect(await figures('manager')).toEqual(before.manager);
    const admin = await figures('admin');
    expect(admin.offered).toBe(before.admin.offered + 2);
    expect(admin.count).toBe(before.admin.count + 1);
  });

  test('a team B call changes the manager’s figures but not team A’s supervisor’s', async () => {
    const before = { sup: await figures('supervisorA'), manager: await figures('manager') };
    await insertCall(ctx.deps, { started_at: '2026-11-21T09:00:00.000Z', team_id: org.teamB, abandoned: true });
    expect(await figures('supervisorA')).toEqual(before.sup);
    expect((await figures('manager')).offered).toBe(before.manager.offered + 1);
  });

  test('a supervisor without a team sees no figures at all', async () => {
    const lonely = await buildUser(ctx.deps, 'supervisor');
    const client = api(ctx.app, await tokenFor(ctx.deps, lonely));
    const service = await client.get(`/api/v1/reports/service-level?${DAY}`);
    const scores = await client.get(`/api/v1/reports/scores?${DAY}`);
    expect(service.body).toMatchObject({ offered: 0, service_level: null });
    expect(scores.body).toMatchObject({ count: 0, average: null });
  });

  test('the calls and scorecards CSVs hold only the scope’s rows', async () => {
    const sup = pages.get('supervisorA')!;
    const calls = csvRows((await sup.get(`/reports/calls.csv?${DAY}`)).text);
    expect(calls.slice(1).map((r) => Number(r[0]))).toEqual([callIds.a]);
    const managerCalls = csvRows((await pages.get('manager')!.get(`/reports/calls.csv?${DAY}`)).text);
    expect(new Set(managerCalls.slice(1).map((r) => r[4]))).toEqual(new Set(['Team A', 'Team B']));
    const scorecards = csvRows((await sup.get(`/reports/scorecards.csv?${DAY}`)).text);
    expect(scorecards.slice(1).map((r) => r[3])).toEqual([org.csrA.username]);
  });

  test('the quality and customer pages list only the scope’s CSRs and teams', async () => {
    const sup = pages.get('supervisorA')!;
    const quality = await sup.get(`/reports/quality?${DAY}`);
    expect(
      tableAfter(quality.text, 'CSRs, lowest average first')
        .slice(1)
        .map((r) => r[0]),
    ).toEqual([org.csrA.display_name]);
    expect(quality.text).toContain(`<option value="${org.teamA}"`);
    expect(quality.text).not.toContain(`<option value="${org.teamB}"`);
    expect(quality.text).not.toContain(`<option value="${org.otherTeam}"`);
    const customers = await sup.get(`/reports/customers?${DAY}`);
    expect(customers.status).toBe(200);
    expect(tableAfter(customers.text, 'CSAT per team')).toEqual([
      ['Team', 'CSAT', 'Calls'],
      ['Team A', '4.00', '1'],
    ]);
    expect(tableAfter(customers.text, 'CSAT per CSR').slice(1)).toEqual([[org.csrA.display_name, '4.00', '1']]);
    expect(customers.text).not.toContain('Team B');
    expect(customers.text).not.toContain(org.otherCsr.display_name);
  });
});
