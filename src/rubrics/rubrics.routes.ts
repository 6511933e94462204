import { Router, type Request, type Response } from 'express';
import type { AppDeps } from '../deps';
import { AppError, NotFound, Validation } from '../lib/errors';
import type { FormAgain } from '../lib/form-again';
import { formBody, idParam } from '../lib/forms';
import { clientIp, flash, successRedirect } from '../lib/http';
import type { Executor } from '../db/transaction';
import { actorOf, requireRole, STAFF_ROLES, type Actor } from '../policy';
import { formatScore } from '../scoring';
import { applyOp, blankRubric, draftFromForm, draftFromRubric, inputFromDraft, type RubricDraft } from './builder-form';
import { listRubrics, loadRubric, scoringModel, type FullRubric } from './rubrics.queries';
import {
  createRubric,
  duplicateRubric,
  publishRubric,
  retireRubric,
  startNewVersion,
  updateDraft,
} from './rubrics.service';

const rubricId = (req: Request) => idParam(req, 'rubric');

function renderBuilder(
  res: Response,
  draft: RubricDraft,
  target: { id: number | null; version: number },
  { status = 200, errors = {} }: Omit<FormAgain, 'values'> = {},
) {
  res
    .status(status)
    .render('rubrics/builder', { title: target.id ? 'Edit rubric' : 'New rubric', draft, target, errors });
}

/** The builder's buttons: structural ones re-render; save and publish validate and store. */
async function handleBuilderPost(
  deps: AppDeps,
  req: Request,
  res: Response,
  existingId: number | null,
  version: number,
) {
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
    const to = op === 'preview' ? `/rubrics/${saved.id}/preview` : `/rubrics/${saved.id}/edit`;
    successRedirect(req, res, 'Draft saved.', to);
  } catch (err) {
    if (!(err instanceof Validation) && !(err instanceof AppError && err.status === 409)) throw err;
    const errors = err instanceof Validation ? err.byField() : { _form: err.message };
    renderBuilder(
      res,
      draft,
      { id: existingId, version },
      { status: err.status, errors: { _form: err.message, ...errors } },
    );
  }
}

/** A rubric action button: redirects where the action leads; a refusal (409) comes back as a flash message. */
function action(run: (req: Request) => Promise<string>) {
  return async (req: Request, res: Response) => {
    try {
      res.redirect(303, await run(req));
    } catch (err) {
      if (!(err instanceof AppError && err.status === 409)) throw err;
      flash(req, 'error', err.message);
      res.redirect(303, `/rubrics/${rubricId(req)}`);
    }
  };
}

function pageHandlers(deps: AppDeps, extras: RubricPageExtras) {
  async function rubricOr404(req: Request) {
    const rubric = await loadRubric(deps.db, rubricId(req));
    if (!rubric) throw new NotFound('No such rubric.');
    return rubric;
  }
  return {
    async list(_req: Request, res: Response) {
      res.render('rubrics/list', { title: 'Rubrics', rubrics: await listRubrics(deps.db) });
    },
    newForm: (_req: Request, res: Response) => renderBuilder(res, blankRubric(), { id: null, version: 1 }),
    create: (req: Request, res: Response) => handleBuilderPost(deps, req, res, null, 1),
    async show(req: Request, res: Response) {
      const rubric = await rubricOr404(req);
      const versions = (await listRubrics(deps.db)).filter((r) => r.family_id === rubric.family_id);
      const accuracy = extras.accuracy ? await extras.accuracy(deps.db, actorOf(req), rubric) : null;
      res.render('rubrics/show', { title: rubric.name, rubric, versions, accuracy });
    },
    async preview(req: Request, res: Response) {
      const rubric = await rubricOr404(req);
      const model = scoringModel(rubric);
      res.render('rubrics/preview', { title: `Preview: ${rubric.name}`, rubric, model, formatScore });
    },
    async edit(req: Request, res: Response) {
      const rubric = await rubricOr404(req);
      if (rubric.status !== 'draft') return res.redirect(303, `/rubrics/${rubric.id}`);
      renderBuilder(res, draftFromRubric(rubric), { id: rubric.id, version: rubric.version });
    },
    async save(req: Request, res: Response) {
      const rubric = await rubricOr404(req);
      await handleBuilderPost(deps, req, res, rubric.id, rubric.version);
    },
  };
}

function actionHandlers(deps: AppDeps) {
  return {
    newVersion: action(
      async (req) => `/rubrics/${await startNewVersion(deps, actorOf(req), rubricId(req), clientIp(req))}/edit`,
    ),
    duplicate: action(async (req) => {
      const id = await duplicateRubric(deps, actorOf(req), rubricId(req), clientIp(req));
      flash(req, 'success', 'A copy was made as a new draft.');
      return `/rubrics/${id}/edit`;
    }),
    publish: action(async (req) => {
      const rubric = await publishRubric(deps, actorOf(req), rubricId(req), clientIp(req));
      flash(req, 'success', `${rubric.name} v${rubric.version} is published.`);
      return `/rubrics/${rubric.id}`;
    }),
    retire: action(async (req) => {
      await retireRubric(deps, actorOf(req), rubricId(req), clientIp(req));
      flash(req, 'success', 'Retired: it stays readable, and nobody can score with it any more.');
      return `/rubrics/${rubricId(req)}`;
    }),
  };
}

/** What the rubric page shows from rooms above this one (the rules' accuracy, from reports), wired in app.ts. */
export interface RubricPageExtras {
  accuracy?: (db: Executor, actor: Actor, rubric: FullRubric) => Promise<unknown>;
}

export function rubricRoutes(deps: AppDeps, extras: RubricPageExtras = {}): Router {
  const router = Router();
  const builders = requireRole('admin', 'manager');
  const staff = requireRole(...STAFF_ROLES);
  const pages = pageHandlers(deps, extras);
  const actions = actionHandlers(deps);
  router.get('/rubrics', builders, pages.list);
  router.get('/rubrics/new', builders, pages.newForm);
  router.post('/rubrics', builders, pages.create);
  router.get('/rubrics/:id', staff, pages.show);
  router.get('/rubrics/:id/preview', staff, pages.preview);
  router.get('/rubrics/:id/edit', builders, pages.edit);
  router.post('/rubrics/:id', builders, pages.save);
  router.post('/rubrics/:id/new-version', builders, actions.newVersion);
  router.post('/rubrics/:id/duplicate', builders, actions.duplicate);
  router.post('/rubrics/:id/publish', builders, actions.publish);
  router.post('/rubrics/:id/retire', builders, actions.retire);
  return router;
}
