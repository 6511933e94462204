// The passkeys room's door: everything other rooms may use of it. Import "../passkeys", never its files.
export { authenticationOptions } from './ceremonies';
export { PASSKEY_REFUSED, verifyPasskey } from './assertion';
export { listPasskeys } from './passkeys.queries';
export { hasPasskey, removeAllPasskeys } from './passkeys.service';
export { PASSKEYS_PAGE, keepChallenge, passkeyRoutes, takeChallenge } from './passkeys.routes';
