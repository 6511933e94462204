import crypto from 'node:crypto';
import { generateSecret } from '@otplib/core';
import { verify } from '@otplib/totp';
import { generateTOTP } from '@otplib/uri';
import type { AppDeps } from '../deps';
import { hashToken } from '../lib/tokens';
import { claimTimeStep, findTotp, useRecoveryCode } from './mfa.queries';
import { base32, crypto as otpCrypto } from './otp-plugins';
import { openSecret } from './secret-box';

// The code checks themselves: a TOTP code (RFC 6238: 6 digits, 30 s steps) that can't be used twice, or a
// one-time recovery code. ASVS 5.0 6.5.5 gives a TOTP code 30 s: the step it belongs to, plus a few seconds of
// grace for the time it takes to type and send, and none for a phone clock that runs ahead.

export const ISSUER = 'Callscore';
const GRACE_S = 5;
const RECOVERY_ALPHABET = 'abcdefghijkmnpqrstuvwxyz23456789';
export const RECOVERY_CODE_COUNT = 10;

export type FactorMethod = 'code' | 'recovery';

export function newTotpSecret(): string {
  return generateSecret({ crypto: otpCrypto, base32, length: 20 });
}

export function otpauthUrl(username: string, secret: string): string {
  return generateTOTP({ issuer: ISSUER, label: username, secret });
}

/**
 * Ten random codes of 24 letters and digits from a 32-character alphabet (120 bits each, so a plain SHA-256 is
 * a fit store for them: ASVS 5.0 6.5.2), shown in groups of six.
 */
export function newRecoveryCodes(): string[] {
  return Array.from({ length: RECOVERY_CODE_COUNT }, () => {
    const chars = Array.from(crypto.randomBytes(24), (b) => RECOVERY_ALPHABET[b % 32] ?? 'a').join('');
    return chars.match(/.{6}/g)?.join('-') ?? chars;
  });
}

/** Case, spaces and dashes do not matter when a person types a code. */
export function normaliseCode(code: string): string {
  return code.replace(/[\s-]/g, '').toLowerCase();
}

export function hashRecoveryCode(code: string): string {
  return hashToken(`recovery:${normaliseCode(code)}`);
}

/** The time step of `code` when it is right now for `secret` (within the drift) and newer than `after`. */
async function matchingStep(deps: AppDeps, secret: string, code: string, after: number | null) {
  try {
    const result = await verify({
      secret,
      token: code,
      crypto: otpCrypto,
      base32,
      epoch: Math.floor(deps.clock.now().getTime() / 1000),
      epochTolerance: [GRACE_S, 0],
      ...(after === null ? {} : { afterTimeStep: after }),
    });
    return result.valid && 'timeStep' in result ? result.timeStep : null;
  } catch {
    return null;
  }
}

/**
 * Checks a code for the user: a current TOTP code not used before, or (once enrolled) an unused recovery code,
 * which is used up. Returns how the user proved it, or null.
 */
export async function checkCode(deps: AppDeps, userId: number, raw: string): Promise<FactorMethod | null> {
  const totp = await findTotp(deps.db, userId);
  if (!totp) return null;
  const code = normaliseCode(raw);
  if (/^\d{6}$/.test(code)) {
    const step = await matchingStep(deps, openSecret(deps.config, totp.secret_enc), code, totp.last_time_step);
    return step !== null && (await claimTimeStep(deps.db, userId, step)) ? 'code' : null;
  }
  if (totp.confirmed_at && /^[a-z0-9]{24}$/.test(code)) {
    const used = await useRecoveryCode(deps.db, userId, hashRecoveryCode(code), deps.clock.now().toISOString());
    return used ? 'recovery' : null;
  }
  return null;
}
