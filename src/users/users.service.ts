import { recordChange } from '../audit';
import { isUniqueViolation } from '../db/errors';
import type { DB } from '../db/database';
import type { Role, User, UserUpdate } from '../db/schema';
import { inTransaction } from '../db/transaction';
import type { AppDeps } from '../deps';
import { isoNow } from '../lib/clock';
import { Conflict, NotFound, Validation } from '../lib/errors';
import { hashPassword, passwordProblem } from '../lib/passwords';
import { parseInput } from '../lib/validation';
import {
  addTeamSupervisor,
  dropManagedDepartments,
  dropSupervisedTeams,
  findDepartment,
  findTeam,
  setDepartmentManager,
} from '../org';
import { assertBreakGlassKept, isAdmin, isCsr, isManager, isSupervisor, type Actor } from '../policy';
import { createUserSchema, updateUserSchema, type CreateUserInput } from './users.schemas';
import {
  countActiveAdmins,
  endSessionsOfUser,
  findUserByEmail,
  findUserByExtension,
  findUserById,
  findUserByUsername,
  insertUser,
  updateUserRow,
} from './users.queries';

async function assertPlacement(db: DB, role: Role, teamId?: number | null, departmentId?: number): Promise<void> {
  if (teamId && !(await findTeam(db, teamId))) throw new Validation([{ path: 'team_id', message: 'No such team.' }]);
  if (departmentId && !(await findDepartment(db, departmentId))) {
    throw new Validation([{ path: 'department_id', message: 'No such department.' }]);
  }
  if (isCsr({ role }) && !teamId) throw new Validation([{ path: 'team_id', message: 'A CSR belongs to a team.' }]);
}

/** Creates a user; hashing happens before the transaction, the audit entry commits with the row. */
export async function createUser(
  deps: AppDeps,
  actor: Actor | null,
  raw: unknown,
  ip?: string,
  options: { onlyIfNoAdmin?: boolean } = {},
): Promise<User> {
  const input: CreateUserInput = parseInput(createUserSchema, raw);
  const problem = passwordProblem(input.password, input.username);
  if (problem) throw new Validation([{ path: 'password', message: problem }]);
  await assertPlacement(deps.db, input.role, input.team_id, input.department_id);
  if (await findUserByUsername(deps.db, input.username)) {
    throw new Conflict('That username is taken.', 'duplicate');
  }
  await assertFree(deps.db, 'extension', input.extension);
  await assertFree(deps.db, 'email', input.email);
  const passwordHash = await hashPassword(input.password, deps.config.scryptLogN);
  const now = isoNow(deps.clock);
  try {
    const id = await inTransaction(deps.db, async (trx) => {
      // First-run setup: checked inside the transaction so two racing setup forms cannot both win.
      if (options.onlyIfNoAdmin && (await countActiveAdmins(trx)) > 0)
        throw new Conflict('Setup is already done.', 'setup_done');
      const userId = await insertUser(trx, {
        username: input.username,
        display_name: input.display_name,
        password_hash: passwordHash,
        role: input.role,
        team_id: isCsr(input) ? (input.team_id ?? null) : null,
        extension: input.extension ?? null,
        email: input.email ?? null,
        created_at: now,
        updated_at: now,
      });
      if (isSupervisor(input) && input.team_id) await addTeamSupervisor(trx, input.team_id, userId);
      if (isManager(input) && input.department_id) {
        await setDepartmentManager(trx, input.department_id, userId);
      }
      await recordChange(trx, now, { actorId: actor?.id ?? null, ip }, 'user.created', ['user', userId], {
        username: input.username,
        role: input.role,
      });
      return userId;
    });
    return await reloadUser(deps.db, id);
  } catch (err) {
    if (isUniqueViolation(err)) throw takenConflict(err);
    throw err;
  }
}

/** A unique index refused the row: the extension's or the username's. */
function takenConflict(err: unknown): Conflict {
  if (err instanceof Error && err.message.includes('extension')) return ONE_PERSON_EACH.extension.taken();
  if (err instanceof Error && err.message.includes('email')) return ONE_PERSON_EACH.email.taken();
  return new Conflict('That username is taken.', 'duplicate');
}

export const EXTENSION_TAKEN = 'extension_taken';
export const EMAIL_TAKEN = 'email_taken';

/**
 * What one person at most may hold: an extension, so a call record names one agent, and an email address,
 * so single sign-on finds one account.
 */
const ONE_PERSON_EACH = {
  extension: {
    holder: findUserByExtension,
    taken: () => new Conflict('Another person has that extension.', EXTENSION_TAKEN),
  },
  email: {
    holder: findUserByEmail,
    taken: () => new Conflict('Another person has that email address.', EMAIL_TAKEN),
  },
};

async function assertFree(
  db: DB,
  field: keyof typeof ONE_PERSON_EACH,
  value: string | null | undefined,
  exceptUserId?: number,
): Promise<void> {
  if (!value) return;
  const holder = await ONE_PERSON_EACH[field].holder(db, value);
  if (holder && holder.id !== exceptUserId) throw ONE_PERSON_EACH[field].taken();
}

/** Admin edit: display name, role, team (moving a CSR), active, password reset. */
export async function updateUser(
  deps: AppDeps,
  actor: Actor,
  userId: number,
  raw: unknown,
  ip?: string,
): Promise<User> {
  const input = parseInput(updateUserSchema, raw);
  const user = await findUserById(deps.db, userId);
  if (!user) throw new NotFound('No such person.');
  const role = input.role ?? user.role;
  const teamId = input.team_id === undefined ? user.team_id : input.team_id;
  await assertPlacement(deps.db, role, isCsr({ role }) ? teamId : null);
  await assertAdminsRemain(deps.db, actor, user, role, input.active);
  await assertBreakGlassKept(deps.db, deps.config.oidc !== null, user, { role, active: input.active });
  await assertFree(deps.db, 'extension', input.extension, userId);
  await assertFree(deps.db, 'email', input.email, userId);

  let passwordHash: string | undefined;
  if (input.password !== undefined) {
    const problem = passwordProblem(input.password, user.username);
    if (problem) throw new Validation([{ path: 'password', message: problem }]);
    passwordHash = await hashPassword(input.password, deps.config.scryptLogN);
  }
  const now = isoNow(deps.clock);
  const changes: UserUpdate = { updated_at: now };
  if (input.display_name !== undefined) changes.display_name = input.display_name;
  if (input.role !== undefined) changes.role = input.role;
  changes.team_id = isCsr({ role }) ? teamId : null;
  if (input.active !== undefined) changes.active = input.active ? 1 : 0;
  if (input.extension !== undefined) changes.extension = input.extension;
  if (input.email !== undefined) changes.email = input.email;
  if (passwordHash) changes.password_hash = passwordHash;

  const endsSessions = changes.active === 0 || passwordHash !== undefined || role !== user.role;
  await inTransaction(deps.db, async (trx) => {
    await updateUserRow(trx, userId, changes);
    if (!isSupervisor({ role })) await dropSupervisedTeams(trx, userId);
    if (!isManager({ role })) await dropManagedDepartments(trx, userId);
    if (endsSessions) await endSessionsOfUser(trx, userId);
    const action = auditActionFor(user, changes, passwordHash !== undefined);
    await recordChange(trx, now, { actorId: actor.id, ip }, action, ['user', userId], describeChanges(user, changes));
  });
  return reloadUser(deps.db, userId);
}

/** The user as stored once a change committed; gone by then only if deleted concurrently. */
async function reloadUser(db: DB, userId: number): Promise<User> {
  const user = await findUserById(db, userId);
  if (!user) throw new NotFound('No such person.');
  return user;
}

async function assertAdminsRemain(db: DB, actor: Actor, user: User, role: Role, active?: boolean): Promise<void> {
  const losesAdmin = isAdmin(user) && user.active === 1 && (!isAdmin({ role }) || active === false);
  if (!losesAdmin) return;
  if (user.id === actor.id) throw new Conflict('You cannot disable or demote your own account.', 'self_change');
  if ((await countActiveAdmins(db)) <= 1) throw new Conflict('At least one active admin must remain.', 'last_admin');
}

function auditActionFor(user: User, changes: UserUpdate, passwordReset: boolean): string {
  if (changes.active === 0 && user.active === 1) return 'user.disabled';
  if (changes.active === 1 && user.active === 0) return 'user.enabled';
  if (passwordReset) return 'user.password_reset';
  return 'user.updated';
}

function describeChanges(user: User, changes: UserUpdate): Record<string, unknown> {
  const details: Record<string, unknown> = {};
  for (const key of ['display_name', 'role', 'team_id', 'active', 'extension', 'email'] as const) {
    if (changes[key] !== undefined && changes[key] !== user[key]) details[key] = { from: user[key], to: changes[key] };
  }
  if (changes.password_hash) details.password = 'reset';
  return details;
}
