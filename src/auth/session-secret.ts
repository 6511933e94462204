import crypto from 'node:crypto';
import type { DB } from '../db/database';
import { findSessionSecret, storeSessionSecretIfNone } from './sessions.queries';

/** The session-signing secret is made once per installation and kept in the database, never in the repo. */
export async function sessionSecret(db: DB): Promise<string> {
  const existing = await findSessionSecret(db);
  if (existing !== undefined) return existing;
  await storeSessionSecretIfNone(db, crypto.randomBytes(32).toString('base64url'));
  const stored = await findSessionSecret(db);
  if (stored === undefined) throw new Error('The session secret could not be stored.');
  return stored;
}
