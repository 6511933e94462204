import type { AuthenticatorTransportFuture } from '@simplewebauthn/server';
import type { AppDeps } from '../deps';
import { Conflict } from '../lib/errors';
import { claimChallenge, pruneChallenges, saveChallenge } from './passkeys.queries';

// The WebAuthn ceremonies' shared parts: the relying party from configuration, and challenges that live in the
// database (any process may answer the second request), expire after a few minutes and are used once.

export type Purpose = 'register' | 'second-step' | 'sign-in';

export const CHALLENGE_MS = 5 * 60_000;
const PRUNE_EVERY_MS = 60_000;
let lastPrune = 0;

const loadWebAuthn = () => import('@simplewebauthn/server');
type WebAuthn = Awaited<ReturnType<typeof loadWebAuthn>>;
let webauthnModule: Promise<WebAuthn> | undefined;

/**
 * @simplewebauthn/server with its ASN.1 and COSE dependencies is one of the costliest modules to load (about a
 * quarter of the start-up's module time), and most servers run few ceremonies: it is loaded on the first one and
 * kept. A failed load is not cached, so the next ceremony tries again.
 */
function webauthn(): Promise<WebAuthn> {
  if (webauthnModule) return webauthnModule;
  const loading = loadWebAuthn().catch((err: unknown) => {
    webauthnModule = undefined;
    throw err;
  });
  webauthnModule = loading;
  return loading;
}

export function relyingParty(deps: AppDeps): { origin: string; rpId: string } {
  const rp = deps.config.webauthn;
  if (!rp) {
    throw new Conflict(
      'Passkeys are not set up on this server: an administrator sets PUBLIC_URL first.',
      'passkeys_not_configured',
    );
  }
  return rp;
}

/** What a ceremony's response must answer to: this challenge, from this server's origin, for its relying party. */
export function expectedResponse(deps: AppDeps, challenge: string | undefined) {
  const rp = relyingParty(deps);
  return { expectedChallenge: challenge ?? '', expectedOrigin: rp.origin, expectedRPID: rp.rpId };
}

async function remember(deps: AppDeps, challenge: string, purpose: Purpose, userId: number | null): Promise<void> {
  const now = deps.clock.now().getTime();
  if (now - lastPrune > PRUNE_EVERY_MS) {
    lastPrune = now;
    await pruneChallenges(deps.db, new Date(now).toISOString());
  }
  await saveChallenge(deps.db, {
    challenge,
    purpose,
    user_id: userId,
    expires_at: new Date(now + CHALLENGE_MS).toISOString(),
  });
}

/** Uses up the challenge this session was given; false when it expired, was used, or was for something else. */
export async function claim(
  deps: AppDeps,
  challenge: string | undefined,
  purpose: Purpose,
  userId: number | null,
): Promise<boolean> {
  if (!challenge) return false;
  return claimChallenge(deps.db, challenge, purpose, userId, deps.clock.now().toISOString());
}

export function transportsOf(json: string): AuthenticatorTransportFuture[] {
  const parsed: unknown = JSON.parse(json);
  return Array.isArray(parsed) ? (parsed.filter((t) => typeof t === 'string') as AuthenticatorTransportFuture[]) : [];
}

export interface KnownCredential {
  credential_id: string;
  transports: string;
}

/** Options for navigator.credentials.create(): a discoverable credential, so it can also sign in alone. */
export async function registrationOptions(
  deps: AppDeps,
  user: { id: number; username: string; display_name: string },
  existing: KnownCredential[],
) {
  const rp = relyingParty(deps);
  const { generateRegistrationOptions } = await webauthn();
  const options = await generateRegistrationOptions({
    rpName: 'Callscore',
    rpID: rp.rpId,
    userName: user.username,
    userDisplayName: user.display_name,
    // A stable handle per person (no personal data), so an authenticator keeps one passkey per account.
    userID: new TextEncoder().encode(`callscore-user-${user.id}`),
    attestationType: 'none',
    excludeCredentials: existing.map((c) => ({ id: c.credential_id, transports: transportsOf(c.transports) })),
    authenticatorSelection: { residentKey: 'required', userVerification: 'preferred' },
    timeout: CHALLENGE_MS,
  });
  await remember(deps, options.challenge, 'register', user.id);
  return options;
}

/**
 * Options for navigator.credentials.get(). Signing in without a password asks for any of this site's passkeys
 * with user verification (the passkey is then both factors); the second step asks for one of that person's.
 */
export async function authenticationOptions(
  deps: AppDeps,
  purpose: 'second-step' | 'sign-in',
  user: { id: number; credentials: KnownCredential[] } | null,
) {
  const rp = relyingParty(deps);
  const { generateAuthenticationOptions } = await webauthn();
  const options = await generateAuthenticationOptions({
    rpID: rp.rpId,
    allowCredentials: user?.credentials.map((c) => ({ id: c.credential_id, transports: transportsOf(c.transports) })),
    userVerification: purpose === 'sign-in' ? 'required' : 'preferred',
    timeout: CHALLENGE_MS,
  });
  await remember(deps, options.challenge, purpose, user?.id ?? null);
  return options;
}

/** Checks a registration response (@simplewebauthn/server's, loaded on first use). */
export async function verifyRegistrationResponse(
  ...args: Parameters<WebAuthn['verifyRegistrationResponse']>
): ReturnType<WebAuthn['verifyRegistrationResponse']> {
  return (await webauthn()).verifyRegistrationResponse(...args);
}

/** Checks an authentication response (@simplewebauthn/server's, loaded on first use). */
export async function verifyAuthenticationResponse(
  ...args: Parameters<WebAuthn['verifyAuthenticationResponse']>
): ReturnType<WebAuthn['verifyAuthenticationResponse']> {
  return (await webauthn()).verifyAuthenticationResponse(...args);
}
