/**
 * Scorecards for the generated calls: the standard rubric published as version 1 (through the app's own
 * rubric service), a version 2 started from it and published part-way through the year (v1 is retired
 * then), and one evaluation per unit of calls.evaluation_count with an answer for every item. Answers are
 * checked and scored with the app's own code (`checkAnswers`, then `computeScore` from
 * static/js/score-math.js), so every stored score, section score and pass flag is what the app would store.
 */
import { answerMap, checkAnswers } from '../../src/evaluations/answers';
import { focusAreas } from '../../src/coaching/coaching.sync';
import { STANDARD_RUBRIC } from '../../src/rubrics/default-rubric';
import { loadRubric, type FullItem, type FullRubric } from '../../src/rubrics/rubrics.queries';
import type { RubricInput } from '../../src/rubrics/rubrics.schemas';
import { createRubric, publishRubric, startNewVersion, updateDraft } from '../../src/rubrics/rubrics.service';
import { computeScore } from '../../src/scoring/score';
import { clamp } from '../lib/rng';
import { SeedClock, seedDeps } from './app-deps';
import type { SeedContext, SeedTeam } from './hooks';

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;
const BATCH = 5000;

/**
 * Version 2 of the standard rubric: two more items (the customer's name, further help before closing), the
 * Policy section gets its own 50% threshold,
 * and scorecards are released to the CSR seven days after submission (so recent ones are still "submitted").
 */
export const RUBRIC_V2: RubricInput = {
  ...STANDARD_RUBRIC,
  release_mode: 'after_days',
  release_after_days: 7,
  sections: STANDARD_RUBRIC.sections.map((section) => {
    if (section.title === 'Greeting') {
      return {
        ...section,
        items: [
          ...section.items,
          {
            prompt: "Used the customer's name",
            guidance: 'At least once after verification.',
            type: 'yes_no' as const,
            max: null,
            points: 1,
            options: [],
            allow_na: false,
            critical: false,
            comment_required: false,
            auto: null,
          },
        ],
      };
    }
    if (section.title === 'Resolution and closing') {
      return {
        ...section,
        items: [
          ...section.items,
          {
            prompt: 'Offered further help before closing',
            guidance: 'Asks whether there is anything else before ending the call.',
            type: 'yes_no' as const,
            max: null,
            points: 1,
            options: [],
            allow_na: false,
            critical: false,
            comment_required: false,
            auto: null,
          },
        ],
      };
    }
    if (section.title === 'Policy') return { ...section, threshold: 50 };
    return section;
  }),
};

const ITEM_COMMENTS = [
  'Missed this at the start of the call; we will go through the script together.',
  'Customer had to ask twice. Listen back around the middle of the call.',
  'Partly covered; the policy wording was not clear to the customer.',
  'Information given was out of date. Check the knowledge base article.',
  'Skipped before the account change. Please review the verification steps.',
  'Escalation notes were incomplete, so the next agent had to start over.',
  'Hold was placed without asking. Explain why and give an estimate.',
];
const OVERALL_COMMENTS = [
  'Good call overall, friendly and clear.',
  'Solid handling. Work on the closing.',
  'Customer left happy; a few policy details to tighten.',
  'Needs work on verification before changes.',
  'Great empathy with an upset caller.',
  'Long hold without explanation; otherwise fine.',
];
const ACK_COMMENTS = ['Thanks, understood.', 'Will work on it.', 'Agree with the feedback.', 'Noted, thanks!'];

/** What the coaching hook needs about each failing scorecard. */
export interface FailedEvaluation {
  id: number;
  agentId: number;
  teamId: number;
  evaluatorId: number;
  submittedMs: number;
  /** null while the scorecard is unreleased (a CSR cannot see its coaching yet). */
  releasedMs: number | null;
  focus: string;
}

export interface EvaluationSeed {
  rubrics: FullRubric[];
  failed: FailedEvaluation[];
  evaluations: number;
  answers: number;
  statusCounts: Record<string, number>;
  passRate: number;
}

interface Spec {
  /** Index into ctx.calls.evaluated. */
  k: number;
  evaluatorId: number;
  createdMs: number;
  submittedMs: number;
  spentS: number;
}

interface RawAnswer {
  item_id: number;
  value: string | number;
  comment: string | null;
  at_s: number | null;
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/** Publishes v1 at the start, and v2 (a new version of the same family) part-way through the year. */
async function seedRubrics(
  ctx: SeedContext,
  clock: SeedClock,
): Promise<{ v1: FullRubric; v2: FullRubric; v2Ms: number }> {
  const deps = seedDeps(ctx.sqlite, clock);
  const admin = { id: ctx.org.adminId, role: 'admin' as const };
  const { periodStartMs, periodEndMs } = ctx.calls;
  // The rubric service relies on ON DELETE CASCADE (a draft's sections are replaced with their items).
  ctx.sqlite.pragma('foreign_keys = ON');
  try {
    return await publishVersions(deps, clock, admin, periodStartMs, periodEndMs);
  } finally {
    ctx.sqlite.pragma('foreign_keys = OFF');
  }
}

async function publishVersions(
  deps: ReturnType<typeof seedDeps>,
  clock: SeedClock,
  admin: { id: number; role: 'admin' },
  periodStartMs: number,
  periodEndMs: number,
): Promise<{ v1: FullRubric; v2: FullRubric; v2Ms: number }> {
  clock.ms = periodStartMs - 29 * DAY_MS;
  const v1 = await createRubric(deps, admin, STANDARD_RUBRIC);
  clock.ms += HOUR_MS;
  await publishRubric(deps, admin, v1.id);
  const v2Ms = periodStartMs + Math.round(((periodEndMs - periodStartMs) * 0.55) / DAY_MS) * DAY_MS + 9 * HOUR_MS;
  clock.ms = v2Ms - 3 * DAY_MS;
  const v2Id = await startNewVersion(deps, admin, v1.id);
  clock.ms = v2Ms - 2 * DAY_MS;
  await updateDraft(deps, admin, v2Id, RUBRIC_V2);
  clock.ms = v2Ms;
  await publishRubric(deps, admin, v2Id);
  return { v1: (await loadRubric(deps.db, v1.id))!, v2: (await loadRubric(deps.db, v2Id))!, v2Ms };
}

/** A plausible answer to one item from an agent of the given skill (chance of getting an item right). */
function answerItem(ctx: SeedContext, item: FullItem, skill: number, holdS: number, durationS: number): RawAnswer {
  const { rng } = ctx;
  const base = { item_id: item.id, comment: null as string | null, at_s: null as number | null };
  if (item.allow_na) {
    const hold = /hold/i.test(item.prompt);
    const naShare = hold ? (holdS > 0 ? 0 : 1) : item.critical ? 0.3 : 0.45;
    if (rng.chance(naShare)) return { ...base, value: 'na' };
  }
  // Critical items are failed far less often than ordinary ones.
  const good = item.critical ? !rng.chance((1 - skill) * 0.2) : rng.chance(skill);
  let value: string | number;
  let full = good;
  if (item.type === 'yes_no') {
    value = good ? 'yes' : 'no';
  } else if (item.type === 'scale') {
    value = good ? item.max_points : Math.max(0, item.max_points - 1 - Math.floor(rng.exponential(0.8)));
  } else {
    const best = Math.max(...item.options.map((o) => o.points));
    const top = item.options.filter((o) => o.points === best);
    const rest = item.options.filter((o) => o.points < best).sort((a, b) => b.points - a.points);
    if (good || rest.length === 0) {
      value = (top.length > 1 && rng.chance(0.3) ? top[1] : top[0]).id;
    } else {
      value = (rng.chance(0.65) ? rest[0] : rest[rest.length - 1]).id;
      full = false;
    }
  }
  if (!full) {
    if (item.comment_required || rng.chance(0.3)) base.comment = rng.pick(ITEM_COMMENTS);
    if (rng.chance(0.6) && durationS > 0) base.at_s = Math.round(rng.next() * durationS * 10) / 10;
  }
  return { ...base, value };
}

export async function seedEvaluationRows(ctx: SeedContext): Promise<EvaluationSeed> {
  const { rng, org } = ctx;
  const ev = ctx.calls.evaluated;
  const nowMs = ctx.calls.periodEndMs;
  const clock = new SeedClock(ctx.calls.periodStartMs);
  const { v1, v2, v2Ms } = await seedRubrics(ctx, clock);
  ctx.log(`rubrics: "${v1.name}" v${v1.version} (id ${v1.id}, retired) and v${v2.version} (id ${v2.id}, published)`);

  const teams = new Map<number, SeedTeam>(org.teams.map((t) => [t.id, t]));
  const managerOf = new Map(org.departments.map((d) => [d.id, d.managerId]));
  // How good each CSR is: the chance of getting an item right (median about 0.77; about one scorecard in five fails).
  const skills = new Map<number, number>();
  for (const u of org.users) if (u.role === 'csr') skills.set(u.id, clamp(1 - rng.logNormal(0.23, 0.55), 0.45, 0.995));

  // 1. Who scores which call, and when: one spec per unit of evaluation_count.
  const specs: Spec[] = [];
  for (let k = 0; k < ev.length; k += 1) {
    const team = teams.get(ev.teamIds[k])!;
    const callEndMs = ev.startedAtMs[k] + ev.durationS[k] * 1000;
    let previousMs = callEndMs;
    let previousEvaluator = 0;
    for (let j = 0; j < ev.counts[k]; j += 1) {
      const sups = team.supervisorIds;
      // The second scorecard of a call is another supervisor's, or the department manager's spot check.
      let evaluatorId: number;
      if (j === 0) evaluatorId = sups[rng.int(sups.length)];
      else if (sups.length > 1) evaluatorId = sups[(sups.indexOf(previousEvaluator) + 1) % sups.length];
      else evaluatorId = managerOf.get(team.departmentId)!;
      previousEvaluator = evaluatorId;
      const spentS = Math.round(clamp(rng.logNormal(420, 0.45), 90, 3600));
      const latest = nowMs - 10 * 60_000;
      let submittedMs = previousMs + 10 * 60_000 + spentS * 1000 + rng.logNormal(1.2 * DAY_MS, 1.1);
      if (submittedMs > latest) submittedMs = previousMs + (latest - previousMs) * (0.5 + 0.5 * rng.next());
      const createdMs = Math.max(previousMs + 60_000, submittedMs - spentS * 1000 - rng.int(600_000));
      specs.push({ k, evaluatorId, createdMs, submittedMs: Math.max(submittedMs, createdMs + 60_000), spentS });
      previousMs = submittedMs;
    }
  }
  // Evaluation ids grow with creation time, as drafts are opened.
  specs.sort((a, b) => a.createdMs - b.createdMs);

  // 2. Answers, scores and release state, written in batches.
  const evaluationColumns = [
    'id', 'call_id', 'rubric_id', 'agent_id', 'team_id', 'evaluator_id', 'kind', 'status', 'revision',
    'rescore_count', 'score', 'raw_score', 'passed', 'critical_failed', 'section_scores', 'comment', 'time_spent_s',
    'created_at', 'updated_at', 'updated_by', 'submitted_at', 'release_due_at', 'released_at', 'acknowledged_at',
    'ack_comment',
  ]; // prettier-ignore
  const answerColumns = ['evaluation_id', 'item_id', 'value', 'points', 'max_points', 'comment', 'at_s'];
  const insertEvaluation = ctx.sqlite.prepare(
    `insert into evaluations (${evaluationColumns.join(', ')}) values (${evaluationColumns.map(() => '?').join(', ')})`,
  );
  const insertAnswer = ctx.sqlite.prepare(
    `insert into evaluation_answers (${answerColumns.join(', ')}) values (${answerColumns.map(() => '?').join(', ')})`,
  );
  const begin = ctx.sqlite.prepare('begin');
  const commit = ctx.sqlite.prepare('commit');
  const items = new Map([v1, v2].map((r) => [r.id, r.sections.flatMap((s) => s.items)]));
  const failed: FailedEvaluation[] = [];
  const statusCounts: Record<string, number> = { submitted: 0, released: 0, acknowledged: 0 };
  let answers = 0;
  let passed = 0;
  const row: unknown[] = new Array(evaluationColumns.length).fill(null);
  begin.run();
  specs.forEach((spec, index) => {
    const id = index + 1;
    const { k } = spec;
    const agentId = ev.agentIds[k];
    const rubric = spec.createdMs < v2Ms ? v1 : v2;
    const skill = clamp(skills.get(agentId)! + rng.normal() * 0.05, 0.4, 1);
    const raw = items.get(rubric.id)!.map((item) => answerItem(ctx, item, skill, ev.holdS[k], ev.durationS[k]));
    const checked = checkAnswers(rubric, raw, true);
    const result = computeScore(rubric, answerMap(checked, rubric));

    // Release: v1 on submit; v2 seven days later by the hourly job (unless that is still ahead).
    let status: 'submitted' | 'released' | 'acknowledged' = 'released';
    let releaseDueMs: number | null = null;
    let releasedMs: number | null = spec.submittedMs;
    let revision = 2 + rng.int(4); // created, autosaves, submitted
    let updatedMs = spec.submittedMs;
    if (rubric.release_mode === 'after_days') {
      releaseDueMs = spec.submittedMs + (rubric.release_after_days ?? 1) * DAY_MS;
      if (releaseDueMs <= nowMs) {
        releasedMs = Math.min(nowMs, releaseDueMs + rng.int(HOUR_MS));
        revision += 1;
        updatedMs = releasedMs;
      } else {
        status = 'submitted';
        releasedMs = null;
      }
    }
    let ackMs: number | null = null;
    if (releasedMs !== null && rng.chance(0.7)) {
      const at = releasedMs + Math.max(10 * 60_000, rng.logNormal(20 * HOUR_MS, 1));
      if (at < nowMs) {
        ackMs = at;
        status = 'acknowledged';
        revision += 1;
        updatedMs = at;
      }
    }
    statusCounts[status] += 1;
    if (result.passed) passed += 1;

    row[0] = id;
    row[1] = ev.callIds[k];
    row[2] = rubric.id;
    row[3] = agentId;
    row[4] = ev.teamIds[k];
    row[5] = spec.evaluatorId;
    row[6] = 'standard';
    row[7] = status;
    row[8] = revision;
    row[9] = 0;
    row[10] = result.score;
    row[11] = result.raw_score;
    row[12] = result.passed === null ? null : result.passed ? 1 : 0;
    row[13] = result.critical_failed ? 1 : 0;
    row[14] = JSON.stringify(result.sections);
    row[15] = rng.chance(0.6) ? rng.pick(OVERALL_COMMENTS) : null;
    row[16] = spec.spentS;
    row[17] = iso(spec.createdMs);
    row[18] = iso(updatedMs);
    row[19] = spec.evaluatorId;
    row[20] = iso(spec.submittedMs);
    row[21] = releaseDueMs === null ? null : iso(releaseDueMs);
    row[22] = releasedMs === null ? null : iso(releasedMs);
    row[23] = ackMs === null ? null : iso(ackMs);
    row[24] = ackMs !== null && rng.chance(0.25) ? rng.pick(ACK_COMMENTS) : null;
    insertEvaluation.run(row);
    for (const a of checked) {
      insertAnswer.run(id, a.item_id, a.value, a.points, a.max_points, a.comment, a.at_s);
      answers += 1;
    }
    if (result.passed === false) {
      failed.push({
        id,
        agentId,
        teamId: ev.teamIds[k],
        evaluatorId: spec.evaluatorId,
        submittedMs: spec.submittedMs,
        releasedMs,
        focus: JSON.stringify(focusAreas(rubric, result)),
      });
    }
    if (id % BATCH === 0) {
      commit.run();
      begin.run();
    }
  });
  commit.run();
  return {
    rubrics: [v1, v2],
    failed,
    evaluations: specs.length,
    answers,
    statusCounts,
    passRate: specs.length ? passed / specs.length : 0,
  };
}
