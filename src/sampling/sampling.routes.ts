import { Router, type Request, type Response } from 'express';
import type { AppDeps } from '../deps';
import { Forbidden, NotFound, Validation } from '../lib/errors';
import { clientIp, flash, pickFields } from '../lib/http';
import { parseIdParam } from '../lib/validation';
import { actorOf, requireRole, STAFF_ROLES, teamScope } from '../policy';
import { dueAtOf, periodAt, periodFromKey, periodLabel } from './period';
import { planProgress } from './progress.queries';
import { findPlanByTeam, periodsOf, teamCategories, teamsWithPlans } from './sampling.queries';
import { DEFAULT_PLAN, PLAN_FIELDS, periodKeyParam } from './sampling.schemas';
import {
  canEditPlans,
  chosenPeriod,
  picksWithCheck,
  planCertainty,
  savePlan,
  visibleTeamOr404,
} from './sampling.service';
import { ASSUMED_SD, MARGIN } from './stats';

function teamIdParam(req: Request): number {
  const id = parseIdParam(req.params.id);
  if (id === null) throw new NotFound('No such team.');
  return id;
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

export function samplingRoutes(deps: AppDeps): Router {
  const router = Router();
  router.use('/sampling', requireRole(...STAFF_ROLES));

  router.get('/sampling', async (req, res) => {
    const actor = actorOf(req);
    const scope = await teamScope(deps.db, actor);
    res.render('sampling/index', {
      title: 'Sampling',
      teams: await overview(deps, scope.all ? 'all' : scope.teamIds),
      canEdit: canEditPlans(actor),
    });
  });

  router.get('/sampling/teams/:id', async (req, res) => {
    const actor = actorOf(req);
    const team = await visibleTeamOr404(deps, actor, teamIdParam(req));
    const plan = await findPlanByTeam(deps.db, team.id);
    const key = periodQuery(req);
    if (!plan) {
      if (key) throw new NotFound('No such period.');
      return res.render('sampling/team', {
        title: `Sampling: ${team.name}`,
        team,
        plan: null,
        canEdit: canEditPlans(actor),
      });
    }
    const period = chosenPeriod(plan, key, deps.clock.now());
    const [rows, periods] = await Promise.all([
      planCertainty(deps, plan, team.name, period),
      periodsOf(deps.db, plan.id),
    ]);
    const current = periodAt(plan.period, deps.clock.now());
    const keys = [...new Set([current.key, ...periods.map((p) => p.period_key)])]
      .filter((k) => periodFromKey(k)?.kind === plan.period)
      .sort()
      .reverse();
    res.render('sampling/team', {
      title: `Sampling: ${team.name}`,
      team,
      plan,
      rows,
      period: { key: period.key, label: periodLabel(period), current: period.key === current.key },
      periods: keys.map((k) => ({ key: k, label: periodLabel(periodFromKey(k)!) })),
      canEdit: canEditPlans(actor),
      margin: MARGIN,
      assumedSd: ASSUMED_SD,
    });
  });

  async function renderPlanForm(
    req: Request,
    res: Response,
    status = 200,
    values?: Record<string, unknown>,
    errors = {},
  ) {
    const actor = actorOf(req);
    const team = await visibleTeamOr404(deps, actor, teamIdParam(req));
    if (!canEditPlans(actor)) throw new Forbidden('Only an administrator or the department manager sets the plan.');
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

  router.get('/sampling/teams/:id/plan', async (req, res) => renderPlanForm(req, res));

  router.post('/sampling/teams/:id/plan', async (req, res) => {
    const values = pickFields(req.body, PLAN_FIELDS);
    try {
      const { topUp } = await savePlan(deps, actorOf(req), teamIdParam(req), values, clientIp(req));
      const picked = topUp
        ? ` ${topUp.picks.length} call${topUp.picks.length === 1 ? '' : 's'} picked so far this period.`
        : '';
      flash(req, 'success', `Sampling plan saved.${picked}`);
      res.redirect(303, `/sampling/teams/${teamIdParam(req)}`);
    } catch (err) {
      if (!(err instanceof Validation)) throw err;
      await renderPlanForm(req, res, 422, { ...values, active: values.active !== undefined }, err.byField());
    }
  });

  router.get('/sampling/teams/:id/picks', async (req, res) => {
    const actor = actorOf(req);
    const team = await visibleTeamOr404(deps, actor, teamIdParam(req));
    const plan = await findPlanByTeam(deps.db, team.id);
    if (!plan) throw new NotFound('This team has no sampling plan.');
    const period = chosenPeriod(plan, periodQuery(req), deps.clock.now(), true);
    const [{ period: seeded, picks }, periods] = await Promise.all([
      picksWithCheck(deps, plan.id, period.key),
      periodsOf(deps.db, plan.id),
    ]);
    res.render('sampling/picks', {
      title: `Sampling picks: ${team.name}`,
      team,
      plan,
      period: { key: period.key, label: periodLabel(period), due: dueAtOf(period).slice(0, 10) },
      seeded,
      picks,
      csrIds: [...new Map(picks.map((p) => [p.csr_id, `${p.csr_name} ${p.csr_id}`])).values()].join(', '),
      periods: periods.map((p) => ({ key: p.period_key, label: periodLabel(periodFromKey(p.period_key)!) })),
    });
  });

  return router;
}
