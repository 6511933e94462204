import { Router, type Request, type Response } from 'express';
import { localDateOf, plusLocalDays } from '../lib/zones';
import { getSettings } from '../settings';
import { requireSignedIn } from '../auth';
import type { AppDeps } from '../deps';
import { AppError, Validation } from '../lib/errors';
import type { FormAgain } from '../lib/form-again';
import { formBody, idParam } from '../lib/forms';
import { clientIp, flash, pickFields } from '../lib/http';
import {
  actorOf,
  coachingListScope,
  COACHING_ACTIVE,
  COACHING_DONE,
  requireRole,
  STAFF_ROLES,
  teamScope,
} from '../policy';
import { recommendTraining } from '../training';
import { listPeople } from '../users';
import { listCoachingTasks } from './coaching.queries';
import { changeCoachingTask, createManualTask, recoach } from './coaching.service';
import { taskPage } from './coaching.view';

const FILTERS = {
  open: ['open'],
  scheduled: ['scheduled'],
  done: COACHING_DONE,
  cancelled: ['cancelled'],
} as const;

type Change = 'schedule' | 'complete' | 'acknowledge';

/** What each change of a task reads from its form. */
const CHANGE_FIELDS: Record<Change, (body: Record<string, unknown>) => Record<string, unknown>> = {
  schedule: (b) => ({
    scheduled_at:
      typeof b.scheduled_at === 'string' && b.scheduled_at.length === 16 ? `${b.scheduled_at}:00Z` : b.scheduled_at,
  }),
  complete: (b) => ({ notes: b.notes, actions: b.actions || undefined }),
  acknowledge: () => ({}),
};

const CHANGE_MESSAGES: Record<Change, string> = {
  schedule: 'Session scheduled.',
  complete: 'Session recorded as done. The CSR is asked to acknowledge it.',
  acknowledge: 'Thank you: coaching acknowledged.',
};

function listFilter(show: unknown) {
  return typeof show === 'string' && (show in FILTERS || show === 'overdue') ? show : 'active';
}

function newTaskHandlers(deps: AppDeps) {
  async function renderNew(req: Request, res: Response, status: number, values: Record<string, unknown>, errors = {}) {
    const scope = await teamScope(deps.db, actorOf(req));
    const csrs = await listPeople(deps.db, { scope, role: 'csr', includeInactive: false });
    const { time_zone: zone } = await getSettings(deps.db);
    const due = localDateOf(plusLocalDays(deps.clock.now().getTime(), 7, zone), zone);
    res
      .status(status)
      .render('coaching/new', { title: 'New coaching task', csrs, values: { due_at: due, ...values }, errors });
  }

  return {
    newForm: (req: Request, res: Response) =>
      renderNew(req, res, 200, pickFields(req.query, ['csr_id', 'evaluation_id'])),

    async create(req: Request, res: Response) {
      const values = pickFields(req.body, ['csr_id', 'focus', 'due_at', 'evaluation_id']);
      try {
        const id = await createManualTask(deps, actorOf(req), values, clientIp(req));
        flash(req, 'success', 'Coaching task created.');
        res.redirect(303, `/coaching/${id}`);
      } catch (err) {
        if (!(err instanceof Validation)) throw err;
        await renderNew(req, res, 422, values, err.byField());
      }
    },
  };
}

function coachingHandlers(deps: AppDeps) {
  /** The task page; a refused change shows it again with the status and why (the task is the form's values). */
  async function renderTask(req: Request, res: Response, id: number, again: Omit<FormAgain, 'values'> = {}) {
    const { status = 200, errors = {} } = again;
    res.status(status).render('coaching/show', { ...(await taskPage(deps, actorOf(req), id)), errors });
  }

  /** Runs a change on the task, then shows where it leads; a refused change shows the task again with why. */
  async function onTask(req: Request, res: Response, run: (id: number) => Promise<string>) {
    const id = idParam(req, 'coaching task');
    try {
      res.redirect(303, await run(id));
    } catch (err) {
      if (err instanceof Validation) return renderTask(req, res, id, { status: 422, errors: err.byField() });
      if (err instanceof AppError && err.status === 409)
        return renderTask(req, res, id, { status: 409, errors: { _form: err.message } });
      throw err;
    }
  }

  return {
    async list(req: Request, res: Response) {
      const now = deps.clock.now().toISOString();
      const filter = listFilter(req.query.show);
      const statuses =
        filter === 'active'
          ? COACHING_ACTIVE
          : filter === 'overdue'
            ? undefined
            : FILTERS[filter as keyof typeof FILTERS];
      const page = await listCoachingTasks(deps.db, {
        ...(await coachingListScope(deps.db, actorOf(req))),
        statuses: statuses ? [...statuses] : undefined,
        overdueAt: filter === 'overdue' ? now : undefined,
        limit: 200,
      });
      res.render('coaching/list', { title: 'Coaching', tasks: page.items, filter, now });
    },

    show: (req: Request, res: Response) => renderTask(req, res, idParam(req, 'coaching task')),

    change: (action: Change) => (req: Request, res: Response) =>
      onTask(req, res, async (id) => {
        const input = { action, ...CHANGE_FIELDS[action](formBody(req)) };
        await changeCoachingTask(deps, actorOf(req), id, input, clientIp(req));
        flash(req, 'success', CHANGE_MESSAGES[action]);
        return `/coaching/${id}`;
      }),

    recoach: (req: Request, res: Response) =>
      onTask(req, res, async (id) => {
        const child = await recoach(deps, actorOf(req), id, { due_at: formBody(req).due_at }, clientIp(req));
        flash(req, 'success', 'A new coaching task is open, linked to this one.');
        return `/coaching/${child}`;
      }),

    recommend: (req: Request, res: Response) =>
      onTask(req, res, async (id) => {
        await recommendTraining(deps, actorOf(req), id, pickFields(req.body, ['course_id', 'note']), clientIp(req));
        flash(req, 'success', 'Recommendation sent to the manager for approval.');
        return `/coaching/${id}`;
      }),
  };
}

export function coachingRoutes(deps: AppDeps): Router {
  const router = Router();
  const staff = requireRole(...STAFF_ROLES);
  const coaching = coachingHandlers(deps);
  const newTask = newTaskHandlers(deps);
  router.get('/coaching', requireSignedIn, coaching.list);
  router.get('/coaching/new', staff, newTask.newForm);
  router.post('/coaching', staff, newTask.create);
  router.get('/coaching/:id', requireSignedIn, coaching.show);
  for (const action of ['schedule', 'complete', 'acknowledge'] as const) {
    router.post(`/coaching/:id/${action}`, requireSignedIn, coaching.change(action));
  }
  router.post('/coaching/:id/recoach', staff, coaching.recoach);
  router.post('/coaching/:id/recommend', staff, coaching.recommend);
  return router;
}
