import type { Role } from '../db/schema';

declare global {
  namespace Express {
    interface User {
      id: number;
      username: string;
      display_name: string;
      role: Role;
      team_id: number | null;
    }
    interface Request {
      authVia?: 'session' | 'token';
      /** The `_csrf` field read from the start of a multipart body (see src/auth/csrf.ts). */
      csrfFieldToken?: string;
    }
  }
}

/** What a session signed in through single sign-on keeps for the provider's sign-out. */
interface SsoSignIn {
  idToken: string;
  at: number;
}

declare module 'express-session' {
  interface SessionData {
    startedAt?: number;
    /**
     * First factor right, second not yet given: who, since when (ms), where to go after, and, when the first
     * factor was a single sign-on, what the final session needs to end the provider's session at sign-out.
     */
    pendingSignIn?: { userId: number; since: number; next: string; sso?: SsoSignIn };
    /** Signed in, but the role needs a second factor and there is none yet: only enrolment is open. */
    mustEnrol?: boolean;
    setupDemo?: boolean;
    /** Single sign-on under way (src/sso): the checks the provider's answer must pass, and where to go after. */
    ssoPending?: { state: string; nonce: string; verifier: string; next: string; since: number };
    /** Signed in through single sign-on: sign-out also ends the provider's session when it offers that. */
    ssoSignedIn?: boolean;
    /** The provider's ID token of this sign-in, the id_token_hint of its sign-out (kept here, server-side, only). */
    ssoIdToken?: string;
    /** When the provider last signed this person in (ms): a recent one stands in for a password (passkey removal). */
    ssoAt?: number;
    /** The WebAuthn challenge this browser was given for one passkey ceremony (also kept, single-use, in the DB). */
    passkeyChallenge?: { purpose: string; value: string };
    flash?: Array<{ kind: 'success' | 'error' | 'info'; message: string }>;
  }
}

export {};
