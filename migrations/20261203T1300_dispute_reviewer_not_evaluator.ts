import { Kysely, sql } from 'kysely';

// Issue 14: a dispute was assigned to the person who wrote the scorecard when they were the team's only
// supervisor. Open disputes so assigned go to whom the rule now picks (policy disputeReviewer, "supervisor"
// order): another active supervisor of the team, else the department's active manager, else the lowest-id
// active admin; none of them the evaluator. Decided disputes keep their history as it happened.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    update disputes set assignee_id = coalesce(
      (select u.id from team_supervisors ts join users u on u.id = ts.user_id
        where ts.team_id = disputes.team_id and u.active = 1 and u.id <> disputes.evaluator_id
        order by u.id limit 1),
      (select m.id from teams t join departments d on d.id = t.department_id join users m on m.id = d.manager_id
        where t.id = disputes.team_id and m.active = 1 and m.id <> disputes.evaluator_id),
      (select a.id from users a where a.role = 'admin' and a.active = 1 and a.id <> disputes.evaluator_id
        order by a.id limit 1))
    where status = 'open' and assignee_id = evaluator_id`.execute(db);
}

// Nothing to undo: the earlier assignment broke the rule the app enforces.
export async function down(): Promise<void> {}
