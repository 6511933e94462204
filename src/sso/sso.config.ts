// Single sign-on's settings from the environment (never a web setting: they name where people sign in).

export interface OidcConfig {
  /** The identity provider's issuer URL; its discovery document is read from there. */
  readonly issuer: URL;
  readonly clientId: string;
  /** Never logged and never in a URL: sent to the token endpoint in the Authorization header. */
  readonly clientSecret: string;
  /** The app's callback, registered with the provider; its path is the route that receives the code. */
  readonly redirectUri: URL;
  /** The name on the sign-in button: "Sign in with <name>". */
  readonly displayName: string;
  /** Plain http is allowed only to a provider on this machine (tests, a local provider). */
  readonly allowHttp: boolean;
}

const NAMES = ['OIDC_ISSUER', 'OIDC_CLIENT_ID', 'OIDC_CLIENT_SECRET', 'OIDC_REDIRECT_URI'] as const;

function isLoopback(url: URL): boolean {
  return url.hostname === 'localhost' || url.hostname === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(url.hostname);
}

function parseUrl(name: string, value: string): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new Error(`${name}: must be an absolute URL such as https://login.example.com`);
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLoopback(url))) {
    throw new Error(`${name}: must use https (plain http only for a provider on this machine)`);
  }
  if (url.username || url.password) throw new Error(`${name}: must not carry a user name or password`);
  return url;
}

/** null when single sign-on is off (none of the four set); an Error naming the setting when it is half set. */
export function loadOidcConfig(env: NodeJS.ProcessEnv): OidcConfig | null {
  const values = NAMES.map((name) => (env[name] ?? '').trim());
  if (values.every((value) => value === '')) return null;
  const missing = NAMES.filter((_name, i) => values[i] === '');
  if (missing.length > 0) throw new Error(`${missing.join(', ')}: set all four OIDC_ settings, or none`);
  const [issuer, clientId, clientSecret, redirect] = values as [string, string, string, string];
  const issuerUrl = parseUrl('OIDC_ISSUER', issuer);
  const redirectUri = parseUrl('OIDC_REDIRECT_URI', redirect);
  if (redirectUri.search || redirectUri.hash) throw new Error('OIDC_REDIRECT_URI: must have no query or fragment');
  return Object.freeze({
    issuer: issuerUrl,
    clientId,
    clientSecret,
    redirectUri,
    displayName: (env.OIDC_DISPLAY_NAME ?? '').trim() || 'single sign-on',
    allowHttp: issuerUrl.protocol === 'http:',
  });
}
