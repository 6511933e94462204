import { ConfigError, loadConfig } from '../../src/config';

const base = { NODE_ENV: 'test', DATA_DIR: '/tmp/callscore-config-test' };

describe('the passkeys relying party from PUBLIC_URL and WEBAUTHN_RP_ID', () => {
  test.each([
    [{}, null],
    [{ PUBLIC_URL: 'https://qa.example.com' }, { origin: 'https://qa.example.com', rpId: 'qa.example.com' }],
    [
      { PUBLIC_URL: 'https://qa.example.com:8443/app/' },
      { origin: 'https://qa.example.com:8443', rpId: 'qa.example.com' },
    ],
    [
      { PUBLIC_URL: 'https://qa.example.com', WEBAUTHN_RP_ID: 'example.com' },
      { origin: 'https://qa.example.com', rpId: 'example.com' },
    ],
    [{ PUBLIC_URL: 'http://localhost:3000' }, { origin: 'http://localhost:3000', rpId: 'localhost' }],
  ])('%j gives %j', (env, expected) => {
    expect(loadConfig({ ...base, ...env }).webauthn).toEqual(expected);
  });

  test.each([
    [{ PUBLIC_URL: 'http://qa.example.com' }, 'PUBLIC_URL: must be an https:// address'],
    [{ PUBLIC_URL: 'qa.example.com' }, 'PUBLIC_URL: must be an https:// address'],
    [
      { PUBLIC_URL: 'https://qa.example.com', WEBAUTHN_RP_ID: 'other.com' },
      'WEBAUTHN_RP_ID: must be qa.example.com or a parent domain',
    ],
    [
      { PUBLIC_URL: 'https://qa.example.com', WEBAUTHN_RP_ID: 'ample.com' },
      'WEBAUTHN_RP_ID: must be qa.example.com or a parent domain',
    ],
    [{ WEBAUTHN_RP_ID: 'example.com' }, 'WEBAUTHN_RP_ID: needs PUBLIC_URL'],
  ])('%j stops start-up naming the setting', (env, message) => {
    expect(() => loadConfig({ ...base, ...env })).toThrow(ConfigError);
    expect(() => loadConfig({ ...base, ...env })).toThrow(message);
  });
});
