import type { Generated } from 'kysely';

// The second factor: a user's TOTP secret (encrypted) and their one-time recovery codes (hashed).

export interface UserTotpTable {
  user_id: number;
  secret_enc: string;
  confirmed_at: string | null;
  last_time_step: number | null;
  created_at: string;
}

export interface UserRecoveryCodesTable {
  id: Generated<number>;
  user_id: number;
  code_hash: string;
  used_at: string | null;
  created_at: string;
}
