import type { CalibrationSession } from '../db/schema';
import type { AppDeps } from '../deps';
import { canManageSession, othersVisible, teamScope, type Actor } from '../policy';
import { loadRubric } from '../rubrics';
import {
  answersOfEvaluations,
  displayNameOf,
  listSessions,
  participantsOf,
  sessionCall,
  type Participant,
} from './calibration.queries';
import { driftByEvaluator, scoreDeviations, sessionResults, type RaterInput } from './results';

/** The evaluators who submitted their calibration scorecard, as the results take them. */
function submittedRaters(participants: Participant[]): RaterInput[] {
  return participants.flatMap((p) =>
    p.evaluation_status === 'submitted' && p.evaluation_id !== null
      ? [
          {
            user_id: p.user_id,
            name: p.display_name,
            evaluation_id: p.evaluation_id,
            score: p.score,
            critical_failed: p.critical_failed === 1,
            comment: p.comment,
          },
        ]
      : [],
  );
}

/**
 * Everything the session page and the API show, with blindness applied: until the session allows it, the
 * actor sees who has submitted but no one's answers or scores but their own.
 */
export async function sessionView(deps: AppDeps, actor: Actor, session: CalibrationSession) {
  const [rubric, participants, call, creator, visible, manage] = await Promise.all([
    loadRubric(deps.db, session.rubric_id),
    participantsOf(deps.db, session.id),
    sessionCall(deps.db, session.call_id),
    session.created_by ? displayNameOf(deps.db, session.created_by) : undefined,
    othersVisible(deps.db, actor, session),
    canManageSession(deps.db, actor, session),
  ]);
  if (!rubric) throw new Error(`the rubric of calibration session ${session.id} is gone`);
  const own = participants.find((p) => p.user_id === actor.id);
  const submitted = submittedRaters(participants);
  const shown = visible ? submitted : submitted.filter((r) => r.user_id === actor.id);
  const answers = await answersOfEvaluations(
    deps.db,
    shown.map((r) => r.evaluation_id),
  );
  const results = visible && shown.length > 0 ? sessionResults(rubric, shown, answers, session.expert_id) : null;
  return {
    session,
    rubric,
    call,
    creatorName: creator?.display_name ?? '—',
    expert: participants.find((p) => p.user_id === session.expert_id) ?? null,
    participants: participants.map((p) => ({
      user_id: p.user_id,
      name: p.display_name,
      is_expert: p.user_id === session.expert_id,
      progress:
        p.evaluation_status === 'submitted' ? 'submitted' : p.evaluation_status === 'draft' ? 'scoring' : 'not started',
      submitted_at: p.evaluation_status === 'submitted' ? p.submitted_at : null,
    })),
    own: own
      ? {
          evaluation_id: own.evaluation_id,
          status: own.evaluation_status,
          score: own.score,
          submitted: own.evaluation_status === 'submitted',
        }
      : null,
    visible,
    canManage: manage && session.status === 'open',
    results,
  };
}

export type SessionView = Awaited<ReturnType<typeof sessionView>>;

/** How far each evaluator's scores sit from the reference across the closed sessions the actor may see. */
export async function driftReport(deps: AppDeps, actor: Actor, limit = 100) {
  const scope = await teamScope(deps.db, actor);
  const sessions = (await listSessions(deps.db, { scope, actor, status: 'closed', limit })).reverse();
  const perSession = [];
  for (const s of sessions) {
    const raters = submittedRaters(await participantsOf(deps.db, s.id));
    perSession.push(scoreDeviations(raters, s.expert_id));
  }
  return { sessions: sessions.length, rows: driftByEvaluator(perSession) };
}
