import { recordAudit, recordChange } from '../audit';
import type { User } from '../db/schema';
import type { AppDeps } from '../deps';
import { isoNow } from '../lib/clock';
import { TooManyRequests, Unauthorized } from '../lib/errors';
import { findUserById } from '../users';
import { claim, expectedResponse, transportsOf, verifyAuthenticationResponse, type Purpose } from './ceremonies';
import { findPasskeyByCredentialId, recordPasskeyUse } from './passkeys.queries';
import { authenticationCredentialSchema, parseCredential } from './passkeys.schemas';

export const PASSKEY_REFUSED = 'That passkey was not accepted. Try again, or sign in with your password.';

type Reason =
  | 'no_response'
  | 'challenge'
  | 'unknown_credential'
  | 'disabled_user'
  | 'origin'
  | 'rp_id'
  | 'user_verification'
  | 'counter'
  | 'signature';

/** Why the library refused an answer, from its message (for the audit log). */
function reasonOf(message: string): Reason {
  if (/counter/i.test(message)) return 'counter';
  if (/challenge/i.test(message)) return 'challenge';
  if (/origin/i.test(message)) return 'origin';
  if (/RP ID/i.test(message)) return 'rp_id';
  if (/user verification/i.test(message)) return 'user_verification';
  return 'signature';
}

class Refusal extends Error {
  constructor(
    readonly reason: Reason,
    readonly user?: User,
    detail?: string,
  ) {
    super(detail ?? reason);
  }
}

export interface PasskeyAttempt {
  purpose: Exclude<Purpose, 'register'>;
  /** The challenge this session was given (the caller forgets it: used once, right or wrong). */
  challenge: string | undefined;
  /** The `credential` form field: JSON of navigator.credentials.get()'s answer. */
  credential: unknown;
  /** The second step: the person whose password was right. Signing in alone: null (any person's passkey). */
  userId: number | null;
  ip: string;
}

/** The credential's person, when the passkey is known, theirs (second step) and they may sign in. */
async function credentialOwner(deps: AppDeps, attempt: PasskeyAttempt, credentialId: string) {
  const passkey = await findPasskeyByCredentialId(deps.db, credentialId);
  if (!passkey || (attempt.userId !== null && passkey.user_id !== attempt.userId)) {
    throw new Refusal('unknown_credential');
  }
  const user = await findUserById(deps.db, passkey.user_id);
  if (!user) throw new Refusal('unknown_credential');
  if (!user.active) throw new Refusal('disabled_user', user);
  return { passkey, user };
}

async function check(deps: AppDeps, attempt: PasskeyAttempt): Promise<User> {
  const response = parseCredential(authenticationCredentialSchema, attempt.credential);
  if (!response) throw new Refusal('no_response');
  const expected = expectedResponse(deps, attempt.challenge);
  if (!(await claim(deps, attempt.challenge, attempt.purpose, attempt.userId))) throw new Refusal('challenge');
  const { passkey, user } = await credentialOwner(deps, attempt, response.id);
  await deps.throttle.assertAllowed(user.username);
  let result;
  try {
    result = await verifyAuthenticationResponse({
      response,
      ...expected,
      credential: {
        id: passkey.credential_id,
        publicKey: new Uint8Array(Buffer.from(passkey.public_key, 'base64url')),
        counter: Number(passkey.counter),
        transports: transportsOf(passkey.transports),
      },
      // Alone, the passkey is both factors: the authenticator must have checked a PIN or biometric.
      requireUserVerification: attempt.purpose === 'sign-in',
    });
  } catch (err) {
    const message = (err as Error).message;
    throw new Refusal(reasonOf(message), user, message.slice(0, 200));
  }
  if (!result.verified) throw new Refusal('signature', user);
  const { newCounter } = result.authenticationInfo;
  const at = isoNow(deps.clock);
  if (!(await recordPasskeyUse(deps.db, passkey.id, Number(passkey.counter), newCounter, at))) {
    throw new Refusal('counter', user, 'used by another request at the same time');
  }
  await recordChange(deps.db, at, { actorId: user.id, ip: attempt.ip }, 'passkey.used', ['user', user.id], {
    passkey_id: passkey.id,
    purpose: attempt.purpose,
  });
  return user;
}

async function refuse(deps: AppDeps, attempt: PasskeyAttempt, refusal: Refusal, credentialId: string) {
  // Counted like a wrong password: against the person when known (the second step's is), else against the
  // credential id (so the address's count grows either way).
  const user = refusal.user ?? (attempt.userId === null ? undefined : await findUserById(deps.db, attempt.userId));
  const addressLimited = await deps.throttle.recordFailure(
    user?.username ?? `passkey:${credentialId.slice(0, 64)}`,
    attempt.ip,
  );
  await recordAudit(deps.db, isoNow(deps.clock), {
    actorId: user?.id ?? null,
    action: 'passkey.failed',
    entityType: user ? 'user' : undefined,
    entityId: user?.id,
    details: { purpose: attempt.purpose, reason: refusal.reason, detail: refusal.message.slice(0, 200) },
    ip: attempt.ip,
  });
  return addressLimited ?? new Unauthorized(PASSKEY_REFUSED);
}

/**
 * A sign-in with a passkey (alone, or as the second step), under the sign-in throttle: the person, or a 401
 * (or 429 past the limit) after counting the failure and recording why in the audit log.
 */
export async function verifyPasskey(deps: AppDeps, attempt: PasskeyAttempt): Promise<User> {
  try {
    const user = await check(deps, attempt);
    await deps.throttle.recordSuccess(user.username);
    return user;
  } catch (err) {
    if (err instanceof TooManyRequests) throw err;
    if (!(err instanceof Refusal)) throw err;
    const id = parseCredential(authenticationCredentialSchema, attempt.credential)?.id ?? '';
    throw await refuse(deps, attempt, err, id);
  }
}
