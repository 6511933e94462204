import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ProviderContext } from 'oidc-provider';

// A real OpenID provider (oidc-provider from the npm registry) on loopback, with its own sign-in form
// (devInteractions: any password), and a browser-less user agent that follows its redirects with cookies.

export const CLIENT_ID = 'callscore';
export const CLIENT_SECRET = 'a-client-secret-for-tests-only-0123456789';
export const APP_ORIGIN = 'http://127.0.0.1:3999';
export const REDIRECT_URI = `${APP_ORIGIN}/auth/sso/callback`;

export interface ProviderAccount {
  email?: string;
  email_verified?: boolean;
  name?: string;
}

export interface TestProvider {
  issuer: string;
  accounts: Map<string, ProviderAccount>;
  close(): Promise<void>;
}

async function autoGrant(ctx: ProviderContext) {
  const { oidc } = ctx;
  const grantId = oidc.result?.consent?.grantId ?? oidc.session.grantIdFor(oidc.client.clientId);
  if (grantId) return oidc.provider.Grant.find(grantId);
  // Consent is the provider's business, not this app's: every sign-in here grants the scopes asked for.
  const grant = new oidc.provider.Grant({ clientId: oidc.client.clientId, accountId: oidc.session.accountId });
  grant.addOIDCScope('openid email profile');
  await grant.save();
  return grant;
}

export async function startProvider(): Promise<TestProvider> {
  const { default: Provider } = await import('oidc-provider');
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const accounts = new Map<string, ProviderAccount>();
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: CLIENT_ID,
        client_secret: CLIENT_SECRET,
        redirect_uris: [REDIRECT_URI],
        post_logout_redirect_uris: [`${APP_ORIGIN}/login`],
        response_types: ['code'],
        grant_types: ['authorization_code'],
      },
    ],
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
    findAccount: async (_ctx: unknown, sub: string) => {
      const account = accounts.get(sub);
      return account ? { accountId: sub, claims: async () => ({ sub, ...account }) } : undefined;
    },
    loadExistingGrant: autoGrant,
    cookies: { keys: ['cookie-key-for-tests-only'] },
    ttl: { AccessToken: 600, AuthorizationCode: 60, Grant: 3600, IdToken: 600, Interaction: 600, Session: 3600 },
    features: { devInteractions: { enabled: true }, rpInitiatedLogout: { enabled: true } },
  });
  server.on('request', provider.callback());
  return {
    issuer,
    accounts,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** A user agent's cookies for the provider (one origin; paths ignored, expired ones dropped). */
export class CookieJar {
  private cookies = new Map<string, string>();
  store(res: Response): void {
    for (const line of res.headers.getSetCookie()) {
      const [pair = '', ...attributes] = line.split(';');
      const name = pair.slice(0, pair.indexOf('=')).trim();
      const expired = attributes.some((a) => /max-age=0|expires=thu, 01 jan 1970/i.test(a.trim()));
      if (expired) this.cookies.delete(name);
      else this.cookies.set(name, pair.slice(pair.indexOf('=') + 1));
    }
  }
  header(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }
}

function formOf(html: string): { action: string; fields: Record<string, string> } | undefined {
  const form = /<form[^>]*action="([^"]+)"[^>]*>([\s\S]*?)<\/form>/.exec(html);
  if (!form) return undefined;
  const fields: Record<string, string> = {};
  for (const input of form[2].matchAll(/<input[^>]*type="hidden"[^>]*name="([^"]+)"[^>]*value="([^"]*)"/g)) {
    fields[input[1]] = input[2];
  }
  return { action: form[1].replace(/&amp;/g, '&'), fields };
}

/**
 * Follows the provider from `url` the way a browser would: redirects, its sign-in form (as `login`), until it
 * sends the browser to a URL starting with `until`; returns that URL.
 */
export async function followProvider(url: string, login: string, until: string, jar = new CookieJar()) {
  let next: { url: string; init?: RequestInit } = { url };
  for (let step = 0; step < 20; step++) {
    const res = await fetch(next.url, {
      ...next.init,
      redirect: 'manual',
      headers: { ...next.init?.headers, cookie: jar.header() },
    });
    jar.store(res);
    const location = res.headers.get('location');
    if (location) {
      const target = new URL(location, next.url).href;
      if (target.startsWith(until)) return target;
      next = { url: target };
      continue;
    }
    const html = await res.text();
    const form = formOf(html);
    if (!form) throw new Error(`provider answered ${res.status} without a form: ${html.slice(0, 300)}`);
    const fields = /name="login"/.test(html) ? { ...form.fields, login, password: 'any' } : form.fields;
    if (/op\.logoutForm/.test(html)) fields.logout = 'yes';
    next = {
      url: new URL(form.action, next.url).href,
      init: {
        method: 'POST',
        body: new URLSearchParams(fields),
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      },
    };
  }
  throw new Error('the provider redirected too often');
}
