import { Router, type Request, type Response } from 'express';
import type { AppDeps } from '../deps';
import { Forbidden, NotFound, Validation } from '../lib/errors';
import type { FormAgain } from '../lib/form-again';
import { clientIp, pickFields, successRedirect } from '../lib/http';
import { idParam } from '../lib/forms';
import { localDateOf } from '../lib/zones';
import { getSettings } from '../settings';
import { actorOf, mayEditSamplingPlans, requireRole, STAFF_ROLES, teamScope } from '../policy';
import { dueAtOf, periodAt, periodFromKey, periodLabel } from './period';
import { planProgress } from './progress.queries';
import { findPlanByTeam, periodsOf, teamCategories, teamsWithPlans } from './sampling.queries';
import { DEFAULT_PLAN, PLAN_FIELDS, periodKeyParam } from './sampling.schemas';
import { chosenPeriod, picksWithCheck, planCertainty, savePlan, visibleTeamOr404 } from './sampling.service';
import { ASSUMED_SD, MARGIN } from './stats';

function teamIdParam(req: Request): number {
  return idParam(req, 'team');
}

/** A period key as the period menus show it; the keys come from the plan's own periods. */
function periodOption(timeZone: string) {
  return (key: string) => {
    const period = periodFromKey(key, timeZone);
    if (!period) throw new Error(`Sampling period key ${key} is not a period.`);
    return { key, label: periodLabel(period, timeZone) };
  };
}

function periodQuery(req: Request): string | undefined {
  const raw = req.query.period;
  if (raw === undefined || raw === '') return undefined;
  const parsed = periodKeyParam.safeParse(raw);
  if (!parsed.success) throw new NotFound('No such period.');
  return parsed.data;
}

/** Overview rows: each team in scope with its plan and this period's totals. */
async function overview(deps: AppDeps, teamIds: number[] | 'all') {
  const [teams, progress] = await Promise.all([
    teamsWithPlans(deps.db, teamIds),
    planProgress(deps.db, teamIds, deps.clock.now().toISOString()),
  ]);
  return teams.map((team) => {
    const rows = progress.filter((p) => p.team_id === team.team_id);
    const sum = (pick: (p: (typeof rows)[number]) => number) => rows.reduce((n, p) => n + pick(p), 0);
    return {
      ...team,
      csrs: rows.length,
      planned_so_far: sum((p) => p.planned_so_far),
      picked: sum((p) => p.picked),
      done: sum((p) => p.done),
      due_at: rows[0]?.due_at ?? null,
    };
  });
}

async function overviewPage(deps: AppDeps, req: Request, res: Response) {
  const actor = actorOf(req);
  const scope = await teamScope(deps.db, actor);
  res.render('sampling/index', {
    title: 'Sampling',
    teams: await overview(deps, scope.all ? 'all' : scope.teamIds),
    canEdit: mayEditSamplingPlans(actor),
  });
}

async function teamPage(deps: AppDeps, req: Request, res: Response) {
  const actor = actorOf(req);
  const team = await visibleTeamOr404(deps, actor, teamIdParam(req));
  const plan = await findPlanByTeam(deps.db, team.id);
  const key = periodQuery(req);
  const canEdit = mayEditSamplingPlans(actor);
  if (!plan) {
    if (key) throw new NotFound('No such period.');
    return res.render('sampling/team', { title: `Sampling: ${team.name}`, team, plan: null, canEdit });
  }
  const { time_zone: zone } = await getSettings(deps.db);
  const period = chosenPeriod(plan, key, deps.clock.now(), zone);
  const [rows, periods] = await Promise.all([
    planCertainty(deps, plan, team.name, period),
    periodsOf(deps.db, plan.id),
  ]);
  const current = periodAt(plan.period, deps.clock.now(), zone);
  const keys = [...new Set([current.key, ...periods.map((p) => p.period_key)])]
    .filter((k) => periodFromKey(k, zone)?.kind === plan.period)
    .sort()
    .reverse();
  res.render('sampling/team', {
    title: `Sampling: ${team.name}`,
    team,
    plan,
    rows,
    period: { key: period.key, label: periodLabel(period, zone), current: period.key === current.key },
    periods: keys.map(periodOption(zone)),
    canEdit,
    margin: MARGIN,
    assumedSd: ASSUMED_SD,
  });
}

async function renderPlanForm(deps: AppDeps, req: Request, res: Response, again: FormAgain = {}) {
  const { status = 200, values, errors = {} } = again;
  const actor = actorOf(req);
  const team = await visibleTeamOr404(deps, actor, teamIdParam(req));
  if (!mayEditSamplingPlans(actor)) {
    throw new Forbidden('Only an administrator or the department manager sets the plan.');
  }
  const [plan, categories] = await Promise.all([findPlanByTeam(deps.db, team.id), teamCategories(deps.db, team.id)]);
  const current = plan ? { ...plan, active: plan.active === 1 } : DEFAULT_PLAN;
  res.status(status).render('sampling/plan-form', {
    title: `${plan ? 'Edit' : 'Set up'} sampling: ${team.name}`,
    team,
    plan,
    categories,
    values: values ?? current,
    errors,
  });
}

async function savePlanForm(deps: AppDeps, req: Request, res: Response) {
  const values = pickFields(req.body, PLAN_FIELDS);
  try {
    const { topUp } = await savePlan(deps, actorOf(req), teamIdParam(req), values, clientIp(req));
    const picked = topUp
      ? ` ${topUp.picks.length} call${topUp.picks.length === 1 ? '' : 's'} picked so far this period.`
      : '';
    successRedirect(req, res, `Sampling plan saved.${picked}`, `/sampling/teams/${teamIdParam(req)}`);
  } catch (err) {
    if (!(err instanceof Validation)) throw err;
    const entered = { ...values, active: values.active !== undefined };
    await renderPlanForm(deps, req, res, { status: 422, values: entered, errors: err.byField() });
  }
}

async function picksPage(deps: AppDeps, req: Request, res: Response) {
  const actor = actorOf(req);
  const team = await visibleTeamOr404(deps, actor, teamIdParam(req));
  const plan = await findPlanByTeam(deps.db, team.id);
  if (!plan) throw new NotFound('This team has no sampling plan.');
  const { time_zone: zone } = await getSettings(deps.db);
  const period = chosenPeriod(plan, periodQuery(req), deps.clock.now(), zone, true);
  const [{ period: seeded, picks }, periods] = await Promise.all([
    picksWithCheck(deps, plan.id, period.key),
    periodsOf(deps.db, plan.id),
  ]);
  res.render('sampling/picks', {
    title: `Sampling picks: ${team.name}`,
    team,
    plan,
    period: {
      key: period.key,
      label: periodLabel(period, zone),
      due: localDateOf(Date.parse(dueAtOf(period)), zone),
    },
    seeded,
    picks,
    csrIds: [...new Map(picks.map((p) => [p.csr_id, `${p.csr_name} ${p.csr_id}`])).values()].join(', '),
    periods: periods.map((p) => periodOption(zone)(p.period_key)),
  });
}

export function samplingRoutes(deps: AppDeps): Router {
  const router = Router();
  router.use('/sampling', requireRole(...STAFF_ROLES));
  router.get('/sampling', (req, res) => overviewPage(deps, req, res));
  router.get('/sampling/teams/:id', (req, res) => teamPage(deps, req, res));
  router.get('/sampling/teams/:id/plan', (req, res) => renderPlanForm(deps, req, res));
  router.post('/sampling/teams/:id/plan', (req, res) => savePlanForm(deps, req, res));
  router.get('/sampling/teams/:id/picks', (req, res) => picksPage(deps, req, res));
  return router;
}
