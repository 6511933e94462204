import { Router, type Request, type Response } from 'express';
import { localDateOf, plusLocalDays } from '../lib/zones';
import { getSettings } from '../settings';
import { requireSignedIn } from '../auth';
import type { AppDeps } from '../deps';
import { AppError, Validation } from '../lib/errors';
import { formBody, idParam } from '../lib/forms';
import { clientIp, flash } from '../lib/http';
import { actorOf, isCsr, managedDepartments, requireRole } from '../policy';
import { awardsOf } from '../recognition';
import { progressAssignment } from './assignments.service';
import { approveRequest, declineRequest } from './requests.service';
import { listRequests } from './requests.queries';
import { listAssignments } from './training.queries';

// Training after it is booked: requests from coaching waiting for a manager, and each CSR's assignments.

const STEP_MESSAGES = {
  start: 'Marked as started.',
  complete: 'Marked as completed. Well done!',
  confirm: 'Completion confirmed.',
} as const;

/** Runs a decision on a request; a refusal (bad input, already decided) comes back as a flash message. */
async function decide(req: Request, res: Response, run: () => Promise<string>) {
  try {
    flash(req, 'success', await run());
  } catch (err) {
    if (!(err instanceof Validation) && !(err instanceof AppError && err.status === 409)) throw err;
    flash(req, 'error', err instanceof Validation ? err.details.map((d) => d.message).join(' ') : err.message);
  }
  res.redirect(303, '/training/requests');
}

function requestHandlers(deps: AppDeps) {
  return {
    async list(req: Request, res: Response) {
      const departments = await managedDepartments(deps.db, actorOf(req));
      const [pending, approved, declined] = await Promise.all([
        listRequests(deps.db, departments, 'pending'),
        listRequests(deps.db, departments, 'approved'),
        listRequests(deps.db, departments, 'declined'),
      ]);
      const { time_zone: zone } = await getSettings(deps.db);
      const due = localDateOf(plusLocalDays(deps.clock.now().getTime(), 30, zone), zone);
      res.render('training/requests', { title: 'Training requests', pending, approved, declined, due, error: null });
    },

    approve: (req: Request, res: Response) =>
      decide(req, res, async () => {
        const b = formBody(req);
        const options = { due_at: String(b.due_at ?? ''), override_budget: b.override_budget === 'on' };
        const booking = await approveRequest(deps, actorOf(req), idParam(req, 'request'), options, clientIp(req));
        return `Approved and booked${booking.over_budget ? ' (over budget, flagged)' : ''}.`;
      }),

    decline: (req: Request, res: Response) =>
      decide(req, res, async () => {
        await declineRequest(deps, actorOf(req), idParam(req, 'request'), formBody(req).reason, clientIp(req));
        return 'Declined; the supervisor sees your reason.';
      }),
  };
}

function assignmentHandlers(deps: AppDeps) {
  return {
    async mine(req: Request, res: Response) {
      const actor = actorOf(req);
      const [assignments, awards] = await Promise.all([
        listAssignments(deps.db, { csrId: actor.id }),
        awardsOf(deps.db, actor.id),
      ]);
      res.render('training/mine', { title: 'My training', assignments, awards, now: deps.clock.now().toISOString() });
    },

    async assigned(req: Request, res: Response) {
      const departmentIds = await managedDepartments(deps.db, actorOf(req));
      const assignments = await listAssignments(deps.db, { departmentIds });
      res.render('training/assignments', {
        title: 'Assigned training',
        assignments,
        now: deps.clock.now().toISOString(),
      });
    },

    progress: (step: keyof typeof STEP_MESSAGES) => async (req: Request, res: Response) => {
      try {
        await progressAssignment(deps, actorOf(req), idParam(req, 'training'), step, clientIp(req));
        flash(req, 'success', STEP_MESSAGES[step]);
      } catch (err) {
        if (!(err instanceof AppError && err.status === 409)) throw err;
        flash(req, 'error', err.message);
      }
      res.redirect(303, isCsr(actorOf(req)) ? '/training/mine' : '/training/assignments');
    },
  };
}

export function trainingProgressRoutes(deps: AppDeps): Router {
  const router = Router();
  const managers = requireRole('admin', 'manager');
  const requests = requestHandlers(deps);
  const assignments = assignmentHandlers(deps);
  router.get('/training/requests', managers, requests.list);
  router.post('/training/requests/:id/approve', managers, requests.approve);
  router.post('/training/requests/:id/decline', managers, requests.decline);
  router.get('/training/mine', requireRole('csr'), assignments.mine);
  router.get('/training/assignments', managers, assignments.assigned);
  for (const step of ['start', 'complete', 'confirm'] as const) {
    router.post(`/training/assignments/:id/${step}`, requireSignedIn, assignments.progress(step));
  }
  return router;
}
