import { base32 } from '../../src/mfa/otp-plugins';
import { hashRecoveryCode, newRecoveryCodes, normaliseCode } from '../../src/mfa/totp';
import { openSecret, sealSecret } from '../../src/mfa/secret-box';
import { freshDataDir, testConfig } from '../helpers/app';
import { codeFor } from './helpers';
import { TestClock } from '../helpers/app';

describe('TOTP building blocks', () => {
  test('base32 matches RFC 4648 and the RFC 6238 test vector gives its code', async () => {
    const secret = base32.encode(Buffer.from('12345678901234567890'));
    expect(secret).toBe('GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ');
    expect(Buffer.from(base32.decode(secret)).toString()).toBe('12345678901234567890');
    expect(base32.encode(Buffer.from('f'))).toBe('MY');
    expect(base32.encode(Buffer.from('foobar'))).toBe('MZXW6YTBOI');
    // RFC 6238 appendix B, SHA-1 at T = 59 s: 94287082 (8 digits); 6 digits are its last six.
    expect(await codeFor(secret, new TestClock(59_000))).toBe('287082');
    expect(await codeFor(secret, new TestClock(1_111_111_109_000))).toBe('081804');
  });

  test('recovery codes: ten different ones, normalised and hashed alike however typed', () => {
    const codes = newRecoveryCodes();
    expect(codes).toHaveLength(10);
    expect(new Set(codes).size).toBe(10);
    for (const code of codes) expect(code).toMatch(/^([a-km-np-z2-9]{6}-){3}[a-km-np-z2-9]{6}$/);
    const first = codes[0] ?? '';
    expect(normaliseCode(` ${first.toUpperCase()} `)).toBe(first.replaceAll('-', ''));
    expect(hashRecoveryCode(first.toUpperCase().replaceAll('-', ' '))).toBe(hashRecoveryCode(first));
    expect(hashRecoveryCode(first)).not.toContain(first.replace('-', ''));
  });

  test('secrets are sealed with AES-GCM: not readable, not forgeable, and a key from the environment works', () => {
    const config = testConfig(freshDataDir());
    const sealed = sealSecret(config, 'JBSWY3DPEHPK3PXPJBSWY3DP');
    expect(sealed).not.toContain('JBSWY3DP');
    expect(openSecret(config, sealed)).toBe('JBSWY3DPEHPK3PXPJBSWY3DP');
    const parts = sealed.split('.');
    const body = Buffer.from(parts[3] ?? '', 'base64');
    body[0] = (body[0] ?? 0) ^ 1;
    expect(() => openSecret(config, [parts[0], parts[1], parts[2], body.toString('base64')].join('.'))).toThrow();
    const withKey = testConfig(freshDataDir(), { TOTP_ENCRYPTION_KEY: 'ab'.repeat(32) });
    expect(openSecret(withKey, sealSecret(withKey, 'SECRET'))).toBe('SECRET');
    expect(() => openSecret(config, sealSecret(withKey, 'SECRET'))).toThrow();
    expect(() => testConfig(freshDataDir(), { TOTP_ENCRYPTION_KEY: 'short' })).toThrow(/TOTP_ENCRYPTION_KEY/);
  });
});
