import type { User } from '../../src/db/schema';
import { makeTestApp, type TestContext } from '../helpers/app';
import { buildOrg, type Org } from '../helpers/builders';
import { postForm, signIn, type Agent } from '../helpers/http';
import { api, tokenFor, type Api } from '../helpers/scoring';
import { DAY, dateIn, tableRows } from '../helpers/training';

// A coaching task is overdue once its due date has passed while it is still open or scheduled. The clock is the
// injected test clock, moved forward; sessions time out meanwhile, so each look signs in afresh.

let ctx: TestContext;
let org: Org;
let supApi: Api;
let tasks: { late: number; scheduled: number; done: number; teamB: number; later: number };
let lateDue: string;

async function openTask(by: User, csr: User, focus: string, dueDays: number): Promise<number> {
  const page = await signIn(ctx.app, by.username);
  const res = await postForm(
    page,
    '/coaching',
    { csr_id: String(csr.id), focus, due_at: dateIn(ctx.clock, dueDays) },
    '/coaching/new',
  );
  expect(res.status).toBe(303);
  return Number(/\/coaching\/(\d+)$/.exec(res.headers.location)![1]);
}

beforeAll(async () => {
  ctx = makeTestApp();
  org = await buildOrg(ctx.deps);
  supApi = api(ctx.app, await tokenFor(ctx.deps, org.supervisorA));
  tasks = {
    late: await openTask(org.supervisorA, org.csrA, 'Late: greeting script', 1),
    scheduled: await openTask(org.supervisorA, org.csrA2, 'Late: scheduled hold etiquette', 1),
    done: await openTask(org.supervisorA, org.csrA, 'Done: refunds policy', 1),
    teamB: await openTask(org.supervisorB, org.csrB, 'Team B: verification', 1),
    later: await openTask(org.supervisorA, org.csrA, 'Later: closing summary', 10),
  };
  await supApi.patch(`/api/v1/coaching-tasks/${tasks.scheduled}`, {
    action: 'schedule',
    scheduled_at: '2026-11-24T10:00:00Z',
  });
  await supApi.patch(`/api/v1/coaching-tasks/${tasks.done}`, { action: 'complete', notes: 'Done on time' });
  lateDue = `${dateIn(ctx.clock, 1)}T23:59:59.999Z`;
});
afterAll(async () => ctx.close());

/** Ids of the tasks linked from /coaching?show=overdue. */
async function overdueList(agent: Agent): Promise<number[]> {
  const page = await agent.get('/coaching?show=overdue');
  expect(page.status).toBe(200);
  return [...page.text.matchAll(/<td[^>]*><a href="\/coaching\/(\d+)">/g)]
    .map((m) => Number(m[1]))
    .sort((a, b) => a - b);
}

/** The number on the supervisor home page's "overdue coaching" tile. */
async function overdueTile(agent: Agent): Promise<number> {
  const home = await agent.get('/');
  const match = /<span class="stat-value">(\d+)<\/span><span class="stat-label">overdue coaching<\/span>/.exec(
    home.text,
  );
  if (!match) throw new Error('no overdue tile on the home page');
  return Number(match[1]);
}

test('before the due date nothing is overdue', async () => {
  const sup = await signIn(ctx.app, org.supervisorA.username);
  expect(await overdueList(sup)).toEqual([]);
  expect(await overdueTile(sup)).toBe(0);
  expect((await sup.get('/')).text).not.toContain('stat stat-alert');
});

test('at the last moment of the due day a task is still on time', async () => {
  ctx.clock.advance(Date.parse(lateDue) - ctx.clock.now().getTime());
  const sup = await signIn(ctx.app, org.supervisorA.username);
  expect(await overdueList(sup)).toEqual([]);
  expect(await overdueTile(sup)).toBe(0);
});

test('just past the due date: open and scheduled tasks are overdue in the list and on the home page; done ones are not', async () => {
  ctx.clock.advance(1);
  const sup = await signIn(ctx.app, org.supervisorA.username);
  expect(await overdueList(sup)).toEqual([tasks.late, tasks.scheduled]);
  expect(await overdueTile(sup)).toBe(2);
  const home = (await sup.get('/')).text;
  expect(home).toContain('stat stat-alert');
  // The open-coaching table marks the late ones, and only those.
  const rows = tableRows(home, 0);
  const marked = rows.filter((r) => r[3].endsWith('(overdue)')).map((r) => r[2]);
  expect(marked.sort()).toEqual(['Late: greeting script', 'Late: scheduled hold etiquette']);
  expect(rows.find((r) => r[2] === 'Later: closing summary')?.[3]).not.toContain('overdue');

  const page = (await sup.get(`/coaching/${tasks.late}`)).text;
  expect(page).toContain('<span class="overdue">— overdue</span>');
  expect((await sup.get(`/coaching/${tasks.done}`)).text).not.toContain('— overdue');
});

test('each person sees only the overdue tasks in their scope', async () => {
  const manager = await signIn(ctx.app, org.manager.username);
  expect(await overdueList(manager)).toEqual([tasks.late, tasks.scheduled, tasks.teamB]);
  const supB = await signIn(ctx.app, org.supervisorB.username);
  expect(await overdueList(supB)).toEqual([tasks.teamB]);
  expect(await overdueTile(supB)).toBe(1);
  const other = await signIn(ctx.app, org.otherSupervisor.username);
  expect(await overdueList(other)).toEqual([]);
  expect(await overdueTile(other)).toBe(0);
  const csr = await signIn(ctx.app, org.csrA.username);
  expect(await overdueList(csr)).toEqual([tasks.late]);
});

test('completing an overdue task takes it off the overdue list and the count', async () => {
  await supApi.patch(`/api/v1/coaching-tasks/${tasks.scheduled}`, { action: 'complete', notes: 'Late, but done' });
  const sup = await signIn(ctx.app, org.supervisorA.username);
  expect(await overdueList(sup)).toEqual([tasks.late]);
  expect(await overdueTile(sup)).toBe(1);
});

test('later due dates become overdue as the clock moves on', async () => {
  ctx.clock.advance(10 * DAY);
  const sup = await signIn(ctx.app, org.supervisorA.username);
  expect(await overdueList(sup)).toEqual([tasks.late, tasks.later]);
  expect(await overdueTile(sup)).toBe(2);
});
