import type { Generated } from 'kysely';

// WebAuthn passkeys: a person's credentials and the ceremonies' one-time challenges.

export interface UserPasskeysTable {
  id: Generated<number>;
  user_id: number;
  /** base64url, as the browser sends it. */
  credential_id: string;
  /** The COSE public key, base64url. */
  public_key: string;
  counter: number;
  /** JSON array of the transports the authenticator named (internal, usb, hybrid, …). */
  transports: string;
  name: string;
  created_at: string;
  last_used_at: string | null;
}

export interface PasskeyChallengesTable {
  challenge: string;
  /** register, second-step or sign-in. */
  purpose: string;
  user_id: number | null;
  expires_at: string;
}
