import type { Role, User } from '../db/schema';
import type { Executor } from '../db/transaction';
import { Conflict } from '../lib/errors';
import { isAdmin } from './scope';
import { breakGlassAccount, breakGlassSettings } from './break-glass.queries';

// While single sign-on is the only way in, one named admin may still use a password. The rule is re-checked at
// every password sign-in: if that person was disabled, demoted or deleted (or the name now belongs to another
// account), passwords open for no one, and the settings page says so until an admin names an active admin again.
// The app itself refuses to disable or demote the break-glass admin while SSO-only is on (409).

export interface BreakGlassState {
  ssoOnly: boolean;
  username: string;
  /** The named admin is still an active admin of that username: their password works. */
  valid: boolean;
  /** Why it is not valid, in a person's words (null when valid or SSO-only is off). */
  problem: string | null;
}

function problemOf(username: string, account: Awaited<ReturnType<typeof breakGlassAccount>>): string | null {
  const who = username ? `The break-glass admin “${username}”` : 'No break-glass admin';
  const closed = 'so passwords are refused for everyone. Name an active admin below and save.';
  if (!account || account.username !== username) return `${who} no longer exists, ${closed}`;
  if (!account.active) return `${who} is disabled, ${closed}`;
  if (!isAdmin(account)) return `${who} is no longer an admin, ${closed}`;
  return null;
}

/** Whether SSO-only is on and whether its break-glass admin still qualifies (`ssoConfigured`: OIDC is set up). */
export async function breakGlassState(db: Executor, ssoConfigured: boolean): Promise<BreakGlassState> {
  const settings = await breakGlassSettings(db);
  if (!ssoConfigured || !settings.ssoOnly)
    return { ssoOnly: false, username: settings.username, valid: false, problem: null };
  const account = await breakGlassAccount(db, settings);
  const problem = problemOf(settings.username, account);
  return { ssoOnly: true, username: settings.username, valid: problem === null, problem };
}

/** A password sign-in (page or token route): open to all unless SSO-only, then to a valid break-glass admin only. */
export async function mayUsePassword(db: Executor, ssoConfigured: boolean, username: string): Promise<boolean> {
  const state = await breakGlassState(db, ssoConfigured);
  return !state.ssoOnly || (state.valid && state.username === username);
}

/** Refuses to disable or demote the break-glass admin while single sign-on is the only way in. */
export async function assertBreakGlassKept(
  db: Executor,
  ssoConfigured: boolean,
  user: User,
  change: { role: Role; active?: boolean },
): Promise<void> {
  const losesAdmin = isAdmin(user) && user.active === 1 && (!isAdmin(change) || change.active === false);
  if (!losesAdmin) return;
  const settings = await breakGlassSettings(db);
  if (!ssoConfigured || !settings.ssoOnly || (await breakGlassAccount(db, settings))?.id !== user.id) return;
  throw new Conflict(
    `${user.username} is the break-glass admin while single sign-on is the only way in. ` +
      'Name another active admin under Security → Single sign-on first.',
    'break_glass_admin',
  );
}
