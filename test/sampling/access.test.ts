import type { User } from '../../src/db/schema';
import { makeTestApp, type TestContext } from '../helpers/app';
import { buildOrg, type Org } from '../helpers/builders';
import { postForm, signIn, type Agent } from '../helpers/http';
import { saveEvaluation } from '../../src/evaluations/evaluations.service';
import type { FullRubric } from '../../src/rubrics/rubrics.queries';
import { api, publishedRubric, tokenFor, workedExampleAnswers, workedExampleRubric } from '../helpers/scoring';
import { addSupervisor, clockTo, insertCall, picksOf, planFor } from './fixtures';

// Who may see sampling: staff within their teams. Out of scope is a 404; a CSR is refused outright and
// finds no trace of a pick on any page or API answer of theirs.

let ctx: TestContext;
let org: Org;
let secondSupervisorA: User;
let rubric: FullRubric;
const agents = new Map<string, Agent>();

async function as(user: User): Promise<Agent> {
  if (!agents.has(user.username)) agents.set(user.username, await signIn(ctx.app, user.username));
  return agents.get(user.username)!;
}

/** The call ids linked from the "Assigned to you" section of /evaluations. */
function assignedCallIds(html: string): number[] {
  const start = html.indexOf('id="assigned-heading"');
  if (start < 0) return [];
  const section = html.slice(start, html.indexOf('</section>', start));
  return [...section.matchAll(/href="\/calls\/(\d+)"/g)].map((m) => Number(m[1]));
}

/** A page as the CSR sees it, minus what changes on every request (CSRF tokens). */
async function csrView(agent: Agent, path: string): Promise<{ status: number; text: string }> {
  const res = await agent.get(path);
  return { status: res.status, text: res.text.replace(/value="[^"]{20,}"/g, 'value="…"') };
}

const CSR_PAGES = ['/', '/scorecards', '/coaching', '/training/mine', '/profile'];
const CSR_API = ['/api/v1/me', '/api/v1/evaluations', '/api/v1/coaching-tasks', '/api/v1/calls'];

let csrBefore: Record<string, { status: number; text: string }>;
let csrToken: string;

beforeAll(async () => {
  ctx = makeTestApp();
  org = await buildOrg(ctx.deps);
  secondSupervisorA = await addSupervisor(ctx.deps, org.teamA);
  rubric = await publishedRubric(ctx.deps, workedExampleRubric());
  clockTo(ctx, '2026-12-10T12:00:00Z');
  for (const [csr, team] of [
    [org.csrA, org.teamA],
    [org.csrA2, org.teamA],
    [org.csrB, org.teamB],
    [org.otherCsr, org.otherTeam],
  ] as const) {
    for (let d = 1; d <= 9; d += 1) {
      await insertCall(ctx.deps, csr, { startedAt: `2026-12-0${d}T10:00:00.000Z`, teamId: team });
    }
  }
  const csrAgent = await as(org.csrA);
  csrToken = await tokenFor(ctx.deps, org.csrA);
  csrBefore = {};
  for (const path of CSR_API) {
    const res = await api(ctx.app, csrToken).get(path);
    csrBefore[path] = { status: res.status, text: JSON.stringify(res.body) };
  }
  // After the API calls: the profile page shows when the token was last used.
  for (const path of CSR_PAGES) csrBefore[path] = await csrView(csrAgent, path);
  for (const team of [org.teamA, org.teamB, org.otherTeam]) await planFor(ctx.deps, org.admin, team, { per_csr: 4 });
});
afterAll(async () => ctx.close());

describe('who may open which sampling page', () => {
  const routes = (team: number) => ({
    plan: `/sampling/teams/${team}`,
    picks: `/sampling/teams/${team}/picks`,
    form: `/sampling/teams/${team}/plan`,
  });

  // role × team (own / other department's) × page → status
  test.each([
    ['admin', 'teamA', 200, 200, 200],
    ['admin', 'otherTeam', 200, 200, 200],
    ['manager', 'teamA', 200, 200, 200],
    ['manager', 'teamB', 200, 200, 200],
    ['manager', 'otherTeam', 404, 404, 404],
    ['otherManager', 'teamA', 404, 404, 404],
    ['supervisorA', 'teamA', 200, 200, 403],
    ['supervisorA', 'teamB', 404, 404, 404],
    ['supervisorB', 'teamA', 404, 404, 404],
    ['csrA', 'teamA', 403, 403, 403],
    ['csrA', 'otherTeam', 403, 403, 403],
  ] as const)('%s on %s: plan %i, picks %i, plan form %i', async (who, team, plan, picks, form) => {
    const agent = await as(org[who]);
    const paths = routes(org[team]);
    expect([
      (await agent.get(paths.plan)).status,
      (await agent.get(paths.picks)).status,
      (await agent.get(paths.form)).status,
    ]).toEqual([plan, picks, form]);
  });

  test.each([
    ['manager', 'otherTeam', 404],
    ['otherManager', 'teamA', 404],
    ['supervisorA', 'teamB', 404],
    ['supervisorA', 'teamA', 403],
  ] as const)('%s saving the plan of %s: %i, and the plan stays as it was', async (who, team, status) => {
    const before = await ctx.deps.db
      .selectFrom('sampling_plans')
      .selectAll()
      .where('team_id', '=', org[team])
      .execute();
    const res = await postForm(await as(org[who]), `/sampling/teams/${org[team]}/plan`, {
      per_csr: 9,
      period: 'week',
      active: 'on',
    });
    expect(res.status).toBe(status);
    expect(
      await ctx.deps.db.selectFrom('sampling_plans').selectAll().where('team_id', '=', org[team]).execute(),
    ).toEqual(before);
  });

  test('a team that does not exist, or a malformed id or period, is a 404', async () => {
    const admin = await as(org.admin);
    for (const path of [
      '/sampling/teams/999999',
      '/sampling/teams/999999/picks',
      '/sampling/teams/abc',
      `/sampling/teams/${org.teamA}?period=2026-13`,
      `/sampling/teams/${org.teamA}?period=2026-W50`,
      `/sampling/teams/${org.teamA}/picks?period=nonsense`,
    ]) {
      expect({ path, status: (await admin.get(path)).status }).toEqual({ path, status: 404 });
    }
  });

  test('the overview lists only the teams in scope', async () => {
    const names = async (user: User) => {
      const res = await (await as(user)).get('/sampling');
      expect(res.status).toBe(200);
      return [...res.text.matchAll(/href="\/sampling\/teams\/(\d+)"/g)].map((m) => Number(m[1])).sort();
    };
    expect(await names(org.manager)).toEqual([org.teamA, org.teamB].sort());
    expect(await names(org.supervisorA)).toEqual([org.teamA]);
    expect(await names(org.otherManager)).toEqual([org.otherTeam]);
    expect(await names(org.admin)).toEqual([org.teamA, org.teamB, org.otherTeam].sort());
  });

  test('staff see a Sampling link in the navigation; a CSR does not', async () => {
    for (const who of ['admin', 'manager', 'supervisorA'] as const) {
      expect((await (await as(org[who])).get('/')).text).toContain('href="/sampling"');
    }
    expect((await (await as(org.csrA)).get('/')).text).not.toContain('/sampling');
  });
});

describe("a supervisor's queue", () => {
  test('shows their own picks with due dates, and nobody else’s', async () => {
    const picks = await picksOf(ctx.deps, org.teamA);
    expect(picks.length).toBe(4); // 2 CSRs × ceil(4 × 9.5/31) = 2 each
    for (const supervisor of [org.supervisorA, secondSupervisorA]) {
      const res = await (await as(supervisor)).get('/evaluations');
      expect(res.status).toBe(200);
      expect(res.text).toContain('Assigned to you');
      expect(res.text).toContain('2026-12-31');
      const own = picks.filter((p) => p.supervisor_id === supervisor.id).map((p) => p.call_id!);
      expect(own.length).toBe(2);
      expect(assignedCallIds(res.text).sort()).toEqual(own.sort());
    }
    const other = await (await as(org.supervisorB)).get('/evaluations');
    const teamBPicks = (await picksOf(ctx.deps, org.teamB)).map((p) => p.call_id!);
    expect(assignedCallIds(other.text).sort()).toEqual(teamBPicks.sort());
    expect(assignedCallIds(other.text).some((id) => picks.some((p) => p.call_id === id))).toBe(false);
  });

  test('a pick leaves the queue once anyone submits an evaluation of its call', async () => {
    // csrA2's pick, so csrA's pages (checked below) see no released scorecard appear.
    const pick = (await picksOf(ctx.deps, org.teamA)).find((p) => p.csr_id === org.csrA2.id)!;
    const assignee = [org.supervisorA, secondSupervisorA].find((s) => s.id === pick.supervisor_id)!;
    const manager = await as(org.manager);
    const start = await postForm(
      manager,
      '/evaluations/start',
      { call_id: pick.call_id, rubric_id: rubric.id },
      '/evaluations',
    );
    expect(start.status).toBe(303);
    // A draft by someone else does not make it done.
    expect(assignedCallIds((await (await as(assignee)).get('/evaluations')).text)).toContain(pick.call_id);
    const evaluationId = Number(/\/evaluations\/(\d+)\/score/.exec(start.headers.location)![1]);
    await saveEvaluation(ctx.deps, { id: org.manager.id, role: 'manager' }, evaluationId, {
      answers: workedExampleAnswers(rubric),
      submit: true,
    });
    expect(assignedCallIds((await (await as(assignee)).get('/evaluations')).text)).not.toContain(pick.call_id);
  });
});

describe('a CSR', () => {
  test('is refused every sampling page and the scoring queue', async () => {
    const csr = await as(org.csrA);
    for (const path of [
      '/sampling',
      `/sampling/teams/${org.teamA}`,
      `/sampling/teams/${org.teamA}/picks`,
      '/evaluations',
    ]) {
      expect({ path, status: (await csr.get(path)).status }).toEqual({ path, status: 403 });
    }
    const res = await postForm(csr, `/sampling/teams/${org.teamA}/plan`, { per_csr: 1, period: 'week' });
    expect(res.status).toBe(403);
  });

  test('finds no trace of the picks on their pages or in their API answers', async () => {
    expect((await picksOf(ctx.deps, org.teamA)).some((p) => p.csr_id === org.csrA.id)).toBe(true);
    const csr = await as(org.csrA);
    for (const path of CSR_PAGES) {
      const now = await csrView(csr, path);
      expect({ path, ...now }).toEqual({ path, ...csrBefore[path] });
      expect(now.text).not.toMatch(/sampl|assigned-heading|>Assigned to you<|picked/i);
    }
    for (const path of CSR_API) {
      const res = await api(ctx.app, csrToken).get(path);
      expect({ path, status: res.status, text: JSON.stringify(res.body) }).toEqual({ path, ...csrBefore[path] });
    }
  });
});
