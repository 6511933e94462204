import { Router, type Request, type Response } from 'express';
import type { AppDeps } from '../deps';
import { Conflict, Validation } from '../lib/errors';
import { formBody, idParam } from '../lib/forms';
import { successRedirect } from '../lib/http';
import { listTeams } from '../org';
import { actorOf, requireRole, STAFF_ROLES } from '../policy';
import { publishedRubrics } from '../rubrics';
import { topicName } from '../topics';
import { COUNT_CAP, distinctCategories } from './calls.queries';
import { searchCalls } from './calls.service';
import { filterChips, filterParams, SORTABLE, sortLinks } from './call-list.view';
import { latestScores, savedViewsOf } from './list-extras.queries';
import { deleteCallView, saveCallView } from './saved-views.service';

type ListResult = Awaited<ReturnType<typeof searchCalls>>;

interface ListExtras {
  status?: number;
  errors?: Record<string, string>;
  viewErrors?: Record<string, string>;
  viewName?: string;
}

const EMPTY_RESULT = { items: [], total: 0, next_cursor: null, query: {}, scope: { all: false, teamIds: [] } };

async function renderList(deps: AppDeps, req: Request, res: Response, result: ListResult | null, extras: ListExtras) {
  const shown = result ?? EMPTY_RESULT;
  const scope = result?.scope;
  const topic = result?.query.topic;
  const [teams, categories, views, scores, rubrics, topicLabel] = await Promise.all([
    scope ? listTeams(deps.db, scope.all ? undefined : scope.teamIds) : [],
    result ? distinctCategories(deps.db) : [],
    savedViewsOf(deps.db, actorOf(req).id),
    latestScores(
      deps.db,
      shown.items.map((c) => c.id),
    ),
    publishedRubrics(deps.db),
    topic ? topicName(deps.db, Number(topic)) : undefined,
  ]);
  const topics = topic && topicLabel ? [{ id: Number(topic), name: topicLabel }] : [];
  const baseQuery = filterParams(shown.query).toString();
  res.status(extras.status ?? 200).render('calls/list', {
    title: 'Calls',
    ...shown,
    teams,
    categories,
    views,
    scores,
    defaultRubric: rubrics[0] ?? null,
    chips: filterChips(shown.query, teams, topics),
    sorts: sortLinks(shown.query),
    sortable: SORTABLE,
    errors: extras.errors ?? {},
    viewErrors: extras.viewErrors ?? {},
    viewName: extras.viewName ?? '',
    baseQuery,
    countCap: COUNT_CAP,
  });
}

async function listPage(deps: AppDeps, req: Request, res: Response) {
  try {
    const result = await searchCalls(deps, actorOf(req), req.query);
    await renderList(deps, req, res, result, {});
  } catch (err) {
    if (!(err instanceof Validation)) throw err;
    await renderList(deps, req, res, null, { status: 422, errors: err.byField() });
  }
}

async function saveView(deps: AppDeps, req: Request, res: Response) {
  const body = formBody(req);
  const query = typeof body.query === 'string' ? body.query : '';
  try {
    const { name } = await saveCallView(deps, actorOf(req), body);
    successRedirect(req, res, `Saved the view “${name}”.`, query ? `/calls?${query}` : '/calls');
  } catch (err) {
    if (!(err instanceof Validation || err instanceof Conflict)) throw err;
    const viewErrors = err instanceof Validation ? err.byField() : { name: err.message };
    const result = await searchCalls(deps, actorOf(req), Object.fromEntries(new URLSearchParams(query))).catch(
      () => null,
    );
    const viewName = typeof body.name === 'string' ? body.name.slice(0, 60) : '';
    await renderList(deps, req, res, result, { status: 422, viewErrors, viewName });
  }
}

async function removeView(deps: AppDeps, req: Request, res: Response) {
  await deleteCallView(deps, actorOf(req), idParam(req, 'saved view'));
  successRedirect(req, res, 'The saved view was deleted.', '/calls');
}

export function callListRoutes(deps: AppDeps): Router {
  const router = Router();
  const staff = requireRole(...STAFF_ROLES);
  router.get('/calls', staff, (req, res) => listPage(deps, req, res));
  router.post('/calls/views', staff, (req, res) => saveView(deps, req, res));
  router.post('/calls/views/:id/delete', staff, (req, res) => removeView(deps, req, res));
  return router;
}
