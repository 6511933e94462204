import crypto from 'node:crypto';
import { recordChange } from '../audit';
import type { User } from '../db/schema';
import { inTransaction } from '../db/transaction';
import type { AppDeps } from '../deps';
import { isoNow } from '../lib/clock';
import { hashPassword } from '../lib/passwords';
import { findUserByEmail, findUserById } from '../users';
import { openIdClient, providerConfiguration } from './sso.client';
import type { OidcConfig } from './sso.config';
import { insertSsoUser, usernameTaken } from './sso.queries';
import { ssoPolicy } from './sso.settings';

/** A single sign-on that is refused: why (for the audit log) and what the person is told. */
export class SsoRefused extends Error {
  email: string | null = null;
  constructor(
    readonly reason: string,
    message: string,
    readonly status = 401,
  ) {
    super(message);
  }
}

const NOT_COMPLETED = 'Single sign-on did not complete. Try again.';
export const PENDING_MS = 10 * 60_000;

export interface PendingSso {
  state: string;
  nonce: string;
  verifier: string;
  next: string;
  since: number;
}

/** The provider's sign-in page to send the browser to, and the checks its answer must pass. */
export async function startSso(oidc: OidcConfig, next: string, now: number) {
  const client = await openIdClient();
  const configuration = await providerConfiguration(oidc);
  const pending: PendingSso = {
    state: client.randomState(),
    nonce: client.randomNonce(),
    verifier: client.randomPKCECodeVerifier(),
    next,
    since: now,
  };
  const url = client.buildAuthorizationUrl(configuration, {
    redirect_uri: oidc.redirectUri.href,
    scope: 'openid email profile',
    response_type: 'code',
    state: pending.state,
    nonce: pending.nonce,
    code_challenge: await client.calculatePKCECodeChallenge(pending.verifier),
    code_challenge_method: 'S256',
  });
  return { url, pending };
}

/** Why openid-client refused the answer (its messages name the check, never a token), for the audit log. */
function refusalReason(err: unknown): string {
  const { error, code, message, cause } = err as {
    error?: unknown;
    code?: unknown;
    message?: unknown;
    cause?: unknown;
  };
  if (typeof error === 'string') return `provider: ${error}`.slice(0, 160);
  // openid-client's own message is generic; the check that failed is named by the error it wraps.
  const detail = cause instanceof Error ? cause.message : typeof message === 'string' ? message : '';
  return `${typeof code === 'string' ? code : 'error'}: ${detail}`.slice(0, 160);
}

export interface SsoIdentity {
  subject: string;
  email: string | null;
  emailVerified: boolean;
  name: string | null;
  preferredUsername: string | null;
  amr: string[];
  /** Kept in the server-side session only: the id_token_hint of the provider's sign-out. */
  idToken: string;
}

/**
 * The provider's answer at the callback: the code is exchanged (PKCE verifier, state, nonce and the ID token's
 * signature, issuer, audience and times all checked by openid-client); the email comes from the ID token or,
 * when the provider keeps it there, from userinfo.
 */
export async function finishSso(oidc: OidcConfig, pending: PendingSso, query: string): Promise<SsoIdentity> {
  const client = await openIdClient();
  const configuration = await providerConfiguration(oidc);
  const callback = new URL(oidc.redirectUri.href);
  callback.search = query;
  let tokens;
  try {
    tokens = await client.authorizationCodeGrant(configuration, callback, {
      pkceCodeVerifier: pending.verifier,
      expectedState: pending.state,
      expectedNonce: pending.nonce,
      idTokenExpected: true,
    });
  } catch (err) {
    throw new SsoRefused(refusalReason(err), NOT_COMPLETED);
  }
  const claims = tokens.claims();
  if (!claims || !tokens.id_token) throw new SsoRefused('no_id_token', NOT_COMPLETED);
  let profile: Record<string, unknown> = claims;
  if (typeof claims.email !== 'string') {
    profile = await client.fetchUserInfo(configuration, tokens.access_token, claims.sub);
  }
  return {
    subject: claims.sub,
    email: typeof profile.email === 'string' ? profile.email.trim().toLowerCase() : null,
    emailVerified: profile.email_verified === true,
    name: typeof profile.name === 'string' ? profile.name : null,
    preferredUsername: typeof profile.preferred_username === 'string' ? profile.preferred_username : null,
    amr: Array.isArray(claims.amr) ? claims.amr.filter((v): v is string => typeof v === 'string') : [],
    idToken: tokens.id_token,
  };
}

const NO_ACCOUNT =
  'There is no Callscore account for your email address. Ask an admin to add your email to your account.';

/** The account a verified email address names: an existing one, or a new CSR with no team when allowed. */
export async function accountFor(deps: AppDeps, identity: SsoIdentity, ip: string): Promise<User> {
  if (!identity.email) throw new SsoRefused('no_email', 'Your identity provider did not share your email address.');
  if (!identity.emailVerified) {
    throw new SsoRefused('email_unverified', 'Your identity provider has not verified your email address.');
  }
  const user = await findUserByEmail(deps.db, identity.email);
  if (user && !user.active) throw new SsoRefused('disabled', 'Your account is disabled.', 403);
  if (user) return user;
  if (!(await ssoPolicy(deps.db)).createUsers) throw new SsoRefused('unknown_user', NO_ACCOUNT, 403);
  return createAccount(deps, identity, identity.email, ip);
}

async function freeUsername(deps: AppDeps, identity: SsoIdentity, email: string): Promise<string> {
  const base = (identity.preferredUsername ?? email.split('@')[0] ?? 'user')
    .replace(/[^a-zA-Z0-9._-]/g, '')
    .replace(/^[^a-zA-Z0-9]+/, '')
    .slice(0, 56)
    .padEnd(2, '0');
  for (let n = 1; n < 100; n++) {
    const candidate = n === 1 ? base : `${base}${n}`;
    if (!(await usernameTaken(deps.db, candidate))) return candidate;
  }
  return `${base}-${crypto.randomBytes(3).toString('hex')}`;
}

/** A CSR with no team and an unusable password: they sign in through the provider until an admin places them. */
async function createAccount(deps: AppDeps, identity: SsoIdentity, email: string, ip: string): Promise<User> {
  const username = await freeUsername(deps, identity, email);
  const passwordHash = await hashPassword(crypto.randomBytes(32).toString('base64url'), deps.config.scryptLogN);
  const now = isoNow(deps.clock);
  const id = await inTransaction(deps.db, async (trx) => {
    const userId = await insertSsoUser(trx, {
      username,
      display_name: (identity.name ?? username).slice(0, 100),
      password_hash: passwordHash,
      role: 'csr',
      team_id: null,
      email,
      created_at: now,
      updated_at: now,
    });
    await recordChange(trx, now, { actorId: null, ip }, 'user.created', ['user', userId], {
      username,
      role: 'csr',
      via: 'sso',
    });
    return userId;
  });
  const user = await findUserById(deps.db, id);
  if (!user) throw new SsoRefused('gone', NOT_COMPLETED);
  return user;
}
