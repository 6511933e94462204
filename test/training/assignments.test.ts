import type { User } from '../../src/db/schema';
import { progressAssignment } from '../../src/training/assignments.service';
import { makeTestApp, type TestContext } from '../helpers/app';
import { buildOrg, type Org } from '../helpers/builders';
import { postForm, signIn, type Agent } from '../helpers/http';
import { api, tokenFor, type Api } from '../helpers/scoring';
import { addCourse, auditActions, DAY, dateIn, flashes, tableRows } from '../helpers/training';

// A booked course becomes an assignment per CSR: assigned → in progress → completed (by the CSR) → confirmed (by
// a manager of the department). Overdue once the due date passes without completion.

let ctx: TestContext;
let org: Org;
let managerApi: Api;
let pages: Record<'csr' | 'csr2' | 'manager' | 'otherManager' | 'supervisor' | 'admin', Agent>;

beforeAll(async () => {
  ctx = makeTestApp();
  org = await buildOrg(ctx.deps);
  managerApi = api(ctx.app, await tokenFor(ctx.deps, org.manager));
  pages = {
    csr: await signIn(ctx.app, org.csrA.username),
    csr2: await signIn(ctx.app, org.csrA2.username),
    manager: await signIn(ctx.app, org.manager.username),
    otherManager: await signIn(ctx.app, org.otherManager.username),
    supervisor: await signIn(ctx.app, org.supervisorA.username),
    admin: await signIn(ctx.app, org.admin.username),
  };
});
afterAll(async () => ctx.close());

/** Books a course for the CSRs and returns each one's assignment id, in the order given. */
async function assign(csrs: User[], title?: string, dueDays = 14): Promise<number[]> {
  const course = await addCourse(managerApi, { cost_cents: 100, ...(title ? { title } : {}) });
  const res = await managerApi.post('/api/v1/training/bookings', {
    course_id: course,
    agents: csrs.map((c) => c.username),
    due_at: dateIn(ctx.clock, dueDays),
  });
  expect(res.status).toBe(201);
  const rows = await ctx.deps.db
    .selectFrom('training_assignments')
    .select(['id', 'csr_id'])
    .where('booking_id', '=', res.body.id)
    .execute();
  return csrs.map((c) => rows.find((r) => r.csr_id === c.id)!.id);
}

function step(agent: Agent, id: number, action: 'start' | 'complete' | 'confirm') {
  return postForm(agent, `/training/assignments/${id}/${action}`, {});
}

async function stored(id: number) {
  return ctx.deps.db.selectFrom('training_assignments').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
}

test('the CSR starts and completes, the manager confirms; each step is recorded and shown', async () => {
  const [id] = await assign([org.csrA], 'De-escalation workshop');
  const started = await step(pages.csr, id, 'start');
  expect(started.status).toBe(303);
  expect(started.headers.location).toBe('/training/mine');
  expect(await stored(id)).toMatchObject({ status: 'in_progress', completed_at: null });

  ctx.clock.advance(60_000);
  await step(pages.csr, id, 'complete');
  const mine = await pages.csr.get('/training/mine');
  expect(flashes(mine.text)).toContainEqual({ kind: 'success', message: 'Marked as completed. Well done!' });
  expect(await stored(id)).toMatchObject({ status: 'completed', completed_at: ctx.clock.now().toISOString() });

  ctx.clock.advance(60_000);
  const confirmed = await step(pages.manager, id, 'confirm');
  expect(confirmed.headers.location).toBe('/training/assignments');
  expect(await stored(id)).toMatchObject({
    status: 'completed',
    confirmed_by: org.manager.id,
    confirmed_at: ctx.clock.now().toISOString(),
  });
  expect(await auditActions(ctx.deps.db, 'training_assignment', id)).toEqual([
    'training.start',
    'training.complete',
    'training.confirm',
  ]);
  const row = tableRows((await pages.csr.get('/training/mine')).text, 0).find((r) =>
    r[0].startsWith('De-escalation workshop'),
  );
  expect(row?.[2]).toBe('completed, confirmed');
  const managerRow = tableRows((await pages.manager.get('/training/assignments')).text, 0).find(
    (r) => r[1] === 'De-escalation workshop',
  );
  expect(managerRow?.slice(0, 1).concat(managerRow.slice(3, 4))).toEqual([
    org.csrA.display_name,
    'completed, confirmed',
  ]);
});

test('a CSR may complete straight from assigned', async () => {
  const [id] = await assign([org.csrA]);
  await step(pages.csr, id, 'complete');
  expect((await stored(id)).status).toBe('completed');
});

type Who = keyof typeof pages;
type State = 'assigned' | 'in_progress' | 'completed' | 'confirmed';

/** Brings a fresh assignment of csrA into the state through the real steps. */
async function assignmentIn(state: State): Promise<number> {
  const [id] = await assign([org.csrA]);
  if (state === 'in_progress' || state === 'completed' || state === 'confirmed') await step(pages.csr, id, 'start');
  if (state === 'completed' || state === 'confirmed') await step(pages.csr, id, 'complete');
  if (state === 'confirmed') await step(pages.manager, id, 'confirm');
  return id;
}

describe('refused transitions leave the assignment as it was', () => {
  // who × state × step → refusal (403 role, 404 not theirs, 409 wrong state shown as an error message).
  const table: Array<[Who, State, 'start' | 'complete' | 'confirm', 403 | 404 | 409, string]> = [
    ['csr', 'completed', 'confirm', 403, ''],
    ['manager', 'assigned', 'start', 403, ''],
    ['manager', 'in_progress', 'complete', 403, ''],
    ['csr2', 'assigned', 'start', 404, ''],
    ['csr2', 'in_progress', 'complete', 404, ''],
    ['supervisor', 'completed', 'confirm', 404, ''],
    ['otherManager', 'completed', 'confirm', 404, ''],
    ['manager', 'assigned', 'confirm', 409, 'Only completed training can be confirmed.'],
    ['manager', 'in_progress', 'confirm', 409, 'Only completed training can be confirmed.'],
    ['manager', 'confirmed', 'confirm', 409, 'Already confirmed.'],
    ['csr', 'in_progress', 'start', 409, 'This training is already started.'],
    ['csr', 'completed', 'start', 409, 'This training is already completed.'],
    ['csr', 'completed', 'complete', 409, 'This training is already completed.'],
  ];

  test.each(table)('%s, %s, %s → %i', async (who, state, action, expected, message) => {
    const id = await assignmentIn(state);
    const before = await stored(id);
    const res = await step(pages[who], id, action);
    expect(await stored(id)).toEqual(before);
    if (expected === 409) {
      // Pages report a wrong state as an error message after the redirect; the service refuses with 409.
      expect(res.status).toBe(303);
      const back = await pages[who].get(res.headers.location);
      expect(flashes(back.text)).toContainEqual({ kind: 'error', message });
      const actor = who === 'manager' ? org.manager : org.csrA;
      await expect(progressAssignment(ctx.deps, actor, id, action)).rejects.toMatchObject({
        status: 409,
        code: 'wrong_state',
        message,
      });
    } else {
      expect(res.status).toBe(expected);
    }
  });

  test('an admin may confirm completed training', async () => {
    const id = await assignmentIn('completed');
    await step(pages.admin, id, 'confirm');
    expect(await stored(id)).toMatchObject({ confirmed_by: org.admin.id });
  });
});

test("a CSR's training page lists only their own assignments", async () => {
  await assign([org.csrA2], 'Only for the second CSR');
  expect((await pages.csr.get('/training/mine')).text).not.toContain('Only for the second CSR');
  expect((await pages.csr2.get('/training/mine')).text).toContain('Only for the second CSR');
  // And a manager of another department does not see it among assigned training.
  expect((await pages.otherManager.get('/training/assignments')).text).not.toContain('Only for the second CSR');
});

// Last: moves the clock past due dates.
describe('overdue training', () => {
  test('past its due date, unfinished training is overdue for the CSR and the manager; completed training is not', async () => {
    const [late] = await assign([org.csrA], 'Due tomorrow, never done', 1);
    const [done] = await assign([org.csrA], 'Due tomorrow, done', 1);
    await step(pages.csr, done, 'complete');
    const dueCell = (html: string, title: string) =>
      tableRows(html, 0).find((r) => r[0].startsWith(title) || r[1] === title);

    let mine = (await pages.csr.get('/training/mine')).text;
    expect(dueCell(mine, 'Due tomorrow, never done')?.[1]).toBe(`${dateIn(ctx.clock, 1)} 23:59 UTC`);

    // At the very last moment of the due day it is still on time.
    const dueAt = Date.parse((await stored(late)).due_at);
    ctx.clock.advance(dueAt - ctx.clock.now().getTime());
    // Sessions time out while the clock jumps: sign in afresh each time.
    mine = (await (await signIn(ctx.app, org.csrA.username)).get('/training/mine')).text;
    expect(dueCell(mine, 'Due tomorrow, never done')?.[1]).not.toContain('overdue');

    ctx.clock.advance(1);
    mine = (await (await signIn(ctx.app, org.csrA.username)).get('/training/mine')).text;
    expect(dueCell(mine, 'Due tomorrow, never done')?.[1]).toMatch(/ — overdue$/);

    ctx.clock.advance(DAY);
    mine = (await (await signIn(ctx.app, org.csrA.username)).get('/training/mine')).text;
    expect(dueCell(mine, 'Due tomorrow, never done')?.[1]).toMatch(/ — overdue$/);
    expect(dueCell(mine, 'Due tomorrow, done')?.[1]).not.toContain('overdue');

    const manager = await signIn(ctx.app, org.manager.username);
    const assigned = (await manager.get('/training/assignments')).text;
    const lateRow = tableRows(assigned, 0).find((r) => r[1] === 'Due tomorrow, never done');
    expect(lateRow?.[2]).toMatch(/ — overdue$/);
    expect(tableRows(assigned, 0).find((r) => r[1] === 'Due tomorrow, done')?.[2]).not.toContain('overdue');
  });
});
