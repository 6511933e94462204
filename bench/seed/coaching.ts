/**
 * One coaching task per failing scorecard, as syncCoachingTask makes them at submission: the CSR, the
 * assignee (the evaluator when they supervise the team, else the team's first supervisor), the focus
 * (the app's focusAreas of the score), due after the default 7 days. Older tasks have moved on
 * (scheduled → completed → acknowledged by the CSR); recent ones are open or scheduled; a few old ones are
 * still open, so dashboards have overdue coaching to show.
 */
import { DEFAULT_SETTINGS } from '../../src/settings/settings.service';
import type { FailedEvaluation } from './evaluations';
import type { SeedContext } from './hooks';

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;

const NOTES = [
  'Listened to the call together and went through the missed items.',
  'Role-played the verification steps and the hold script.',
  'Reviewed the returns policy article and two example calls.',
  'Talked through the escalation path and what the notes need.',
];
const ACTIONS = [
  'Use the checklist on the next ten calls.',
  'Shadow a senior agent for an hour this week.',
  'Re-read the policy article; quiz on Friday.',
  null,
];

export function seedCoachingRows(ctx: SeedContext, failed: FailedEvaluation[]): number {
  const { rng, org } = ctx;
  const nowMs = ctx.calls.periodEndMs;
  const supervisorsOf = new Map(org.teams.map((t) => [t.id, [...t.supervisorIds].sort((a, b) => a - b)]));
  const dueDays = DEFAULT_SETTINGS.coaching_due_days;
  // Tasks are made at submission, so their ids follow submission time.
  const ordered = [...failed].sort((a, b) => a.submittedMs - b.submittedMs);
  const columns = [
    'id', 'csr_id', 'assignee_id', 'team_id', 'evaluation_id', 'parent_task_id', 'status', 'focus', 'due_at',
    'scheduled_at', 'completed_at', 'notes', 'actions', 'acknowledged_at', 'cancelled_at', 'cancel_note',
    'created_by', 'created_at', 'updated_at',
  ]; // prettier-ignore
  const rows = ordered.map((f, index) => {
    const sups = supervisorsOf.get(f.teamId) ?? [];
    const assignee = sups.includes(f.evaluatorId) ? f.evaluatorId : (sups[0] ?? null);
    const createdMs = f.submittedMs;
    const dueMs = createdMs + dueDays * DAY_MS;
    const ageDays = (nowMs - createdMs) / DAY_MS;
    const r = rng.next();
    let target: 'open' | 'scheduled' | 'completed' | 'acknowledged';
    if (f.releasedMs === null || ageDays < 3) target = r < 0.7 ? 'open' : 'scheduled';
    else if (ageDays < 14) target = r < 0.25 ? 'open' : r < 0.55 ? 'scheduled' : r < 0.8 ? 'completed' : 'acknowledged';
    else target = r < 0.03 ? 'open' : r < 0.05 ? 'scheduled' : r < 0.15 ? 'completed' : 'acknowledged';

    let status: typeof target = 'open';
    let updatedMs = createdMs;
    let scheduledMs: number | null = null;
    let completedMs: number | null = null;
    let ackMs: number | null = null;
    if (target !== 'open') {
      scheduledMs = createdMs + (1 + rng.next() * 5) * DAY_MS;
      scheduledMs = Math.floor(scheduledMs / HOUR_MS) * HOUR_MS;
      status = 'scheduled';
      updatedMs = createdMs + rng.next() * Math.min(DAY_MS, nowMs - createdMs);
    }
    if ((target === 'completed' || target === 'acknowledged') && scheduledMs! + HOUR_MS < nowMs) {
      completedMs = scheduledMs! + (30 + rng.int(40)) * 60_000;
      status = 'completed';
      updatedMs = completedMs;
      // The CSR acknowledges once they can see the scorecard behind it.
      const at = Math.max(completedMs, f.releasedMs ?? Infinity) + rng.logNormal(DAY_MS, 0.8);
      if (target === 'acknowledged' && at < nowMs) {
        ackMs = at;
        status = 'acknowledged';
        updatedMs = at;
      }
    }
    const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
    return [
      index + 1,
      f.agentId,
      assignee,
      f.teamId,
      f.id,
      null,
      status,
      f.focus,
      iso(dueMs),
      iso(scheduledMs),
      iso(completedMs),
      completedMs === null ? null : rng.pick(NOTES),
      completedMs === null ? null : rng.pick(ACTIONS),
      iso(ackMs),
      null,
      null,
      f.evaluatorId,
      iso(createdMs),
      iso(updatedMs),
    ];
  });
  return ctx.bulkInsert('coaching_tasks', columns, rows);
}
