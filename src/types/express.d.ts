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

declare module 'express-session' {
  interface SessionData {
    startedAt?: number;
    setupDemo?: boolean;
    flash?: Array<{ kind: 'success' | 'error' | 'info'; message: string }>;
  }
}

export {};
