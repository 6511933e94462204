import request from 'supertest';
import type { Express } from 'express';
import { PASSWORD } from './builders';

export type Agent = ReturnType<typeof request.agent>;

/** The CSRF token from a page's first form. */
export async function csrfFrom(agent: Agent, path: string): Promise<string> {
  const res = await agent.get(path);
  const match = /name="_csrf" value="([^"]+)"/.exec(res.text);
  if (!match) throw new Error(`no CSRF token on ${path} (status ${res.status})`);
  return match[1];
}

export function sessionCookie(res: request.Response): string | undefined {
  const cookies = res.headers['set-cookie'] as unknown as string[] | undefined;
  return cookies?.find((c) => c.startsWith('callscore.sid='))?.split(';')[0];
}

/** Signs in through the real login form and returns the agent holding the session cookie. */
export async function signIn(app: Express, username: string, password = PASSWORD): Promise<Agent> {
  const agent = request.agent(app);
  const csrf = await csrfFrom(agent, '/login');
  const res = await agent.post('/login').type('form').send({ _csrf: csrf, username, password });
  if (res.status !== 303 || res.headers.location !== '/') {
    throw new Error(`sign-in as ${username} failed: ${res.status} ${res.headers.location ?? ''}`);
  }
  return agent;
}

/** POSTs a form with a fresh CSRF token taken from `tokenPage`. */
export async function postForm(agent: Agent, path: string, fields: Record<string, unknown>, tokenPage = '/profile') {
  const csrf = await csrfFrom(agent, tokenPage);
  return agent
    .post(path)
    .type('form')
    .send({ ...fields, _csrf: csrf });
}
