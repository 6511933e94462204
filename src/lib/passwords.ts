import crypto from 'node:crypto';
import { createRequire } from 'node:module';
import { promisify } from 'node:util';
import type { dictionary } from '@zxcvbn-ts/language-common';

const scrypt = promisify(crypto.scrypt) as (
  password: crypto.BinaryLike,
  salt: crypto.BinaryLike,
  keylen: number,
  options: crypto.ScryptOptions,
) => Promise<Buffer>;

const KEY_LENGTH = 64;
const R = 8;
const P = 1;
// About 49,000 of the most used passwords from breach corpora, as packaged for zxcvbn-ts. Loaded on the first
// password check, not at start-up (decompressing it and building the set costs tens of ms and some MB that a
// server which never sees a new password does not need). Only the passwords list is read, not the package's
// index, which would also decompress its diceware list and keyboard graphs.
const PASSWORDS_LIST = '@zxcvbn-ts/language-common/dist/passwords.json.cjs';
let common: Set<string> | undefined;

function commonPasswords(): Set<string> {
  if (!common) {
    const load = createRequire(__filename);
    const list = load(PASSWORDS_LIST) as (typeof dictionary)['passwords-common'];
    common = new Set<string>(list.map((p) => p.toLowerCase()));
  }
  return common;
}

export const PASSWORD_MIN = 8;
export const PASSWORD_MAX = 128;

function maxmemFor(logN: number): number {
  // scrypt needs 128 * N * r bytes; leave headroom so Node's default 32 MB cap never rejects it.
  return 128 * 2 ** logN * R * 2;
}

/** Hashes with scrypt at the given cost (OWASP: N=2^17, r=8, p=1). Call it outside any transaction. */
export async function hashPassword(password: string, logN: number): Promise<string> {
  const salt = crypto.randomBytes(16);
  const key = await scrypt(password.normalize('NFC'), salt, KEY_LENGTH, {
    N: 2 ** logN,
    r: R,
    p: P,
    maxmem: maxmemFor(logN),
  });
  return `scrypt$${logN}$${R}$${P}$${salt.toString('base64')}$${key.toString('base64')}`;
}

interface StoredHash {
  logN: number;
  r: number;
  p: number;
  salt: Buffer;
  expected: Buffer;
}

/** `scrypt$logN$r$p$salt$key` split into its parts, or null when the stored text is not one. */
function parseStoredHash(stored: string): StoredHash | null {
  const parts = stored.split('$');
  const [scheme, logN, r, p, salt, expected] = parts;
  if (parts.length !== 6 || scheme !== 'scrypt' || salt === undefined || expected === undefined) return null;
  return {
    logN: Number(logN),
    r: Number(r),
    p: Number(p),
    salt: Buffer.from(salt, 'base64'),
    expected: Buffer.from(expected, 'base64'),
  };
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const hash = parseStoredHash(stored);
  if (!hash) return false;
  const { logN, r, p, salt, expected } = hash;
  const key = await scrypt(password.normalize('NFC'), salt, expected.length, {
    N: 2 ** logN,
    r,
    p,
    maxmem: 128 * 2 ** logN * r * 2,
  });
  return crypto.timingSafeEqual(key, expected);
}

/** A hash of a random password, verified against when the username is unknown so timing reveals nothing. */
export async function decoyHash(logN: number): Promise<string> {
  return hashPassword(crypto.randomBytes(18).toString('base64'), logN);
}

/** Returns a message a person understands, or null when the password is acceptable. */
export function passwordProblem(password: string, username?: string): string | null {
  const length = [...password].length;
  if (length < PASSWORD_MIN) return `Use at least ${PASSWORD_MIN} characters.`;
  if (length > PASSWORD_MAX) return `Use at most ${PASSWORD_MAX} characters.`;
  const lower = password.toLowerCase();
  if (commonPasswords().has(lower)) return 'This password is on a list of commonly used passwords; choose another.';
  if (username && lower === username.toLowerCase()) return 'The password must not be the username.';
  if (isRepetitiveOrSequential(lower)) return 'This password is too easy to guess (repeated or sequential characters).';
  return null;
}

/** NIST SP 800-63B: refuse repetitive ("aaaaaaaa", "abababab") and sequential ("12345678", "abcdefgh") passwords. */
function isRepetitiveOrSequential(password: string): boolean {
  const chars = [...password];
  if (new Set(chars).size <= 2) return true;
  const steps: number[] = [];
  let previous: number | undefined;
  for (const char of chars) {
    const code = char.codePointAt(0) ?? 0;
    if (previous !== undefined) steps.push(code - previous);
    previous = code;
  }
  return steps.every((step) => step === 1) || steps.every((step) => step === -1);
}
