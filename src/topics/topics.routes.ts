import { Router, type NextFunction, type Request, type Response } from 'express';
import type { AppDeps } from '../deps';
import { formBody, idParam, submitForm } from '../lib/forms';
import { refusedAsJson, successRedirect, withDeps } from '../lib/http';
import { NotFound, Validation } from '../lib/errors';
import { actorOf, mayOpenCallPages, requireRole } from '../policy';
import { listTopics, tagCounts } from './topics.queries';
import { createTopic, deleteTopic, saveTopic, topicOr404 } from './topics.service';
import { DEFAULT_TOPICS } from './defaults';
import { topicDryRun, type TopicDryRun } from './topics.dry-run';

// The admin's topics: the list with how many calls each tags, a form to add one, and each topic's form to edit,
// turn off or delete it. The condition is typed as JSON, as rubric items' rules are in the builder; each form's
// "Try it" button (and, with JavaScript, the builder's dry-run script as one types) shows which of the last 50
// analysed calls it would tag.

interface TopicForm {
  name: string;
  rule: string;
  active: boolean;
}

const EXAMPLE = JSON.stringify(DEFAULT_TOPICS[0]?.rule ?? { phrase: { any_of: ['I want to complain'] } }, null, 2);

function formValues(body: Record<string, unknown>): TopicForm {
  const str = (v: unknown) => (typeof v === 'string' ? v : '');
  return { name: str(body.name).slice(0, 200), rule: str(body.rule), active: body.active !== undefined };
}

async function renderList(
  deps: AppDeps,
  res: Response,
  status: number,
  values: TopicForm,
  errors: object,
  dryRun: TopicDryRun | null = null,
) {
  const [topics, counts] = await Promise.all([listTopics(deps.db), tagCounts(deps.db)]);
  const tagged = new Map(counts.map((c) => [c.topic_id, Number(c.n)]));
  res.status(status).render('topics/list', {
    title: 'Call topics',
    topics: topics.map((t) => ({ ...t, calls: tagged.get(t.id) ?? 0 })),
    values,
    errors,
    example: EXAMPLE,
    dryRun,
  });
}

async function listPage(deps: AppDeps, _req: Request, res: Response) {
  await renderList(deps, res, 200, { name: '', rule: '', active: true }, {});
}

async function add(deps: AppDeps, req: Request, res: Response) {
  const values = formValues(formBody(req));
  await submitForm(
    async () => {
      const topic = await createTopic(deps, values);
      successRedirect(req, res, `Added the topic “${topic.name}”; calls are being tagged.`, '/admin/topics');
    },
    (status, errors) => renderList(deps, res, status, values, errors),
    'name',
  );
}

interface EditView {
  form?: TopicForm;
  errors?: object;
  dryRun?: TopicDryRun | null;
}

async function renderEdit(deps: AppDeps, res: Response, id: number, status: number, view: EditView = {}) {
  const topic = await topicOr404(deps.db, id);
  const rule = JSON.stringify(JSON.parse(topic.rule) as unknown, null, 2);
  const values = view.form ?? { name: topic.name, rule, active: topic.active === 1 };
  res.status(status).render('topics/edit', {
    title: `Topic: ${topic.name}`,
    topic,
    values,
    errors: view.errors ?? {},
    example: EXAMPLE,
    dryRun: view.dryRun ?? null,
  });
}

async function editPage(deps: AppDeps, req: Request, res: Response) {
  await renderEdit(deps, res, idParam(req, 'topic'), 200);
}

async function save(deps: AppDeps, req: Request, res: Response) {
  const id = idParam(req, 'topic');
  await topicOr404(deps.db, id);
  const values = formValues(formBody(req));
  await submitForm(
    async () => {
      const topic = await saveTopic(deps, id, values);
      successRedirect(req, res, `Saved the topic “${topic.name}”.`, '/admin/topics');
    },
    (status, errors) => renderEdit(deps, res, id, status, { form: values, errors }),
    'name',
  );
}

async function remove(deps: AppDeps, req: Request, res: Response) {
  const topic = await deleteTopic(deps, idParam(req, 'topic'));
  successRedirect(req, res, `Deleted the topic “${topic.name}” and its tags.`, '/admin/topics');
}

/** "Try it" on the add form: the page again, with the dry run of the condition typed (nothing is saved). */
async function tryOnList(deps: AppDeps, req: Request, res: Response) {
  const values = formValues(formBody(req));
  await submitForm(
    async () => renderList(deps, res, 200, values, {}, await topicDryRun(deps.db, values.rule)),
    (status, errors) => renderList(deps, res, status, values, errors),
    'rule',
  );
}

/** "Try it" on a topic's form: as on the add form, for the condition being edited. */
async function tryOnEdit(deps: AppDeps, req: Request, res: Response) {
  const id = idParam(req, 'topic');
  await topicOr404(deps.db, id);
  const values = formValues(formBody(req));
  await submitForm(
    async () => renderEdit(deps, res, id, 200, { form: values, dryRun: await topicDryRun(deps.db, values.rule) }),
    (status, errors) => renderEdit(deps, res, id, status, { form: values, errors }),
    'rule',
  );
}

/** GET /admin/topics/dry-run?rule=<JSON>: the same dry run for the dry-run script, as JSON (422 when not one). */
async function dryRunJson(deps: AppDeps, req: Request, res: Response) {
  res.setHeader('Cache-Control', 'no-store');
  try {
    const run = await topicDryRun(deps.db, req.query.rule);
    const counts = { tagged: run.tagged.length, untagged: run.untagged.length, open: run.open.length };
    res.json({ counts, calls: run.calls });
  } catch (err) {
    if (!(err instanceof Validation)) throw err;
    refusedAsJson(res, err, 'Not a condition.');
  }
}

/** Silent monitoring: to a CSR the topics pages do not exist (other staff are refused as on any admin page). */
function hiddenFromCsrs(req: Request, _res: Response, next: NextFunction): void {
  if (req.user && !mayOpenCallPages(actorOf(req))) return next(new NotFound('Page not found.'));
  next();
}

export function topicRoutes(deps: AppDeps): Router {
  const router = Router();
  const handle = withDeps(deps);
  router.use('/admin/topics', hiddenFromCsrs, requireRole('admin'));
  router.get('/admin/topics', handle(listPage));
  router.post('/admin/topics', handle(add));
  router.get('/admin/topics/dry-run', handle(dryRunJson));
  router.post('/admin/topics/dry-run', handle(tryOnList));
  router.get('/admin/topics/:id', handle(editPage));
  router.post('/admin/topics/:id/dry-run', handle(tryOnEdit));
  router.post('/admin/topics/:id', handle(save));
  router.post('/admin/topics/:id/delete', handle(remove));
  return router;
}
