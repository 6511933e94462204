import crypto from 'node:crypto';
import { Router, type Request, type Response } from 'express';
import { requireSignedIn } from '../auth';
import type { AppDeps } from '../deps';
import { AppError, Validation } from '../lib/errors';
import type { FormAgain } from '../lib/form-again';
import { formBody, idParam } from '../lib/forms';
import { clientIp, flash } from '../lib/http';
import { amountToCents } from '../org';
import { actorOf, isCsr, managedDepartments, requireRole } from '../policy';
import { createBooking, planBooking } from './bookings.service';
import { listCourses } from './courses.queries';
import { createCourse, retireCourse } from './courses.service';
import { describeRule } from './pricing';
import { formList } from '../lib/form-list';
import { trainingProgressRoutes } from './training-progress.routes';
import { departmentCsrs } from './training.queries';

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

function bookingInput(b: Record<string, unknown>) {
  return {
    course_id: Number(b.course_id),
    agents: formList(b.agents),
    due_at: b.due_at,
    override_budget: b.override_budget === 'on',
    allow_rebook: b.allow_rebook === 'on',
    idempotency_key: typeof b.idempotency_key === 'string' ? b.idempotency_key : undefined,
  };
}

async function catalogCourses(deps: AppDeps, includeRetired: boolean) {
  const courses = await listCourses(deps.db, includeRetired);
  return courses.map((c) => ({ ...c, rule: describeRule(c) }));
}

function catalogHandlers(deps: AppDeps) {
  return {
    async catalog(req: Request, res: Response) {
      if (isCsr(actorOf(req))) return res.redirect(303, '/training/mine');
      const showRetired = req.query.retired === '1';
      const courses = await catalogCourses(deps, showRetired);
      res.render('training/catalog', { title: 'Training', courses, values: {}, errors: {}, showRetired });
    },

    async addCourse(req: Request, res: Response) {
      try {
        await createCourse(deps, actorOf(req), courseFromForm(formBody(req)), clientIp(req));
        flash(req, 'success', 'Course added to the catalog.');
        res.redirect(303, '/training');
      } catch (err) {
        if (!(err instanceof Validation)) throw err;
        const errors = err.byField();
        if (errors.cost_cents) errors.cost = 'Enter the cost per seat, like 49.99 (not negative).';
        res.status(422).render('training/catalog', {
          title: 'Training',
          courses: await catalogCourses(deps, false),
          values: formBody(req),
          errors,
          showRetired: false,
        });
      }
    },

    async retire(req: Request, res: Response) {
      try {
        await retireCourse(deps, actorOf(req), idParam(req, 'course'), clientIp(req));
        flash(req, 'success', 'Course retired: its bookings stay on record.');
      } catch (err) {
        if (!(err instanceof AppError && err.status === 409)) throw err;
        flash(req, 'error', err.message);
      }
      res.redirect(303, '/training');
    },
  };
}

/** Messages beside the fields; a problem with one named CSR (agents.1: named twice) beside the CSR list. */
function fieldErrors(err: Validation): Record<string, string> {
  const errors = err.byField();
  for (const [path, message] of Object.entries(errors)) if (path.startsWith('agents.')) errors.agents ??= message;
  return errors;
}

function bookingHandlers(deps: AppDeps) {
  async function renderBookForm(req: Request, res: Response, { status = 200, values = {}, errors = {} }: FormAgain) {
    const [courses, csrs] = await Promise.all([
      catalogCourses(deps, false),
      managedDepartments(deps.db, actorOf(req)).then((departments) => departmentCsrs(deps.db, departments)),
    ]);
    res.status(status).render('training/book', { title: 'Book training', courses, csrs, values, errors });
  }

  async function renderReview(req: Request, res: Response, status: number, key: unknown, error: string | null) {
    const plan = await planBooking(deps, actorOf(req), { ...bookingInput(formBody(req)), idempotency_key: undefined });
    res.status(status).render('training/review', { title: 'Confirm booking', plan, idempotencyKey: key, error });
  }

  const formAgain = (req: Request, res: Response, err: Validation) =>
    renderBookForm(req, res, {
      status: 422,
      values: { ...formBody(req), agents: formList(formBody(req).agents) },
      errors: fieldErrors(err),
    });

  return {
    // "Change" on the review page comes back here with the choices, so nothing has to be picked again.
    bookForm: (req: Request, res: Response) =>
      renderBookForm(req, res, {
        values: {
          course_id: req.query.course_id,
          due_at: typeof req.query.due_at === 'string' ? req.query.due_at : '',
          agents: formList(req.query.agents),
        },
      }),

    // Step 1 → 2: show seats, price, free seats, total and the budget left before anything is charged.
    async review(req: Request, res: Response) {
      try {
        await renderReview(req, res, 200, crypto.randomBytes(16).toString('hex'), null);
      } catch (err) {
        if (!(err instanceof Validation)) throw err;
        await formAgain(req, res, err);
      }
    },

    async book(req: Request, res: Response) {
      const input = bookingInput(formBody(req));
      try {
        const booking = await createBooking(deps, actorOf(req), input, clientIp(req));
        const over = booking.over_budget ? ' Over budget: flagged for review.' : '';
        flash(
          req,
          'success',
          booking.created
            ? `Booked ${booking.seats} seat(s).${over}`
            : 'That booking was already made; nothing was charged twice.',
        );
        res.redirect(303, '/budget');
      } catch (err) {
        if (err instanceof AppError && err.status === 409)
          return renderReview(req, res, 409, input.idempotency_key, err.message);
        if (!(err instanceof Validation)) throw err;
        await formAgain(req, res, err);
      }
    },
  };
}

export function trainingRoutes(deps: AppDeps): Router {
  const router = Router();
  const managers = requireRole('admin', 'manager');
  const catalog = catalogHandlers(deps);
  const booking = bookingHandlers(deps);
  router.get('/training', requireSignedIn, catalog.catalog);
  router.post('/training/courses', managers, catalog.addCourse);
  router.post('/training/courses/:id/retire', managers, catalog.retire);
  router.get('/training/book', managers, booking.bookForm);
  router.post('/training/book/review', managers, booking.review);
  router.post('/training/bookings', managers, booking.book);
  router.use(trainingProgressRoutes(deps));
  return router;
}
