import { Router, type Request, type Response } from 'express';
import { requireSignedIn } from '../auth';
import type { AppDeps } from '../deps';
import { AppError, NotFound, Validation } from '../lib/errors';
import { clientIp, flash, pickFields } from '../lib/http';
import { parseIdParam } from '../lib/validation';
import { actorOf, requireRole, STAFF_ROLES, teamScope } from '../policy';
import { listCourses } from '../training';
import { recommendTraining } from '../training';
import { listPeople } from '../users';
import { listCoachingTasks } from './coaching.queries';
import { changeCoachingTask, createManualTask, followUp, recoach, visibleTaskOr404 } from './coaching.service';

const FILTERS = {
  open: ['open'],
  scheduled: ['scheduled'],
  done: ['completed', 'acknowledged'],
  cancelled: ['cancelled'],
} as const;

function idParam(req: Request): number {
  const id = parseIdParam(req.params.id);
  if (id === null) throw new NotFound('No such coaching task.');
  return id;
}

export function coachingRoutes(deps: AppDeps): Router {
  const router = Router();
  const staff = requireRole(...STAFF_ROLES);

  router.get('/coaching', requireSignedIn, async (req, res) => {
    const actor = actorOf(req);
    const now = deps.clock.now().toISOString();
    const filter =
      typeof req.query.show === 'string' && (req.query.show in FILTERS || req.query.show === 'overdue')
        ? req.query.show
        : 'active';
    const scope = await teamScope(deps.db, actor);
    const statuses =
      filter === 'active'
        ? (['open', 'scheduled'] as const)
        : filter === 'overdue'
          ? undefined
          : FILTERS[filter as keyof typeof FILTERS];
    const page = await listCoachingTasks(deps.db, {
      teamIds: actor.role === 'csr' || scope.all ? 'all' : scope.teamIds,
      csrId: actor.role === 'csr' ? actor.id : undefined,
      releasedOnly: actor.role === 'csr',
      statuses: statuses ? [...statuses] : undefined,
      overdueAt: filter === 'overdue' ? now : undefined,
      limit: 200,
    });
    res.render('coaching/list', { title: 'Coaching', tasks: page.items, filter, now });
  });

  async function renderNew(
    req: Request,
    res: Response,
    status = 200,
    values: Record<string, unknown> = {},
    errors: Record<string, string> = {},
  ) {
    const scope = await teamScope(deps.db, actorOf(req));
    const csrs = await listPeople(deps.db, { scope, role: 'csr', includeInactive: false });
    const due = new Date(deps.clock.now().getTime() + 7 * 86_400_000).toISOString().slice(0, 10);
    res
      .status(status)
      .render('coaching/new', { title: 'New coaching task', csrs, values: { due_at: due, ...values }, errors });
  }

  router.get('/coaching/new', staff, async (req, res) =>
    renderNew(req, res, 200, pickFields(req.query, ['csr_id', 'evaluation_id'])),
  );

  router.post('/coaching', staff, async (req, res) => {
    const values = pickFields(req.body, ['csr_id', 'focus', 'due_at', 'evaluation_id']);
    try {
      const id = await createManualTask(deps, actorOf(req), values, clientIp(req));
      flash(req, 'success', 'Coaching task created.');
      res.redirect(303, `/coaching/${id}`);
    } catch (err) {
      if (!(err instanceof Validation)) throw err;
      await renderNew(req, res, 422, values, err.byField());
    }
  });

  async function renderTask(
    req: Request,
    res: Response,
    id: number,
    status = 200,
    errors: Record<string, string> = {},
  ) {
    const actor = actorOf(req);
    const task = await visibleTaskOr404(deps, actor, id);
    const [csr, assignee, evaluation, children, courses, follow, recommendations] = await Promise.all([
      deps.db
        .selectFrom('users')
        .select(['id', 'display_name'])
        .where('id', '=', task.csr_id)
        .executeTakeFirstOrThrow(),
      task.assignee_id
        ? deps.db.selectFrom('users').select(['display_name']).where('id', '=', task.assignee_id).executeTakeFirst()
        : undefined,
      task.evaluation_id
        ? deps.db
            .selectFrom('evaluations as e')
            .innerJoin('rubrics as r', 'r.id', 'e.rubric_id')
            .innerJoin('calls as c', 'c.id', 'e.call_id')
            .select([
              'e.id',
              'e.score',
              'e.raw_score',
              'e.critical_failed',
              'r.name as rubric_name',
              'c.started_at',
              'c.external_id',
            ])
            .where('e.id', '=', task.evaluation_id)
            .executeTakeFirst()
        : undefined,
      deps.db.selectFrom('coaching_tasks').select(['id', 'status']).where('parent_task_id', '=', id).execute(),
      actor.role === 'csr' ? Promise.resolve([]) : listCourses(deps.db, false),
      followUp(deps, task, actor.role === 'csr'),
      deps.db
        .selectFrom('training_recommendations as r')
        .innerJoin('training_courses as c', 'c.id', 'r.course_id')
        .select(['r.id', 'r.status', 'r.decline_reason', 'c.title'])
        .where('r.coaching_task_id', '=', id)
        .execute(),
    ]);
    const moments = task.evaluation_id
      ? await deps.db
          .selectFrom('evaluation_answers as a')
          .innerJoin('rubric_items as i', 'i.id', 'a.item_id')
          .select(['a.item_id', 'a.at_s', 'a.comment', 'i.prompt'])
          .where('a.evaluation_id', '=', task.evaluation_id)
          .where((eb) => eb.or([eb('a.at_s', 'is not', null), eb('a.comment', 'is not', null)]))
          .execute()
      : [];
    res.status(status).render('coaching/show', {
      title: `Coaching for ${csr.display_name}`,
      task,
      focus: JSON.parse(task.focus),
      csr,
      assigneeName: assignee?.display_name ?? '—',
      evaluation,
      moments,
      children,
      parent: task.parent_task_id,
      courses,
      follow,
      recommendations,
      errors,
      now: deps.clock.now().toISOString(),
      overdue: (task.status === 'open' || task.status === 'scheduled') && task.due_at < deps.clock.now().toISOString(),
    });
  }

  router.get('/coaching/:id', requireSignedIn, async (req, res) => renderTask(req, res, idParam(req)));

  const change = (
    action: 'schedule' | 'complete' | 'acknowledge',
    fields: (body: Record<string, unknown>) => Record<string, unknown>,
    message: string,
  ) =>
    router.post(`/coaching/:id/${action}`, requireSignedIn, async (req, res) => {
      const id = idParam(req);
      try {
        await changeCoachingTask(
          deps,
          actorOf(req),
          id,
          { action, ...fields((req.body ?? {}) as Record<string, unknown>) },
          clientIp(req),
        );
        flash(req, 'success', message);
        res.redirect(303, `/coaching/${id}`);
      } catch (err) {
        if (err instanceof Validation) return renderTask(req, res, id, 422, err.byField());
        if (err instanceof AppError && err.status === 409) return renderTask(req, res, id, 409, { _form: err.message });
        throw err;
      }
    });

  change(
    'schedule',
    (b) => ({
      scheduled_at:
        typeof b.scheduled_at === 'string' && b.scheduled_at.length === 16 ? `${b.scheduled_at}:00Z` : b.scheduled_at,
    }),
    'Session scheduled.',
  );
  change(
    'complete',
    (b) => ({ notes: b.notes, actions: b.actions || undefined }),
    'Session recorded as done. The CSR is asked to acknowledge it.',
  );
  change('acknowledge', () => ({}), 'Thank you: coaching acknowledged.');

  router.post('/coaching/:id/recoach', staff, async (req, res) => {
    const id = idParam(req);
    try {
      const child = await recoach(
        deps,
        actorOf(req),
        id,
        { due_at: (req.body as Record<string, unknown>).due_at },
        clientIp(req),
      );
      flash(req, 'success', 'A new coaching task is open, linked to this one.');
      res.redirect(303, `/coaching/${child}`);
    } catch (err) {
      if (err instanceof Validation) return renderTask(req, res, id, 422, err.byField());
      if (err instanceof AppError && err.status === 409) return renderTask(req, res, id, 409, { _form: err.message });
      throw err;
    }
  });

  router.post('/coaching/:id/recommend', staff, async (req, res) => {
    const id = idParam(req);
    try {
      await recommendTraining(deps, actorOf(req), id, pickFields(req.body, ['course_id', 'note']), clientIp(req));
      flash(req, 'success', 'Recommendation sent to the manager for approval.');
      res.redirect(303, `/coaching/${id}`);
    } catch (err) {
      if (err instanceof Validation) return renderTask(req, res, id, 422, err.byField());
      if (err instanceof AppError && err.status === 409) return renderTask(req, res, id, 409, { _form: err.message });
      throw err;
    }
  });

  return router;
}
