import crypto from 'node:crypto';

const TOKEN_PREFIX = 'cs_';

/** A new bearer token: 32 random bytes; only its SHA-256 is stored. */
export function newToken(): string {
  return TOKEN_PREFIX + crypto.randomBytes(32).toString('base64url');
}

export function hashToken(token: string): string {
  return crypto.createHash('sha256').update(token).digest('hex');
}

export function looksLikeToken(value: string): boolean {
  return value.startsWith(TOKEN_PREFIX) && value.length > 20 && value.length < 100;
}
