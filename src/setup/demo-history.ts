import type { NewCall } from '../db/schema';
import { inTransaction } from '../db/transaction';
import type { AppDeps } from '../deps';
import { startEvaluation, saveEvaluation } from '../evaluations';
import { loadRubric } from '../rubrics';
import { createCourse } from '../training';
import {
  backdateEvaluation,
  firstPublishedRubricId,
  insertDemoCall,
  teamSupervisorPairs,
  usersByUsername,
} from './setup.queries';

/** A small deterministic PRNG (mulberry32), so every demo looks the same. */
function random(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The list's element at `index`, which the caller computed to be within it. */
function pick<T>(list: readonly T[], index: number): T {
  const element = list[index];
  if (element === undefined) throw new Error(`Index ${index} is outside a list of ${list.length}.`);
  return element;
}

const CATEGORIES = ['returns', 'order status', 'billing', 'delivery', 'account'];
// How good each demo CSR is: their chance of getting an item right.
const SKILL: Record<string, number> = { 'csr.dana': 0.93, 'csr.lee': 0.85, 'csr.omar': 0.72, 'csr.priya': 0.88 };

type DemoAgent = { id: number; username: string; team_id: number | null };
type DemoCall = { id: number; agent: DemoAgent | null; started_at: string; csat: number | null };

/** One demo call record on the given day: some abandoned, most inbound, waits, holds and CSAT by skill. */
function demoCallRow(rnd: () => number, csrs: DemoAgent[], now: number, day: number, i: number, adminId: number) {
  const abandoned = rnd() < 0.06;
  const agent = abandoned ? null : pick(csrs, Math.floor(rnd() * csrs.length));
  const start = new Date(now - day * 86_400_000 + (8 + rnd() * 9) * 3_600_000);
  const wait = Math.round(rnd() < 0.8 ? rnd() * 30 : 30 + rnd() * 150);
  const csat =
    abandoned || rnd() < 0.4
      ? null
      : Math.max(1, Math.min(5, Math.round((agent ? (SKILL[agent.username] ?? 0.8) : 0.8) * 5 + (rnd() - 0.6) * 2)));
  const row: NewCall = {
    source: 'demo',
    external_id: `demo-${day}-${i}`,
    agent_id: agent?.id ?? null,
    team_id: agent?.team_id ?? pick(csrs, i % csrs.length).team_id,
    started_at: start.toISOString(),
    direction: abandoned || rnd() < 0.85 ? 'inbound' : 'outbound',
    category: pick(CATEGORIES, Math.floor(rnd() * CATEGORIES.length)),
    queue_wait_s: wait,
    hold_s: abandoned ? 0 : rnd() < 0.3 ? Math.round(rnd() * 120) : 0,
    duration_s: abandoned ? 0 : Math.round(90 + rnd() * 500),
    csat,
    abandoned: abandoned ? 1 : 0,
    created_by: adminId,
    created_at: new Date(now).toISOString(),
  };
  return { row, agent, started_at: start.toISOString(), csat };
}

/**
 * Eight weeks of history for the demo: call records (with queue waits, holds, CSAT and some abandoned calls)
 * and scored calls on the standard rubric, so dashboards and reports have something to show.
 */
export async function loadDemoHistory(deps: AppDeps, adminId: number): Promise<void> {
  const rnd = random(20261123);
  const now = deps.clock.now().getTime();
  const csrs = await usersByUsername(deps.db, Object.keys(SKILL));
  if (csrs.length === 0) return;
  const calls: DemoCall[] = [];
  await inTransaction(deps.db, async (trx) => {
    for (let day = 56; day >= 1; day -= 1) {
      for (let i = 0; i < 14; i += 1) {
        const { row, ...call } = demoCallRow(rnd, csrs, now, day, i, adminId);
        calls.push({ id: await insertDemoCall(trx, row), ...call });
      }
    }
  });
  await scoreSomeCalls(deps, adminId, calls, rnd);
  await addDemoCourses(deps, adminId);
}

async function addDemoCourses(deps: AppDeps, adminId: number): Promise<void> {
  await createCourse(
    deps,
    { id: adminId, role: 'admin' },
    {
      title: 'De-escalation essentials',
      provider: 'CalmLine Academy',
      description: 'Handling upset callers without losing the thread.',
      duration_minutes: 180,
      cost_cents: 12_000,
      group_rule: { type: 'every_n_free', n: 4 },
    },
  );
  await createCourse(
    deps,
    { id: adminId, role: 'admin' },
    {
      title: 'Returns and refunds policy refresher',
      provider: 'In-house',
      duration_minutes: 60,
      cost_cents: 4_500,
      group_rule: { type: 'percent_off', min_seats: 5, percent: 20 },
    },
  );
}

type DemoRubric = NonNullable<Awaited<ReturnType<typeof loadRubric>>>;

/** A scorecard's answers for a CSR of this skill: mostly right, sometimes N/A, a comment where one is due. */
function demoAnswers(rubric: DemoRubric, skill: number, rnd: () => number) {
  return rubric.sections.flatMap((s) =>
    s.items.map((item) => {
      const good = rnd() < skill;
      if (item.allow_na && rnd() < 0.15) return { item_id: item.id, value: 'na', comment: null, at_s: null };
      const value =
        item.type === 'yes_no'
          ? good
            ? 'yes'
            : 'no'
          : item.type === 'scale'
            ? good
              ? item.max_points
              : Math.floor(rnd() * item.max_points)
            : pick(item.options, good ? 0 : item.options.length - 1).id;
      const comment =
        good || !item.comment_required
          ? null
          : `Missed at ${String(Math.floor(rnd() * 2)).padStart(2, '0')}:${String(Math.floor(rnd() * 60)).padStart(2, '0')}; talk it through.`;
      return { item_id: item.id, value, comment, at_s: null };
    }),
  );
}

async function scoreSomeCalls(deps: AppDeps, adminId: number, calls: DemoCall[], rnd: () => number) {
  const rubricId = await firstPublishedRubricId(deps.db);
  const rubric = rubricId !== undefined ? await loadRubric(deps.db, rubricId) : undefined;
  if (!rubric) return;
  const supervisors = await teamSupervisorPairs(deps.db);
  // Picked before any scoring, so the draws (and the demo) stay the same.
  const picked = calls.filter((c) => c.agent && rnd() < 0.09);
  for (const call of picked) {
    const agent = call.agent;
    if (!agent) continue;
    const evaluator = supervisors.find((s) => s.team_id === agent.team_id)?.user_id ?? adminId;
    const actor = { id: evaluator, role: evaluator === adminId ? ('admin' as const) : ('supervisor' as const) };
    const answers = demoAnswers(rubric, SKILL[agent.username] ?? 0.85, rnd);
    const draft = await startEvaluation(deps, actor, call.id, rubric.id);
    await saveEvaluation(deps, actor, draft.id, { answers, submit: true, time_spent_s: Math.round(180 + rnd() * 420) });
    // Back-date the scorecard to a day after its call, as if scored over the past weeks.
    const scoredAt = new Date(Date.parse(call.started_at) + 86_400_000).toISOString();
    await backdateEvaluation(deps.db, draft.id, {
      submitted_at: scoredAt,
      released_at: scoredAt,
      created_at: call.started_at,
      updated_at: scoredAt,
    });
  }
}
