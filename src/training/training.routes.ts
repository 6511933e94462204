import crypto from 'node:crypto';
import { Router, type Request, type Response } from 'express';
import { requireSignedIn } from '../auth';
import type { AppDeps } from '../deps';
import { AppError, NotFound, Validation } from '../lib/errors';
import { clientIp, flash } from '../lib/http';
import { parseIdParam } from '../lib/validation';
import { actorOf, managedDepartmentIds, requireRole, type Actor } from '../policy';
import { amountToCents } from '../org';
import { awardsOf } from '../recognition';
import { listAssignments, progressAssignment } from './assignments.service';
import { createBooking, planBooking } from './bookings.service';
import { createCourse, listCourses, retireCourse } from './courses.service';
import { approveRequest, declineRequest, listRequests } from './requests.service';
import { describeRule } from './pricing';

function idParam(req: Request, what: string): number {
  const id = parseIdParam(req.params.id);
  if (id === null) throw new NotFound(`No such ${what}.`);
  return id;
}

function body(req: Request): Record<string, unknown> {
  return (req.body ?? {}) as Record<string, unknown>;
}

function list(value: unknown): string[] {
  return (Array.isArray(value) ? value : value === undefined || value === '' ? [] : [value]).map(String);
}

/** The course form in person-friendly units: a price ("49.99") and a rule picked from a list. */
export function courseFromForm(b: Record<string, unknown>) {
  const rule =
    b.group_rule === 'every_n_free'
      ? { type: 'every_n_free', n: Number(b.group_n) }
      : b.group_rule === 'percent_off'
        ? { type: 'percent_off', min_seats: Number(b.group_min_seats), percent: Number(b.group_percent) }
        : null;
  return {
    title: b.title,
    description: b.description,
    provider: b.provider,
    duration_minutes: b.duration_minutes === '' || b.duration_minutes === undefined ? null : Number(b.duration_minutes),
    cost_cents: amountToCents(typeof b.cost === 'string' && b.cost.trim() !== '' ? b.cost : '') ?? Number.NaN,
    group_rule: rule,
  };
}

async function departmentCsrs(deps: AppDeps, actor: Actor) {
  const departments = actor.role === 'admin' ? null : await managedDepartmentIds(deps.db, actor.id);
  let query = deps.db
    .selectFrom('users')
    .innerJoin('teams', 'teams.id', 'users.team_id')
    .innerJoin('departments', 'departments.id', 'teams.department_id')
    .select(['users.username', 'users.display_name', 'teams.name as team_name', 'departments.name as department_name'])
    .where('users.role', '=', 'csr')
    .where('users.active', '=', 1)
    .orderBy('departments.name')
    .orderBy('teams.name')
    .orderBy('users.display_name');
  if (departments) query = query.where('departments.id', 'in', departments.length ? departments : [-1]);
  return query.execute();
}

export function trainingRoutes(deps: AppDeps): Router {
  const router = Router();
  const managers = requireRole('admin', 'manager');

  router.get('/training', requireSignedIn, async (req, res) => {
    const actor = actorOf(req);
    if (actor.role === 'csr') return res.redirect(303, '/training/mine');
    const courses = await listCourses(deps, req.query.retired === '1');
    res.render('training/catalog', {
      title: 'Training',
      courses: courses.map((c) => ({ ...c, rule: describeRule(c) })),
      values: {},
      errors: {},
      showRetired: req.query.retired === '1',
    });
  });

  router.post('/training/courses', managers, async (req, res) => {
    try {
      await createCourse(deps, actorOf(req), courseFromForm(body(req)), clientIp(req));
      flash(req, 'success', 'Course added to the catalog.');
      res.redirect(303, '/training');
    } catch (err) {
      if (!(err instanceof Validation)) throw err;
      const courses = await listCourses(deps, false);
      const errors = err.byField();
      if (errors.cost_cents) errors.cost = 'Enter the cost per seat, like 49.99 (not negative).';
      res.status(422).render('training/catalog', {
        title: 'Training',
        courses: courses.map((c) => ({ ...c, rule: describeRule(c) })),
        values: body(req),
        errors,
        showRetired: false,
      });
    }
  });

  router.post('/training/courses/:id/retire', managers, async (req, res) => {
    try {
      await retireCourse(deps, actorOf(req), idParam(req, 'course'), clientIp(req));
      flash(req, 'success', 'Course retired: its bookings stay on record.');
    } catch (err) {
      if (!(err instanceof AppError && err.status === 409)) throw err;
      flash(req, 'error', err.message);
    }
    res.redirect(303, '/training');
  });

  async function renderBookForm(
    req: Request,
    res: Response,
    status = 200,
    values: Record<string, unknown> = {},
    errors: Record<string, string> = {},
  ) {
    const [courses, csrs] = await Promise.all([listCourses(deps, false), departmentCsrs(deps, actorOf(req))]);
    res.status(status).render('training/book', {
      title: 'Book training',
      courses: courses.map((c) => ({ ...c, rule: describeRule(c) })),
      csrs,
      values,
      errors,
    });
  }

  function bookingInput(b: Record<string, unknown>) {
    return {
      course_id: Number(b.course_id),
      agents: list(b.agents),
      due_at: b.due_at,
      override_budget: b.override_budget === 'on',
      idempotency_key: typeof b.idempotency_key === 'string' ? b.idempotency_key : undefined,
    };
  }

  router.get('/training/book', managers, async (req, res) =>
    // "Change" on the review page comes back here with the choices, so nothing has to be picked again.
    renderBookForm(req, res, 200, {
      course_id: req.query.course_id,
      due_at: typeof req.query.due_at === 'string' ? req.query.due_at : '',
      agents: list(req.query.agents),
    }),
  );

  // Step 1 → 2: show seats, price, free seats, total and the budget left before anything is charged.
  router.post('/training/book/review', managers, async (req, res) => {
    const b = body(req);
    try {
      const plan = await planBooking(deps, actorOf(req), { ...bookingInput(b), idempotency_key: undefined });
      res.render('training/review', {
        title: 'Confirm booking',
        plan,
        idempotencyKey: crypto.randomBytes(16).toString('hex'),
        error: null,
      });
    } catch (err) {
      if (!(err instanceof Validation)) throw err;
      await renderBookForm(req, res, 422, { ...b, agents: list(b.agents) }, err.byField());
    }
  });

  router.post('/training/bookings', managers, async (req, res) => {
    const b = body(req);
    const input = bookingInput(b);
    try {
      const booking = await createBooking(deps, actorOf(req), input, clientIp(req));
      flash(
        req,
        'success',
        booking.created
          ? `Booked ${booking.seats} seat(s).${booking.over_budget ? ' Over budget: flagged for review.' : ''}`
          : 'That booking was already made; nothing was charged twice.',
      );
      res.redirect(303, '/budget');
    } catch (err) {
      if (err instanceof AppError && err.status === 409) {
        const plan = await planBooking(deps, actorOf(req), { ...input, idempotency_key: undefined });
        return res.status(409).render('training/review', {
          title: 'Confirm booking',
          plan,
          idempotencyKey: input.idempotency_key,
          error: err.message,
        });
      }
      if (!(err instanceof Validation)) throw err;
      await renderBookForm(req, res, 422, { ...b, agents: list(b.agents) }, err.byField());
    }
  });

  router.get('/training/requests', managers, async (req, res) => {
    const actor = actorOf(req);
    const departments = actor.role === 'admin' ? ('all' as const) : await managedDepartmentIds(deps.db, actor.id);
    const [pending, approved, declined] = await Promise.all([
      listRequests(deps, departments, 'pending'),
      listRequests(deps, departments, 'approved'),
      listRequests(deps, departments, 'declined'),
    ]);
    const due = new Date(deps.clock.now().getTime() + 30 * 86_400_000).toISOString().slice(0, 10);
    res.render('training/requests', { title: 'Training requests', pending, approved, declined, due, error: null });
  });

  router.post('/training/requests/:id/approve', managers, async (req, res) => {
    const b = body(req);
    try {
      const booking = await approveRequest(
        deps,
        actorOf(req),
        idParam(req, 'request'),
        { due_at: String(b.due_at ?? ''), override_budget: b.override_budget === 'on' },
        clientIp(req),
      );
      flash(req, 'success', `Approved and booked${booking.over_budget ? ' (over budget, flagged)' : ''}.`);
    } catch (err) {
      if (!(err instanceof Validation) && !(err instanceof AppError && err.status === 409)) throw err;
      flash(req, 'error', err instanceof Validation ? err.details.map((d) => d.message).join(' ') : err.message);
    }
    res.redirect(303, '/training/requests');
  });

  router.post('/training/requests/:id/decline', managers, async (req, res) => {
    try {
      await declineRequest(deps, actorOf(req), idParam(req, 'request'), body(req).reason, clientIp(req));
      flash(req, 'success', 'Declined; the supervisor sees your reason.');
    } catch (err) {
      if (!(err instanceof Validation) && !(err instanceof AppError && err.status === 409)) throw err;
      flash(req, 'error', err instanceof Validation ? err.details.map((d) => d.message).join(' ') : err.message);
    }
    res.redirect(303, '/training/requests');
  });

  router.get('/training/mine', requireRole('csr'), async (req, res) => {
    const actor = actorOf(req);
    const [assignments, awards] = await Promise.all([
      listAssignments(deps, { csrId: actor.id }),
      awardsOf(deps.db, actor.id),
    ]);
    res.render('training/mine', { title: 'My training', assignments, awards, now: deps.clock.now().toISOString() });
  });

  router.get('/training/assignments', managers, async (req, res) => {
    const actor = actorOf(req);
    const departmentIds = actor.role === 'admin' ? ('all' as const) : await managedDepartmentIds(deps.db, actor.id);
    const assignments = await listAssignments(deps, { departmentIds });
    res.render('training/assignments', {
      title: 'Assigned training',
      assignments,
      now: deps.clock.now().toISOString(),
    });
  });

  for (const step of ['start', 'complete', 'confirm'] as const) {
    router.post(`/training/assignments/:id/${step}`, requireSignedIn, async (req, res) => {
      try {
        await progressAssignment(deps, actorOf(req), idParam(req, 'training'), step, clientIp(req));
        flash(
          req,
          'success',
          step === 'confirm'
            ? 'Completion confirmed.'
            : step === 'start'
              ? 'Marked as started.'
              : 'Marked as completed. Well done!',
        );
      } catch (err) {
        if (!(err instanceof AppError && err.status === 409)) throw err;
        flash(req, 'error', err.message);
      }
      res.redirect(303, actorOf(req).role === 'csr' ? '/training/mine' : '/training/assignments');
    });
  }

  return router;
}
