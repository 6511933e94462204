import { loadConfig } from '../../src/config';
import { hashPassword, passwordProblem, verifyPassword } from '../../src/lib/passwords';

describe('password hashing at the production cost', () => {
  const config = loadConfig({});
  let hash: string;

  beforeAll(async () => {
    hash = await hashPassword('a long and quiet harbour', config.scryptLogN);
  }, 30_000);

  test('the default configuration uses the OWASP scrypt cost N = 2^17', () => {
    expect(config.scryptLogN).toBe(17);
  });

  test('the hash records scrypt with N = 2^17, r = 8, p = 1, a salt and a key', () => {
    const parts = hash.split('$');
    expect(parts.slice(0, 4)).toEqual(['scrypt', '17', '8', '1']);
    expect(parts).toHaveLength(6);
    expect(Buffer.from(parts[4], 'base64').length).toBeGreaterThanOrEqual(16);
    expect(Buffer.from(parts[5], 'base64').length).toBeGreaterThanOrEqual(32);
    expect(hash).not.toContain('a long and quiet harbour');
  });

  test('the right password verifies', async () => {
    expect(await verifyPassword('a long and quiet harbour', hash)).toBe(true);
  });

  test('a wrong password, a different case or a trailing space does not', async () => {
    expect(await verifyPassword('a long and quiet harbor', hash)).toBe(false);
    expect(await verifyPassword('A long and quiet harbour', hash)).toBe(false);
    expect(await verifyPassword('a long and quiet harbour ', hash)).toBe(false);
  });

  test('the same password hashes differently each time (salted)', async () => {
    const again = await hashPassword('a long and quiet harbour', config.scryptLogN);
    expect(again).not.toBe(hash);
    expect(await verifyPassword('a long and quiet harbour', again)).toBe(true);
  }, 30_000);

  test('a stored value that is not a scrypt hash never verifies', async () => {
    expect(await verifyPassword('a long and quiet harbour', 'a long and quiet harbour')).toBe(false);
    expect(await verifyPassword('', '')).toBe(false);
  });
});

describe('passwordProblem', () => {
  test.each([
    ['7 characters', 'kx7!pq2', 'Use at least 8 characters.'],
    ['129 characters', 'x'.repeat(129), 'Use at most 128 characters.'],
    ['empty', '', 'Use at least 8 characters.'],
  ])('%s is refused with a message', (_label, password, message) => {
    expect(passwordProblem(password)).toBe(message);
  });

  test.each([
    ['8 characters', 'kx7!pq2m'],
    ['128 characters', 'kxq7'.repeat(32)],
    ['a long passphrase', 'correct horse battery staple'],
    ['an all-lowercase phrase without digits or symbols', 'the lighthouse keeper reads at night'],
    ['all digits', '90412378561'],
  ])('%s is accepted', (_label, password) => {
    expect(passwordProblem(password)).toBeNull();
  });

  test.each(['password1', 'qwerty123', 'Password1', 'QWERTY123'])(
    'the common password %s is refused whatever its case',
    (password) => {
      expect(passwordProblem(password)).toMatch(/commonly used/);
    },
  );

  test('length counts characters, not bytes or UTF-16 units', () => {
    expect(passwordProblem('🎧🎹🎷🎧🎹🎷🎧🎹')).toBeNull();
    expect(passwordProblem('🎧🎹🎷🎧🎹🎷🎧')).toBe('Use at least 8 characters.');
    expect(passwordProblem('éàü'.repeat(42) + 'éà')).toBeNull();
  });

  test.each([
    ['one character repeated', 'aaaaaaaaaaaa'],
    ['two characters alternating', 'abababababab'],
    ['an ascending run', 'abcdefghijk'],
    ['a descending run', '987654321'],
  ])('%s is refused as too easy to guess', (_label, password) => {
    expect(passwordProblem(password)).toMatch(/too easy to guess/);
  });

  test('the username as password is refused, whatever its case', () => {
    expect(passwordProblem('dana.reyes', 'dana.reyes')).toMatch(/username/);
    expect(passwordProblem('Dana.Reyes', 'dana.reyes')).toMatch(/username/);
    expect(passwordProblem('dana.reyes', 'lee.chen')).toBeNull();
  });
});
