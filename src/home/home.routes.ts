import { Router } from 'express';
import { sql } from 'kysely';
import { requireSignedIn } from '../auth/auth.middleware';
import type { AppDeps } from '../deps';
import { listAudit } from '../audit/audit.queries';
import { listDepartments, listTeams } from '../org/org.queries';
import { actorOf, managedDepartmentIds, teamScope } from '../policy/scope';
import { listPeople } from '../users/users.queries';

export function homeRoutes(deps: AppDeps): Router {
  const router = Router();

  router.get('/', requireSignedIn, async (req, res) => {
    const actor = actorOf(req);
    switch (actor.role) {
      case 'admin': {
        const counts = await deps.db
          .selectFrom('users')
          .select(['role', sql<number>`count(*)`.as('n')])
          .where('active', '=', 1)
          .groupBy('role')
          .execute();
        const [teams, departments, audit] = await Promise.all([
          listTeams(deps.db),
          listDepartments(deps.db),
          listAudit(deps.db, { limit: 8 }),
        ]);
        return res.render('home/admin', { title: 'Home', counts, teams, departments, audit: audit.entries });
      }
      case 'manager': {
        const departmentIds = await managedDepartmentIds(deps.db, actor.id);
        const scope = await teamScope(deps.db, actor);
        const [departments, teams] = await Promise.all([
          listDepartments(deps.db, departmentIds),
          listTeams(deps.db, scope.all ? undefined : scope.teamIds),
        ]);
        return res.render('home/manager', { title: 'Home', departments, teams });
      }
      case 'supervisor': {
        const scope = await teamScope(deps.db, actor);
        const [teams, people] = await Promise.all([
          listTeams(deps.db, scope.all ? undefined : scope.teamIds),
          listPeople(deps.db, { scope, role: 'csr', includeInactive: false }),
        ]);
        return res.render('home/supervisor', { title: 'Home', teams, people });
      }
      case 'csr': {
        const team = actor && req.user?.team_id ? (await listTeams(deps.db, [req.user.team_id]))[0] : undefined;
        return res.render('home/csr', { title: 'Home', team });
      }
    }
  });

  return router;
}
