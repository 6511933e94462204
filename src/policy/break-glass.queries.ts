import type { Executor } from '../db/transaction';
import { readSettings } from '../lib/settings-store.queries';

// The single sign-on settings the break-glass rule reads (written by src/sso/sso.settings.ts), and the admin it names.

export const SSO_ONLY_KEY = 'sso_only';
export const BREAK_GLASS_KEY = 'sso_break_glass';
/** The break-glass admin's user id beside their username: a later account with the same name is not them. */
export const BREAK_GLASS_ID_KEY = 'sso_break_glass_id';

export async function breakGlassSettings(db: Executor) {
  const values = await readSettings(db, [SSO_ONLY_KEY, BREAK_GLASS_KEY, BREAK_GLASS_ID_KEY]);
  const value = (key: string) => values.get(key);
  const id = Number(value(BREAK_GLASS_ID_KEY));
  return {
    ssoOnly: value(SSO_ONLY_KEY) === '1',
    username: value(BREAK_GLASS_KEY) ?? '',
    userId: Number.isInteger(id) && id > 0 ? id : null,
  };
}

/** The named admin: by id, or by username alone for settings saved before the id was stored beside it. */
export async function breakGlassAccount(db: Executor, named: { userId: number | null; username: string }) {
  const query = db.selectFrom('users').select(['id', 'username', 'role', 'active']);
  if (named.userId !== null) return query.where('id', '=', named.userId).executeTakeFirst();
  if (!named.username) return undefined;
  return query.where('username', '=', named.username).executeTakeFirst();
}
