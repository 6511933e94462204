import { Router, type Request } from 'express';
import { requireSignedIn } from '../auth';
import type { AppDeps } from '../deps';
import { NotFound, Validation } from '../lib/errors';
import { clientIp, flash } from '../lib/http';
import { parseIdParam } from '../lib/validation';
import { listTeams } from '../org';
import { actorOf, requireRole, STAFF_ROLES, visibleCallOr404 } from '../policy';
import { COUNT_CAP, distinctCategories } from './calls.queries';
import { callCues, deleteCall, searchCalls } from './calls.service';
import { sendRecording } from './recording';
import { listEvaluations } from '../evaluations';
import { publishedRubrics } from '../rubrics';

export function callIdParam(req: Request): number {
  const id = parseIdParam(req.params.id);
  if (id === null) throw new NotFound('No such call.');
  return id;
}

/** Query-string values for links (next page), without the cursor. */
function linkQuery(query: Record<string, unknown>): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (key !== 'cursor' && value !== undefined && value !== '') params.set(key, String(value));
  }
  return params.toString();
}

export function callRoutes(deps: AppDeps): Router {
  const router = Router();
  router.get('/calls', requireRole(...STAFF_ROLES), async (req, res) => {
    const actor = actorOf(req);
    const scopeTeams = async (scope: Awaited<ReturnType<typeof searchCalls>>['scope']) =>
      listTeams(deps.db, scope.all ? undefined : scope.teamIds);
    try {
      const result = await searchCalls(deps, actor, req.query);
      const [teams, categories] = await Promise.all([scopeTeams(result.scope), distinctCategories(deps.db)]);
      res.render('calls/list', {
        title: 'Calls',
        ...result,
        teams,
        categories,
        errors: {},
        baseQuery: linkQuery(result.query),
        countCap: COUNT_CAP,
      });
    } catch (err) {
      if (!(err instanceof Validation)) throw err;
      res.status(422).render('calls/list', {
        title: 'Calls',
        items: [],
        total: 0,
        next_cursor: null,
        query: {},
        teams: [],
        categories: [],
        errors: err.byField(),
        baseQuery: '',
        countCap: COUNT_CAP,
      });
    }
  });

  // A CSR has no call pages: any id is simply not found for them (silent monitoring).
  router.get('/calls/:id', requireSignedIn, async (req, res) => {
    if (actorOf(req).role === 'csr') throw new NotFound('No such call.');
    const call = await visibleCallOr404(deps.db, actorOf(req), callIdParam(req));
    const [agent, team] = await Promise.all([
      call.agent_id
        ? deps.db
            .selectFrom('users')
            .select(['display_name', 'username'])
            .where('id', '=', call.agent_id)
            .executeTakeFirst()
        : undefined,
      call.team_id ? listTeams(deps.db, [call.team_id]).then((t) => t[0]) : undefined,
    ]);
    const [rubrics, evaluations] = await Promise.all([
      publishedRubrics(deps.db),
      listEvaluations(deps.db, { teamIds: 'all', callId: call.id, limit: 50 }),
    ]);
    res.render('calls/show', {
      title: `Call ${call.external_id}`,
      call,
      agent,
      team,
      cues: callCues(call),
      rubrics,
      evaluations: evaluations.items,
    });
  });

  router.get('/calls/:id/recording', requireSignedIn, async (req, res) => {
    const call = await visibleCallOr404(deps.db, actorOf(req), callIdParam(req));
    await sendRecording(deps, req, res, call);
  });

  router.post('/calls/:id/delete', requireRole('admin'), async (req, res) => {
    const call = await visibleCallOr404(deps.db, actorOf(req), callIdParam(req));
    await deleteCall(deps, actorOf(req), call, clientIp(req));
    flash(req, 'success', `Call ${call.external_id} and its recording were deleted.`);
    res.redirect(303, '/calls');
  });

  return router;
}
