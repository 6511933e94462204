import type { AppDeps } from '../../src/deps';
import type { Role, User } from '../../src/db/schema';
import { saveDepartment, saveTeam } from '../../src/org/org.service';
import { createUser } from '../../src/users/users.service';

export const PASSWORD = 'correct horse battery staple';

let counter = 0;

export async function buildUser(
  deps: AppDeps,
  role: Role,
  fields: { username?: string; team_id?: number; department_id?: number; password?: string } = {},
): Promise<User> {
  counter += 1;
  return createUser(deps, null, {
    username: fields.username ?? `${role}${counter}`,
    display_name: `${role[0].toUpperCase()}${role.slice(1)} ${counter}`,
    password: fields.password ?? PASSWORD,
    role,
    team_id: fields.team_id,
    department_id: fields.department_id,
  });
}

export interface Org {
  admin: User;
  manager: User;
  otherManager: User;
  departmentId: number;
  otherDepartmentId: number;
  teamA: number;
  teamB: number;
  otherTeam: number;
  supervisorA: User;
  supervisorB: User;
  otherSupervisor: User;
  csrA: User;
  csrA2: User;
  csrB: User;
  otherCsr: User;
}

/**
 * Two departments: the manager's (teams A and B) and another (one team). Each team has a supervisor and
 * CSRs, so every scope rule has someone inside and someone outside it.
 */
export async function buildOrg(deps: AppDeps): Promise<Org> {
  const admin = await buildUser(deps, 'admin');
  const manager = await buildUser(deps, 'manager');
  const otherManager = await buildUser(deps, 'manager');
  const actor = { id: admin.id, role: 'admin' as const };
  const departmentId = await saveDepartment(deps, actor, {
    name: `Care ${++counter}`,
    manager: manager.username,
    budget_cents: 100_000,
  });
  const otherDepartmentId = await saveDepartment(deps, actor, {
    name: `Sales ${++counter}`,
    manager: otherManager.username,
  });
  const supervisorA = await buildUser(deps, 'supervisor');
  const supervisorB = await buildUser(deps, 'supervisor');
  const otherSupervisor = await buildUser(deps, 'supervisor');
  const teamA = await saveTeam(deps, actor, {
    name: 'Team A',
    department_id: departmentId,
    supervisors: [supervisorA.username],
  });
  const teamB = await saveTeam(deps, actor, {
    name: 'Team B',
    department_id: departmentId,
    supervisors: [supervisorB.username],
  });
  const otherTeam = await saveTeam(deps, actor, {
    name: 'Other',
    department_id: otherDepartmentId,
    supervisors: [otherSupervisor.username],
  });
  return {
    admin,
    manager,
    otherManager,
    departmentId,
    otherDepartmentId,
    teamA,
    teamB,
    otherTeam,
    supervisorA,
    supervisorB,
    otherSupervisor,
    csrA: await buildUser(deps, 'csr', { team_id: teamA }),
    csrA2: await buildUser(deps, 'csr', { team_id: teamA }),
    csrB: await buildUser(deps, 'csr', { team_id: teamB }),
    otherCsr: await buildUser(deps, 'csr', { team_id: otherTeam }),
  };
}
