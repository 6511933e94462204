import type { AppDeps } from '../deps';
import { isCoachingOverdue, isCsr, type Actor } from '../policy';
import { listCourses, recommendationsOfTask } from '../training';
import { displayNameOf, evaluationSummary, scoringMoments } from './coaching-page.queries';
import { childTasks } from './coaching.queries';
import { followUp, visibleTaskOr404 } from './coaching.service';

/** Everything a coaching task's page shows: the people, the scorecard behind it, its moments and what followed. */
export async function taskPage(deps: AppDeps, actor: Actor, id: number) {
  const task = await visibleTaskOr404(deps, actor, id);
  const [csr, assignee, evaluation, children, courses, follow, recommendations] = await Promise.all([
    displayNameOf(deps.db, task.csr_id),
    task.assignee_id ? displayNameOf(deps.db, task.assignee_id) : undefined,
    task.evaluation_id ? evaluationSummary(deps.db, task.evaluation_id) : undefined,
    childTasks(deps.db, id),
    isCsr(actor) ? Promise.resolve([]) : listCourses(deps.db, false),
    followUp(deps, task, isCsr(actor)),
    recommendationsOfTask(deps.db, id),
  ]);
  if (!csr) throw new Error(`Coaching task ${id} names a CSR who does not exist.`);
  const moments = task.evaluation_id ? await scoringMoments(deps.db, task.evaluation_id) : [];
  const now = deps.clock.now().toISOString();
  return {
    title: `Coaching for ${csr.display_name}`,
    task,
    focus: JSON.parse(task.focus) as unknown,
    csr,
    assigneeName: assignee?.display_name ?? '—',
    evaluation,
    moments,
    children,
    parent: task.parent_task_id,
    courses,
    follow,
    recommendations,
    now,
    overdue: isCoachingOverdue(task, now),
  };
}
