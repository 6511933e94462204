import { recordAudit } from '../audit';
import { isUniqueViolation } from '../db/errors';
import type { DB } from '../db/database';
import type { AppDeps } from '../deps';
import { isoNow } from '../lib/clock';
import { Conflict, NotFound, Validation } from '../lib/errors';
import { parseInput } from '../lib/validation';
import type { Actor } from '../policy';
import { findDepartment, findTeam } from './org.queries';
import { departmentSchema, teamSchema } from './org.schemas';

async function userIdWithRole(db: DB, username: string, role: 'manager' | 'supervisor', path: string) {
  const user = await db
    .selectFrom('users')
    .select(['id', 'role', 'active'])
    .where('username', '=', username)
    .executeTakeFirst();
  if (!user || user.role !== role || !user.active) {
    throw new Validation([{ path, message: `${username} is not an active ${role}.` }]);
  }
  return user.id;
}

export async function saveDepartment(deps: AppDeps, actor: Actor, raw: unknown, id?: number, ip?: string) {
  const input = parseInput(departmentSchema, raw);
  if (id !== undefined && !(await findDepartment(deps.db, id))) throw new NotFound('No such department.');
  const managerId = input.manager ? await userIdWithRole(deps.db, input.manager, 'manager', 'manager') : null;
  const now = isoNow(deps.clock);
  const values = {
    name: input.name,
    manager_id: managerId,
    budget_cents: input.budget_cents,
    budget_period: input.budget_period,
  };
  try {
    return await deps.db.transaction().execute(async (trx) => {
      const departmentId =
        id ??
        (
          await trx
            .insertInto('departments')
            .values({ ...values, created_at: now })
            .returning('id')
            .executeTakeFirstOrThrow()
        ).id;
      if (id !== undefined) await trx.updateTable('departments').set(values).where('id', '=', id).execute();
      await recordAudit(trx, now, {
        actorId: actor.id,
        action: id === undefined ? 'department.created' : 'department.updated',
        entityType: 'department',
        entityId: departmentId,
        details: { ...values },
        ip,
      });
      return departmentId;
    });
  } catch (err) {
    if (isUniqueViolation(err)) throw new Conflict('A department with that name exists.', 'duplicate');
    throw err;
  }
}

export async function saveTeam(deps: AppDeps, actor: Actor, raw: unknown, id?: number, ip?: string) {
  const input = parseInput(teamSchema, raw);
  if (id !== undefined && !(await findTeam(deps.db, id))) throw new NotFound('No such team.');
  if (!(await findDepartment(deps.db, input.department_id))) {
    throw new Validation([{ path: 'department_id', message: 'No such department.' }]);
  }
  const supervisorIds: number[] = [];
  for (const name of new Set(input.supervisors)) {
    supervisorIds.push(await userIdWithRole(deps.db, name, 'supervisor', 'supervisors'));
  }
  const now = isoNow(deps.clock);
  try {
    return await deps.db.transaction().execute(async (trx) => {
      const values = { name: input.name, department_id: input.department_id };
      const teamId =
        id ??
        (
          await trx
            .insertInto('teams')
            .values({ ...values, created_at: now })
            .returning('id')
            .executeTakeFirstOrThrow()
        ).id;
      if (id !== undefined) {
        await trx.updateTable('teams').set(values).where('id', '=', id).execute();
        await trx.deleteFrom('team_supervisors').where('team_id', '=', id).execute();
      }
      for (const userId of supervisorIds) {
        await trx.insertInto('team_supervisors').values({ team_id: teamId, user_id: userId }).execute();
      }
      await recordAudit(trx, now, {
        actorId: actor.id,
        action: id === undefined ? 'team.created' : 'team.updated',
        entityType: 'team',
        entityId: teamId,
        details: { ...values, supervisors: input.supervisors },
        ip,
      });
      return teamId;
    });
  } catch (err) {
    if (isUniqueViolation(err)) throw new Conflict('This department already has a team with that name.', 'duplicate');
    throw err;
  }
}
