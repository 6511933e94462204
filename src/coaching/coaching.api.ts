import { Router } from 'express';
import type { AppDeps } from '../deps';
import type { CoachingTask } from '../db/schema';
import { idParam } from '../lib/forms';
import { clientIp } from '../lib/http';
import { parseInput } from '../lib/validation';
import { actorOf, coachingListScope, isCoachingOverdue } from '../policy';
import { listCoachingTasks } from './coaching.queries';
import { coachingListQuerySchema } from './coaching.schemas';
import { changeCoachingTask, visibleTaskOr404 } from './coaching.service';

export function coachingTaskJson(
  task: Pick<
    CoachingTask,
    | 'id'
    | 'csr_id'
    | 'assignee_id'
    | 'team_id'
    | 'evaluation_id'
    | 'status'
    | 'focus'
    | 'due_at'
    | 'scheduled_at'
    | 'completed_at'
    | 'acknowledged_at'
    | 'created_at'
  >,
  now: string,
) {
  return {
    id: task.id,
    csr_id: task.csr_id,
    assignee_id: task.assignee_id,
    team_id: task.team_id,
    evaluation_id: task.evaluation_id,
    status: task.status,
    overdue: isCoachingOverdue(task, now),
    focus: JSON.parse(task.focus) as unknown[],
    due_at: task.due_at,
    scheduled_at: task.scheduled_at,
    completed_at: task.completed_at,
    acknowledged_at: task.acknowledged_at,
    created_at: task.created_at,
  };
}

export function coachingApiRoutes(deps: AppDeps): Router {
  const router = Router();

  router.get('/', async (req, res) => {
    const actor = actorOf(req);
    const query = parseInput(coachingListQuerySchema, req.query);
    const now = deps.clock.now().toISOString();
    const page = await listCoachingTasks(deps.db, {
      ...(await coachingListScope(deps.db, actor)),
      statuses: query.status ? [query.status] : undefined,
      overdueAt: query.overdue === 'true' ? now : undefined,
      beforeId: query.cursor,
      limit: query.limit,
    });
    res.json({
      items: page.items.map((t) => coachingTaskJson(t, now)),
      next_cursor: page.nextBeforeId ? String(page.nextBeforeId) : null,
    });
  });

  router.get('/:id', async (req, res) => {
    const task = await visibleTaskOr404(deps, actorOf(req), idParam(req, 'coaching task'));
    res.json(coachingTaskJson(task, deps.clock.now().toISOString()));
  });

  router.patch('/:id', async (req, res) => {
    const id = idParam(req, 'coaching task');
    const task = await changeCoachingTask(deps, actorOf(req), id, req.body, clientIp(req));
    res.json(coachingTaskJson(task, deps.clock.now().toISOString()));
  });

  return router;
}
