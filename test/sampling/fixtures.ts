import type { Direction, RecordingStatus, User } from '../../src/db/schema';
import type { AppDeps } from '../../src/deps';
import { saveEvaluation, startEvaluation } from '../../src/evaluations/evaluations.service';
import type { FullRubric } from '../../src/rubrics/rubrics.queries';
import { savePlan } from '../../src/sampling/sampling.service';
import type { TestContext } from '../helpers/app';
import { buildUser } from '../helpers/builders';
import { workedExampleAnswers } from '../helpers/scoring';

// Builders for the sampling tests: calls straight into the table (no audio needed), the clock moved to a
// given instant, plans saved through the service with a fixed seed.

export interface CallSpec {
  startedAt: string;
  /** 'stored' (default) has a recording; null or another status has none to listen to. */
  recording?: RecordingStatus | null;
  category?: string | null;
  durationS?: number;
  direction?: Direction;
  teamId?: number;
  externalId?: string;
}

let serial = 0;

export async function insertCall(deps: AppDeps, agent: User, spec: CallSpec): Promise<number> {
  serial += 1;
  const externalId = spec.externalId ?? `sampling-${serial}`;
  const recording = spec.recording === undefined ? 'stored' : spec.recording;
  const row = await deps.db
    .insertInto('calls')
    .values({
      external_id: externalId,
      agent_id: agent.id,
      team_id: spec.teamId ?? agent.team_id,
      started_at: spec.startedAt,
      direction: spec.direction ?? 'inbound',
      category: spec.category === undefined ? 'billing' : spec.category,
      duration_s: spec.durationS ?? 180,
      recording_status: recording,
      recording_file: recording === 'stored' ? `${externalId}.wav` : null,
      created_at: spec.startedAt,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

/** Moves the test clock forward to `iso` (never back). */
export function clockTo(ctx: TestContext, iso: string): void {
  const delta = Date.parse(iso) - ctx.clock.now().getTime();
  if (delta < 0) throw new Error(`the clock is already past ${iso}`);
  ctx.clock.advance(delta);
}

export const SEED = 'c0ffee00c0ffee00c0ffee00c0ffee00';

/** Saves a plan as the admin with a fixed seed for the periods it opens. */
export async function planFor(
  deps: AppDeps,
  admin: User,
  teamId: number,
  fields: Record<string, unknown> = {},
  seed = SEED,
) {
  return savePlan(
    deps,
    { id: admin.id, role: 'admin' },
    teamId,
    { per_csr: 4, period: 'month', active: 'on', ...fields },
    undefined,
    { newSeed: () => seed },
  );
}

export async function addSupervisor(deps: AppDeps, teamId: number): Promise<User> {
  const supervisor = await buildUser(deps, 'supervisor');
  await deps.db.insertInto('team_supervisors').values({ team_id: teamId, user_id: supervisor.id }).execute();
  return supervisor;
}

/** Scores and submits the call through the evaluation service, as `evaluator` would. */
export async function submitEvaluation(deps: AppDeps, evaluator: User, callId: number, rubric: FullRubric) {
  const actor = { id: evaluator.id, role: evaluator.role };
  const draft = await startEvaluation(deps, actor, callId, rubric.id);
  return saveEvaluation(deps, actor, draft.id, { answers: workedExampleAnswers(rubric), submit: true });
}

/** The picks of a team, oldest first, with their call. */
export async function picksOf(deps: AppDeps, teamId: number) {
  return deps.db
    .selectFrom('sampling_picks as p')
    .leftJoin('calls', 'calls.id', 'p.call_id')
    .selectAll('p')
    .select([
      'calls.agent_id',
      'calls.team_id as call_team_id',
      'calls.started_at',
      'calls.recording_status',
      'calls.category',
      'calls.duration_s',
      'calls.direction',
      'calls.external_id',
    ])
    .where('p.team_id', '=', teamId)
    .orderBy('p.id')
    .execute();
}

export function countBy<T>(items: T[], key: (item: T) => number | string | null): Map<number | string | null, number> {
  const counts = new Map<number | string | null, number>();
  for (const item of items) counts.set(key(item), (counts.get(key(item)) ?? 0) + 1);
  return counts;
}
