import type { OidcConfig } from './sso.config';

// openid-client v6 is an ES module; this CommonJS app loads it with import(), which tsc (module node16) keeps as
// an import and Node 20.19+/24 (and Jest with --experimental-vm-modules) run as such.
type OpenIdClient = typeof import('openid-client', { with: { 'resolution-mode': 'import' } });
export type ProviderConfiguration = import('openid-client', { with: { 'resolution-mode': 'import' } }).Configuration;

let library: Promise<OpenIdClient> | undefined;

export function openIdClient(): Promise<OpenIdClient> {
  library ??= import('openid-client');
  return library;
}

// The provider's discovery document (endpoints, keys' address), read once and kept for an hour; a failed read
// is not kept, so the next sign-in tries again.
const DISCOVERY_TTL_MS = 60 * 60_000;
const discovered = new WeakMap<OidcConfig, { at: number; configuration: Promise<ProviderConfiguration> }>();

export async function providerConfiguration(oidc: OidcConfig): Promise<ProviderConfiguration> {
  const cached = discovered.get(oidc);
  if (cached && Date.now() - cached.at < DISCOVERY_TTL_MS) return cached.configuration;
  const configuration = discover(oidc);
  discovered.set(oidc, { at: Date.now(), configuration });
  configuration.catch(() => {
    if (discovered.get(oidc)?.configuration === configuration) discovered.delete(oidc);
  });
  return configuration;
}

async function discover(oidc: OidcConfig): Promise<ProviderConfiguration> {
  const client = await openIdClient();
  // Plain http only to a provider on this machine (the config refuses it elsewhere); every other call is https.
  const options = oidc.allowHttp ? { execute: [client.allowInsecureRequests], timeout: 10 } : { timeout: 10 };
  return client.discovery(
    oidc.issuer,
    oidc.clientId,
    { redirect_uris: [oidc.redirectUri.href], response_types: ['code'] },
    client.ClientSecretBasic(oidc.clientSecret),
    options,
  );
}
