import { generate } from '@otplib/totp';
import request from 'supertest';
import type { Express } from 'express';
import { base32, crypto } from '../../src/mfa/otp-plugins';
import type { TestClock } from '../helpers/app';
import { PASSWORD } from '../helpers/builders';
import { csrfFrom, type Agent } from '../helpers/http';

/** The code an authenticator app would show now for `secret` (the test's clock, or the real one). */
export async function codeFor(secret: string, clock?: TestClock, offsetS = 0): Promise<string> {
  const now = clock ? clock.now().getTime() : Date.now();
  return generate({ secret, epoch: Math.floor(now / 1000) + offsetS, crypto, base32 });
}

/** Starts enrolment on the page and reads the secret shown as text. */
export async function startOnPage(agent: Agent): Promise<string> {
  const csrf = await csrfFrom(agent, '/profile/second-factor');
  const started = await agent.post('/profile/second-factor/start').type('form').send({ _csrf: csrf });
  if (started.status !== 303) throw new Error(`start: ${started.status}`);
  const page = await agent.get('/profile/second-factor');
  const secret = /id="totp-secret">([A-Z2-7]+)</.exec(page.text)?.[1];
  if (!secret) throw new Error('no secret on the enrolment page');
  return secret;
}

export function recoveryCodesIn(html: string): string[] {
  return [...html.matchAll(/<li><code>((?:[a-z0-9]{6}-){3}[a-z0-9]{6})<\/code><\/li>/g)].map((m) => m[1] ?? '');
}

/** Enrols on the page: the secret and the ten recovery codes. */
export async function enrolOnPage(agent: Agent, clock: TestClock) {
  const secret = await startOnPage(agent);
  const csrf = await csrfFrom(agent, '/profile/second-factor');
  const res = await agent
    .post('/profile/second-factor/confirm')
    .type('form')
    .send({ _csrf: csrf, code: await codeFor(secret, clock) });
  if (res.status !== 200) throw new Error(`confirm: ${res.status}`);
  return { secret, recoveryCodes: recoveryCodesIn(res.text) };
}

/** The password step of the sign-in page; the agent then holds the half-signed-in session. */
export async function passwordStep(app: Express, username: string, password = PASSWORD) {
  const agent = request.agent(app);
  const csrf = await csrfFrom(agent, '/login');
  const res = await agent.post('/login').type('form').send({ _csrf: csrf, username, password });
  return { agent, res };
}

export async function codeStep(agent: Agent, code: string) {
  const csrf = await csrfFrom(agent, '/login/code');
  return agent.post('/login/code').type('form').send({ _csrf: csrf, code });
}

export async function auditActions(ctx: { deps: { db: import('../../src/db/database').DB } }, action: string) {
  return ctx.deps.db.selectFrom('audit_log').selectAll().where('action', '=', action).execute();
}
