import { recordChange } from '../audit';
import { isUniqueViolation } from '../db/errors';
import type { DB } from '../db/database';
import { inTransaction } from '../db/transaction';
import type { AppDeps } from '../deps';
import { isoNow } from '../lib/clock';
import { Conflict, NotFound, Validation } from '../lib/errors';
import { parseInput } from '../lib/validation';
import type { Actor } from '../policy';
import {
  addTeamSupervisor,
  clearTeamSupervisors,
  findDepartment,
  findTeam,
  findUserRole,
  insertDepartment,
  insertTeam,
  updateDepartment,
  updateTeam,
} from './org.queries';
import { departmentSchema, teamSchema } from './org.schemas';

async function userIdWithRole(db: DB, username: string, role: 'manager' | 'supervisor', path: string) {
  const user = await findUserRole(db, username);
  if (!user || user.role !== role || !user.active) {
    throw new Validation([{ path, message: `${username} is not an active ${role}.` }]);
  }
  return user.id;
}

/** Runs a save, turning a name already taken into a Conflict with the given message. */
async function uniqueName<T>(message: string, save: () => Promise<T>): Promise<T> {
  try {
    return await save();
  } catch (err) {
    if (isUniqueViolation(err)) throw new Conflict(message, 'duplicate');
    throw err;
  }
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
  return uniqueName('A department with that name exists.', () =>
    inTransaction(deps.db, async (trx) => {
      const departmentId = id ?? (await insertDepartment(trx, values, now));
      if (id !== undefined) await updateDepartment(trx, id, values);
      const action = id === undefined ? 'department.created' : 'department.updated';
      await recordChange(trx, now, { actorId: actor.id, ip }, action, ['department', departmentId], { ...values });
      return departmentId;
    }),
  );
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
  return uniqueName('This department already has a team with that name.', () =>
    inTransaction(deps.db, async (trx) => {
      const values = { name: input.name, department_id: input.department_id };
      const teamId = id ?? (await insertTeam(trx, values, now));
      if (id !== undefined) {
        await updateTeam(trx, id, values);
        await clearTeamSupervisors(trx, id);
      }
      for (const userId of supervisorIds) await addTeamSupervisor(trx, teamId, userId);
      const action = id === undefined ? 'team.created' : 'team.updated';
      await recordChange(trx, now, { actorId: actor.id, ip }, action, ['team', teamId], {
        ...values,
        supervisors: input.supervisors,
      });
      return teamId;
    }),
  );
}
