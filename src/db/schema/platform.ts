import type { Generated, Selectable } from 'kysely';

// Sign-in sessions, the sign-in throttle, API tokens, the audit log and settings.

export interface SessionsTable {
  sid: string;
  user_id: number | null;
  data: string;
  expires_at: number;
}

export interface LoginThrottleTable {
  key: string;
  failures: number;
  window_started_at: number;
  blocked_until: number | null;
  last_failure_at: Generated<number>;
}

export interface ApiTokensTable {
  id: Generated<number>;
  user_id: number;
  name: string;
  token_hash: string;
  created_at: string;
  last_used_at: string | null;
  revoked_at: string | null;
}

export interface AuditLogTable {
  id: Generated<number>;
  at: string;
  actor_id: number | null;
  action: string;
  entity_type: string | null;
  entity_id: number | null;
  details: string | null;
  ip: string | null;
}

export interface SettingsTable {
  key: string;
  value: string;
}

/** A periodic job's last finished run (src/db/exclusive.ts): once per period across app processes. */
export interface JobRunsTable {
  name: string;
  holder: string | null;
  lease_until: string | null;
  finished_at: string | null;
}
export type ApiToken = Selectable<ApiTokensTable>;
export type AuditEntry = Selectable<AuditLogTable>;

/** An admin who hid the guided start on their home page (its steps themselves are derived from the data). */
export interface GuidedStartDismissalsTable {
  user_id: number;
  dismissed_at: string;
}
