import { Router } from 'express';
import type { AppDeps } from '../deps';
import { NotFound } from '../lib/errors';
import { idParam } from '../lib/forms';
import { clientIp } from '../lib/http';
import { actorOf, requireRole, STAFF_ROLES } from '../policy';
import { loadRubric, rubricSettings, type FullRubric } from './rubrics.queries';
import { createRubric, publishRubric } from './rubrics.service';

export function rubricJson(rubric: FullRubric) {
  return {
    id: rubric.id,
    family_id: rubric.family_id,
    version: rubric.version,
    name: rubric.name,
    description: rubric.description,
    status: rubric.status,
    ...rubricSettings(rubric),
    published_at: rubric.published_at,
    sections: rubric.sections.map(({ items, ...section }) => ({
      ...section,
      items: items.map((i) => ({
        id: i.id,
        prompt: i.prompt,
        guidance: i.guidance,
        type: i.type,
        max: i.type === 'scale' ? i.max_points : undefined,
        points: i.type === 'yes_no' ? i.max_points : undefined,
        max_points: i.max_points,
        options: i.type === 'choice' ? i.options : undefined,
        allow_na: i.allow_na,
        critical: i.critical,
        comment_required: i.comment_required,
        auto: i.auto,
      })),
    })),
  };
}

export function rubricsApiRoutes(deps: AppDeps): Router {
  const router = Router();
  const builders = requireRole('admin', 'manager');

  router.post('/', builders, async (req, res) => {
    const rubric = await createRubric(deps, actorOf(req), req.body, clientIp(req));
    res.status(201).json(rubricJson(rubric));
  });

  router.post('/:id/publish', builders, async (req, res) => {
    const id = idParam(req, 'rubric');
    res.json(rubricJson(await publishRubric(deps, actorOf(req), id, clientIp(req))));
  });

  router.get('/:id', requireRole(...STAFF_ROLES), async (req, res) => {
    const rubric = await loadRubric(deps.db, idParam(req, 'rubric'));
    if (!rubric) throw new NotFound('No such rubric.');
    res.json(rubricJson(rubric));
  });

  return router;
}
