import { endSessionsOfUser } from '../auth';
import { recordAudit } from '../audit';
import { isUniqueViolation } from '../db/errors';
import type { DB } from '../db/database';
import type { Role, User, UserUpdate } from '../db/schema';
import type { AppDeps } from '../deps';
import { isoNow } from '../lib/clock';
import { Conflict, NotFound, Validation } from '../lib/errors';
import { hashPassword, passwordProblem } from '../lib/passwords';
import { parseInput } from '../lib/validation';
import type { Actor } from '../policy';
import { createUserSchema, updateUserSchema, type CreateUserInput } from './users.schemas';
import { countActiveAdmins, findUserById, findUserByUsername, insertUser, updateUserRow } from './users.queries';

async function assertPlacement(db: DB, role: Role, teamId?: number | null, departmentId?: number): Promise<void> {
  if (teamId) {
    const team = await db.selectFrom('teams').select('id').where('id', '=', teamId).executeTakeFirst();
    if (!team) throw new Validation([{ path: 'team_id', message: 'No such team.' }]);
  }
  if (departmentId) {
    const dept = await db.selectFrom('departments').select('id').where('id', '=', departmentId).executeTakeFirst();
    if (!dept) throw new Validation([{ path: 'department_id', message: 'No such department.' }]);
  }
  if (role === 'csr' && !teamId) throw new Validation([{ path: 'team_id', message: 'A CSR belongs to a team.' }]);
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
  const passwordHash = await hashPassword(input.password, deps.config.scryptLogN);
  const now = isoNow(deps.clock);
  try {
    const id = await deps.db.transaction().execute(async (trx) => {
      // First-run setup: checked inside the transaction so two racing setup forms cannot both win.
      if (options.onlyIfNoAdmin && (await countActiveAdmins(trx)) > 0)
        throw new Conflict('Setup is already done.', 'setup_done');
      const userId = await insertUser(trx, {
        username: input.username,
        display_name: input.display_name,
        password_hash: passwordHash,
        role: input.role,
        team_id: input.role === 'csr' ? (input.team_id ?? null) : null,
        created_at: now,
        updated_at: now,
      });
      if (input.role === 'supervisor' && input.team_id) {
        await trx.insertInto('team_supervisors').values({ team_id: input.team_id, user_id: userId }).execute();
      }
      if (input.role === 'manager' && input.department_id) {
        await trx
          .updateTable('departments')
          .set({ manager_id: userId })
          .where('id', '=', input.department_id)
          .execute();
      }
      await recordAudit(trx, now, {
        actorId: actor?.id ?? null,
        action: 'user.created',
        entityType: 'user',
        entityId: userId,
        details: { username: input.username, role: input.role },
        ip,
      });
      return userId;
    });
    return (await findUserById(deps.db, id))!;
  } catch (err) {
    if (isUniqueViolation(err)) throw new Conflict('That username is taken.', 'duplicate');
    throw err;
  }
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
  await assertPlacement(deps.db, role, role === 'csr' ? teamId : null);
  await assertAdminsRemain(deps.db, actor, user, role, input.active);

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
  changes.team_id = role === 'csr' ? teamId : null;
  if (input.active !== undefined) changes.active = input.active ? 1 : 0;
  if (passwordHash) changes.password_hash = passwordHash;

  const endsSessions = changes.active === 0 || passwordHash !== undefined || role !== user.role;
  await deps.db.transaction().execute(async (trx) => {
    await updateUserRow(trx, userId, changes);
    if (role !== 'supervisor') await trx.deleteFrom('team_supervisors').where('user_id', '=', userId).execute();
    if (role !== 'manager') {
      await trx.updateTable('departments').set({ manager_id: null }).where('manager_id', '=', userId).execute();
    }
    if (endsSessions) await endSessionsOfUser(trx, userId);
    await recordAudit(trx, now, {
      actorId: actor.id,
      action: auditActionFor(user, changes, passwordHash !== undefined),
      entityType: 'user',
      entityId: userId,
      details: describeChanges(user, changes),
      ip,
    });
  });
  return (await findUserById(deps.db, userId))!;
}

async function assertAdminsRemain(db: DB, actor: Actor, user: User, role: Role, active?: boolean): Promise<void> {
  const losesAdmin = user.role === 'admin' && user.active === 1 && (role !== 'admin' || active === false);
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
  for (const key of ['display_name', 'role', 'team_id', 'active'] as const) {
    if (changes[key] !== undefined && changes[key] !== user[key]) details[key] = { from: user[key], to: changes[key] };
  }
  if (changes.password_hash) details.password = 'reset';
  return details;
}
