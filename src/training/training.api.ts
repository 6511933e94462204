import { Router } from 'express';
import type { AppDeps } from '../deps';
import { clientIp } from '../lib/http';
import { actorOf, requireRole, STAFF_ROLES } from '../policy';
import { createBooking } from './bookings.service';
import { listCourses } from './courses.queries';
import { courseJson, createCourse } from './courses.service';

export function trainingApiRoutes(deps: AppDeps): Router {
  const router = Router();
  const managers = requireRole('admin', 'manager');

  router.get('/courses', requireRole(...STAFF_ROLES), async (req, res) => {
    const courses = await listCourses(deps.db, req.query.include_retired === 'true');
    res.json({ items: courses.map(courseJson), next_cursor: null });
  });

  router.post('/courses', managers, async (req, res) => {
    res.status(201).json(courseJson(await createCourse(deps, actorOf(req), req.body, clientIp(req))));
  });

  router.post('/bookings', managers, async (req, res) => {
    const { created, ...booking } = await createBooking(deps, actorOf(req), req.body, clientIp(req));
    res.status(created ? 201 : 200).json(booking);
  });

  return router;
}
