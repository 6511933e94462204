import { recordChange } from '../audit';
import { inTransaction } from '../db/transaction';
import type { AppDeps } from '../deps';
import { isoNow } from '../lib/clock';
import { Validation } from '../lib/errors';
import { claim, expectedResponse, verifyRegistrationResponse } from './ceremonies';
import { findPasskeyByCredentialId, insertPasskey } from './passkeys.queries';
import { parseCredential, passkeyNameSchema, registrationCredentialSchema } from './passkeys.schemas';

const EXPIRED = 'The passkey request has expired or was already used. Try adding the passkey again.';

function problem(path: 'name' | 'credential', message: string): Validation {
  return new Validation([{ path, message }]);
}

export function passkeyName(value: unknown): string {
  const parsed = passkeyNameSchema.safeParse(value ?? '');
  if (!parsed.success) throw problem('name', parsed.error.issues[0]?.message ?? 'Give the passkey a name.');
  return parsed.data;
}

/**
 * Checks what the browser's navigator.credentials.create() returned against the challenge this session was
 * given (used up either way), the origin and relying party from configuration, and keeps the credential.
 */
export async function finishRegistration(
  deps: AppDeps,
  userId: number,
  input: { challenge: string | undefined; credential: unknown; name: unknown },
  ip: string,
): Promise<void> {
  const name = passkeyName(input.name);
  const response = parseCredential(registrationCredentialSchema, input.credential);
  if (!response) throw problem('credential', 'Your browser sent no passkey. Try adding the passkey again.');
  const expected = expectedResponse(deps, input.challenge);
  if (!(await claim(deps, input.challenge, 'register', userId))) throw problem('credential', EXPIRED);
  let verified;
  try {
    verified = await verifyRegistrationResponse({
      response,
      ...expected,
      requireUserVerification: false,
    });
  } catch (err) {
    throw problem('credential', `The passkey could not be checked: ${(err as Error).message}`);
  }
  const info = verified.registrationInfo;
  if (!verified.verified || !info) throw problem('credential', 'The passkey could not be checked. Try again.');
  if (await findPasskeyByCredentialId(deps.db, info.credential.id)) {
    throw problem('credential', 'That passkey is already in use.');
  }
  const now = isoNow(deps.clock);
  await inTransaction(deps.db, async (trx) => {
    const id = await insertPasskey(trx, {
      user_id: userId,
      credential_id: info.credential.id,
      public_key: Buffer.from(info.credential.publicKey).toString('base64url'),
      counter: info.credential.counter,
      transports: JSON.stringify(info.credential.transports ?? response.response.transports ?? []),
      name,
      created_at: now,
    });
    await recordChange(trx, now, { actorId: userId, ip }, 'passkey.added', ['user', userId], { passkey_id: id, name });
  });
}
