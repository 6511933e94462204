import { Router, type Request, type Response } from 'express';
import { listAudit } from '../audit';
import { requireSignedIn } from '../auth';
import { countOverdue, listCoachingTasks } from '../coaching';
import type { Role } from '../db/schema';
import type { AppDeps } from '../deps';
import { isoNow } from '../lib/clock';
import { successRedirect } from '../lib/http';
import { countUnscored, listEvaluations } from '../evaluations';
import { listDepartments, listTeams } from '../org';
import {
  actorOf,
  COACHING_AWAITING_CSR,
  COACHING_ACTIVE,
  CSR_VISIBLE,
  managedDepartmentIds,
  requireRole,
  teamScope,
  type Actor,
} from '../policy';
import { planProgress } from '../sampling';
import { getSettings } from '../settings';
import { listPeople } from '../users';
import { csrTrend, departmentBudgets, managerTeamRows, supervisorFigures } from './dashboards';
import { activeUserCountsByRole, dismissGuidedStart, guidedStartDismissed, guidedStartFacts } from './home.queries';

type HomePage = (deps: AppDeps, actor: Actor, req: Request, res: Response) => Promise<void>;

/** Each role's own home page: what they look after, at a glance. */
const HOME_PAGES: Record<Role, HomePage> = {
  admin: adminHome,
  manager: managerHome,
  supervisor: supervisorHome,
  csr: csrHome,
};

export function homeRoutes(deps: AppDeps): Router {
  const router = Router();
  router.get('/', requireSignedIn, async (req, res) => {
    const actor = actorOf(req);
    await HOME_PAGES[actor.role](deps, actor, req, res);
  });
  router.post('/guided-start/dismiss', requireRole('admin'), async (req, res) => {
    await dismissGuidedStart(deps.db, actorOf(req).id, isoNow(deps.clock));
    successRedirect(req, res, 'Guided start hidden. Every step stays reachable from the menu.', '/');
  });
  return router;
}

/** The admin's guided start: four steps, each ticked from the data; null once this admin hid it. */
async function guidedStart(deps: AppDeps, actor: Actor) {
  if (await guidedStartDismissed(deps.db, actor.id)) return null;
  const done = await guidedStartFacts(deps.db);
  const steps = [
    { key: 'org', done: done.org, label: 'Make your org', href: '/admin/org', hint: 'a department and its teams' },
    { key: 'users', done: done.users, label: 'Import users', href: '/admin/users', hint: 'supervisors and CSRs' },
    {
      key: 'phone',
      done: done.phone,
      label: 'Connect your phone system',
      href: '/calls/import',
      hint: 'calls from your ACD/PBX (CSV, Asterisk, FreeSWITCH or the API); demo calls do not count',
    },
    { key: 'rubric', done: done.rubric, label: 'Choose a rubric', href: '/rubrics', hint: 'publish a scorecard form' },
  ];
  return { steps, remaining: steps.filter((s) => !s.done).length };
}

async function adminHome(deps: AppDeps, actor: Actor, _req: Request, res: Response) {
  const counts = await activeUserCountsByRole(deps.db);
  const [teams, departments, audit, start] = await Promise.all([
    listTeams(deps.db),
    listDepartments(deps.db),
    listAudit(deps.db, { limit: 8 }),
    guidedStart(deps, actor),
  ]);
  res.render('home/admin', { title: 'Home', counts, teams, departments, audit: audit.entries, start });
}

async function managerHome(deps: AppDeps, actor: Actor, _req: Request, res: Response) {
  const departmentIds = await managedDepartmentIds(deps.db, actor.id);
  const scope = await teamScope(deps.db, actor);
  const [departments, teams] = await Promise.all([
    listDepartments(deps.db, departmentIds),
    listTeams(deps.db, scope.all ? undefined : scope.teamIds),
  ]);
  const now = deps.clock.now();
  const settings = await getSettings(deps.db);
  const [rows, budgets, progress] = await Promise.all([
    managerTeamRows(
      deps.db,
      teams.map((t) => t.id),
      now,
      settings,
    ),
    departmentBudgets(deps.db, departmentIds, now),
    planProgress(deps.db, scope.all ? 'all' : scope.teamIds, now.toISOString()),
  ]);
  const planned = new Map<number, { planned: number; done: number }>();
  for (const p of progress) {
    const t = planned.get(p.team_id) ?? { planned: 0, done: 0 };
    planned.set(p.team_id, { planned: t.planned + p.planned_so_far, done: t.done + p.done });
  }
  res.render('home/manager', { title: 'Home', departments, teams, rows, budgets, settings, planned });
}

async function supervisorHome(deps: AppDeps, actor: Actor, _req: Request, res: Response) {
  const scope = await teamScope(deps.db, actor);
  const teamIds = scope.all ? ('all' as const) : scope.teamIds;
  const now = deps.clock.now().toISOString();
  const [teams, people, unscored, drafts, pending, overdue, coaching] = await Promise.all([
    listTeams(deps.db, scope.all ? undefined : scope.teamIds),
    listPeople(deps.db, { scope, role: 'csr', includeInactive: false }),
    countUnscored(deps.db, teamIds),
    listEvaluations(deps.db, { teamIds, evaluatorId: actor.id, statuses: ['draft'], limit: 10 }),
    listEvaluations(deps.db, { teamIds, statuses: ['submitted'], limit: 10 }),
    countOverdue(deps.db, teamIds, now),
    listCoachingTasks(deps.db, { teamIds, statuses: [...COACHING_ACTIVE], limit: 10 }),
  ]);
  const [figures, progress] = await Promise.all([
    supervisorFigures(deps.db, teamIds, deps.clock.now()),
    planProgress(deps.db, teamIds, now),
  ]);
  res.render('home/supervisor', {
    title: 'Home',
    teams,
    people,
    unscored,
    drafts: drafts.items,
    pending: pending.items,
    overdue,
    coaching: coaching.items,
    now,
    figures,
    progress,
  });
}

async function csrHome(deps: AppDeps, actor: Actor, req: Request, res: Response) {
  const team = req.user?.team_id ? (await listTeams(deps.db, [req.user.team_id]))[0] : undefined;
  const [scorecards, coaching] = await Promise.all([
    listEvaluations(deps.db, { teamIds: 'all', agentId: actor.id, statuses: CSR_VISIBLE, limit: 5 }),
    listCoachingTasks(deps.db, {
      teamIds: 'all',
      csrId: actor.id,
      releasedOnly: true,
      statuses: [...COACHING_AWAITING_CSR],
      limit: 10,
    }),
  ]);
  const trend = await csrTrend(deps.db, actor.id, deps.clock.now());
  res.render('home/csr', {
    trend,
    title: 'Home',
    team,
    scorecards: scorecards.items,
    coaching: coaching.items,
    now: deps.clock.now().toISOString(),
  });
}
