import { Router, type Request, type Response } from 'express';
import type { AppDeps } from '../deps';
import { AppError, NotFound, Validation } from '../lib/errors';
import { clientIp, flash } from '../lib/http';
import { parseIdParam } from '../lib/validation';
import { actorOf, requireRole, STAFF_ROLES } from '../policy';
import { formatScore } from '../scoring';
import { applyOp, blankRubric, draftFromForm, draftFromRubric, inputFromDraft, type RubricDraft } from './builder-form';
import { listRubrics, loadRubric, scoringModel } from './rubrics.queries';
import {
  createRubric,
  duplicateRubric,
  publishRubric,
  retireRubric,
  startNewVersion,
  updateDraft,
} from './rubrics.service';

function idParam(req: Request): number {
  const id = parseIdParam(req.params.id);
  if (id === null) throw new NotFound('No such rubric.');
  return id;
}

function formBody(req: Request): Record<string, unknown> {
  return (req.body ?? {}) as Record<string, unknown>;
}

export function rubricRoutes(deps: AppDeps): Router {
  const router = Router();
  const builders = requireRole('admin', 'manager');

  function renderBuilder(
    res: Response,
    draft: RubricDraft,
    target: { id: number | null; version: number },
    status = 200,
    errors: Record<string, string> = {},
  ) {
    res
      .status(status)
      .render('rubrics/builder', { title: target.id ? 'Edit rubric' : 'New rubric', draft, target, errors });
  }

  router.get('/rubrics', builders, async (_req, res) => {
    res.render('rubrics/list', { title: 'Rubrics', rubrics: await listRubrics(deps.db) });
  });

  router.get('/rubrics/new', builders, (_req, res) => renderBuilder(res, blankRubric(), { id: null, version: 1 }));

  /** The builder's buttons: structural ones re-render; save and publish validate and store. */
  async function handleBuilderPost(req: Request, res: Response, existingId: number | null, version: number) {
    const body = formBody(req);
    const draft = draftFromForm(body);
    const op = typeof body.op === 'string' ? body.op : 'save';
    if (applyOp(draft, op)) return renderBuilder(res, draft, { id: existingId, version });
    const actor = actorOf(req);
    try {
      const input = inputFromDraft(draft);
      const saved =
        existingId === null
          ? await createRubric(deps, actor, input, clientIp(req))
          : await updateDraft(deps, actor, existingId, input, clientIp(req));
      if (op === 'publish') {
        await publishRubric(deps, actor, saved.id, clientIp(req));
        flash(req, 'success', `${saved.name} v${saved.version} is published: supervisors can score with it now.`);
        return res.redirect(303, `/rubrics/${saved.id}`);
      }
      flash(req, 'success', 'Draft saved.');
      res.redirect(303, op === 'preview' ? `/rubrics/${saved.id}/preview` : `/rubrics/${saved.id}/edit`);
    } catch (err) {
      if (!(err instanceof Validation) && !(err instanceof AppError && err.status === 409)) throw err;
      const errors = err instanceof Validation ? err.byField() : { _form: err.message };
      renderBuilder(res, draft, { id: existingId, version }, err.status, { _form: err.message, ...errors });
    }
  }

  router.post('/rubrics', builders, async (req, res) => handleBuilderPost(req, res, null, 1));

  router.get('/rubrics/:id', requireRole(...STAFF_ROLES), async (req, res) => {
    const rubric = await loadRubric(deps.db, idParam(req));
    if (!rubric) throw new NotFound('No such rubric.');
    const versions = (await listRubrics(deps.db)).filter((r) => r.family_id === rubric.family_id);
    res.render('rubrics/show', { title: rubric.name, rubric, versions });
  });

  router.get('/rubrics/:id/preview', requireRole(...STAFF_ROLES), async (req, res) => {
    const rubric = await loadRubric(deps.db, idParam(req));
    if (!rubric) throw new NotFound('No such rubric.');
    res.render('rubrics/preview', {
      title: `Preview: ${rubric.name}`,
      rubric,
      model: scoringModel(rubric),
      formatScore,
    });
  });

  router.get('/rubrics/:id/edit', builders, async (req, res) => {
    const rubric = await loadRubric(deps.db, idParam(req));
    if (!rubric) throw new NotFound('No such rubric.');
    if (rubric.status !== 'draft') return res.redirect(303, `/rubrics/${rubric.id}`);
    renderBuilder(res, draftFromRubric(rubric), { id: rubric.id, version: rubric.version });
  });

  router.post('/rubrics/:id', builders, async (req, res) => {
    const rubric = await loadRubric(deps.db, idParam(req));
    if (!rubric) throw new NotFound('No such rubric.');
    await handleBuilderPost(req, res, rubric.id, rubric.version);
  });

  const action = (name: string, run: (req: Request) => Promise<string>) =>
    router.post(`/rubrics/:id/${name}`, builders, async (req, res) => {
      try {
        res.redirect(303, await run(req));
      } catch (err) {
        if (!(err instanceof AppError && err.status === 409)) throw err;
        flash(req, 'error', err.message);
        res.redirect(303, `/rubrics/${idParam(req)}`);
      }
    });

  action(
    'new-version',
    async (req) => `/rubrics/${await startNewVersion(deps, actorOf(req), idParam(req), clientIp(req))}/edit`,
  );
  action('duplicate', async (req) => {
    const id = await duplicateRubric(deps, actorOf(req), idParam(req), clientIp(req));
    flash(req, 'success', 'A copy was made as a new draft.');
    return `/rubrics/${id}/edit`;
  });
  action('publish', async (req) => {
    const rubric = await publishRubric(deps, actorOf(req), idParam(req), clientIp(req));
    flash(req, 'success', `${rubric.name} v${rubric.version} is published.`);
    return `/rubrics/${rubric.id}`;
  });
  action('retire', async (req) => {
    await retireRubric(deps, actorOf(req), idParam(req), clientIp(req));
    flash(req, 'success', 'Retired: it stays readable, and nobody can score with it any more.');
    return `/rubrics/${idParam(req)}`;
  });

  return router;
}
