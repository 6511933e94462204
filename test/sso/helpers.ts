import request from 'supertest';
import { makeTestApp, type TestContext } from '../helpers/app';
import { buildUser } from '../helpers/builders';
import type { Agent } from '../helpers/http';
import { updateUser } from '../../src/users/users.service';
import type { Role, User } from '../../src/db/schema';
import { CLIENT_ID, CLIENT_SECRET, CookieJar, followProvider, REDIRECT_URI, type TestProvider } from './provider';

export function ssoApp(provider: TestProvider, extra: Record<string, string> = {}): TestContext {
  return makeTestApp({
    OIDC_ISSUER: provider.issuer,
    OIDC_CLIENT_ID: CLIENT_ID,
    OIDC_CLIENT_SECRET: CLIENT_SECRET,
    OIDC_REDIRECT_URI: REDIRECT_URI,
    OIDC_DISPLAY_NAME: 'Contoso ID',
    ...extra,
  });
}

/** A person in the app with this email, and the same person at the provider (email verified unless said). */
export async function personWithEmail(
  ctx: TestContext,
  provider: TestProvider,
  role: Role,
  email: string,
  verified = true,
): Promise<User> {
  const user = await buildUser(ctx.deps, role, role === 'csr' ? {} : {});
  await updateUser(ctx.deps, { id: user.id, role: 'admin' }, user.id, { email });
  provider.accounts.set(email, { email, email_verified: verified, name: user.display_name });
  return user;
}

/** The app's redirect to the provider, as the sign-in button starts it. */
export async function startSso(agent: Agent): Promise<string> {
  const res = await agent.get('/login/sso');
  if (res.status !== 303) throw new Error(`start: ${res.status} ${res.text.slice(0, 200)}`);
  return res.headers.location as string;
}

/** The provider's answer (the callback URL) after signing in there as `login`. */
export async function providerAnswer(authorizeUrl: string, login: string, jar?: CookieJar): Promise<string> {
  return followProvider(authorizeUrl, login, REDIRECT_URI, jar);
}

export function pathOf(url: string): string {
  const u = new URL(url);
  return `${u.pathname}${u.search}`;
}

/** The whole browser-less journey: button, provider sign-in, back to the app. Returns the app's answer. */
export async function ssoSignIn(ctx: TestContext, login: string, agent = request.agent(ctx.app), jar?: CookieJar) {
  const callback = await providerAnswer(await startSso(agent), login, jar);
  return { agent, res: await agent.get(pathOf(callback)), callback };
}

export async function audit(ctx: TestContext, action: string) {
  const rows = await ctx.deps.db.selectFrom('audit_log').selectAll().where('action', '=', action).execute();
  return rows.map((row) => ({
    ...row,
    details: row.details ? (JSON.parse(row.details) as Record<string, unknown>) : {},
  }));
}
