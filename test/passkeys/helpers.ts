import request from 'supertest';
import type { Express } from 'express';
import type { TestContext } from '../helpers/app';
import { PASSWORD } from '../helpers/builders';
import { csrfFrom, type Agent } from '../helpers/http';
import { SoftAuthenticator, type Ceremony } from './authenticator';

export const RP = { PUBLIC_URL: 'https://qa.callscore.test' };
export const ORIGIN = 'https://qa.callscore.test';
export const RP_ID = 'qa.callscore.test';

export function newAuthenticator(): SoftAuthenticator {
  return new SoftAuthenticator(RP_ID, ORIGIN);
}

/** POSTs to an options endpoint as passkeys.js does (JSON, CSRF header from the page). */
export async function optionsFrom(agent: Agent, page: string, path: string) {
  const csrf = await csrfFrom(agent, page);
  const res = await agent.post(path).set('x-csrf-token', csrf).set('accept', 'application/json').send({});
  return { res, csrf, options: res.body as { challenge: string; allowCredentials?: { id: string }[] } };
}

/** Adds a passkey on the profile page: the options, the authenticator's answer, the form. */
export async function registerPasskey(
  agent: Agent,
  authenticator: SoftAuthenticator,
  name = 'Work laptop',
  ceremony: Ceremony = {},
) {
  const { options, csrf } = await optionsFrom(agent, '/profile/passkeys', '/profile/passkeys/options');
  const credential = JSON.stringify(authenticator.register(options, ceremony));
  const res = await agent.post('/profile/passkeys').type('form').send({ _csrf: csrf, name, credential });
  return { res, credential, csrf };
}

/** Signs in with a passkey alone from the sign-in page; returns the agent and the form's answer. */
export async function passkeySignIn(app: Express, authenticator: SoftAuthenticator, ceremony: Ceremony = {}) {
  const agent = request.agent(app);
  const { options, csrf } = await optionsFrom(agent, '/login', '/login/passkey/options');
  const credential = JSON.stringify(authenticator.authenticate(options, ceremony));
  const res = await agent.post('/login/passkey').type('form').send({ _csrf: csrf, credential, next: '/calls' });
  return { agent, res, credential, csrf };
}

/** The password step, then the passkey as the second step. */
export async function passwordThenPasskey(app: Express, username: string, authenticator: SoftAuthenticator) {
  const agent = request.agent(app);
  const csrf = await csrfFrom(agent, '/login');
  const password = await agent.post('/login').type('form').send({ _csrf: csrf, username, password: PASSWORD });
  if (password.headers.location !== '/login/code') throw new Error(`password step: ${password.status}`);
  const { options, csrf: codeCsrf } = await optionsFrom(agent, '/login/code', '/login/code/passkey/options');
  const credential = JSON.stringify(authenticator.authenticate(options));
  const res = await agent.post('/login/code/passkey').type('form').send({ _csrf: codeCsrf, credential });
  return { agent, res, options };
}

export async function auditOf(ctx: TestContext, action: string) {
  const rows = await ctx.deps.db.selectFrom('audit_log').selectAll().where('action', '=', action).execute();
  return rows.map((r) => ({ ...r, details: r.details ? (JSON.parse(r.details) as Record<string, unknown>) : {} }));
}

export async function passkeysOf(ctx: TestContext, userId: number) {
  return ctx.deps.db.selectFrom('user_passkeys').selectAll().where('user_id', '=', userId).execute();
}
