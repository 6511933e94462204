import request from 'supertest';
import { loadRubric, type FullRubric } from '../../src/rubrics';
import type { TestContext } from '../helpers/app';
import type { Org } from '../helpers/builders';
import { callFields, pushCall, tokenFor } from '../calls/fixtures';

// Shared set-up of the auto-mode tests: tokens, rubrics published through the API, calls pushed through the API
// with transcripts uploaded through the API (the real write paths, so the real hooks run).

export const GREETING = {
  when: { phrase: { any_of: ['thank you for calling'], speaker: 'agent', within_first_s: 20 } },
  then: 'yes',
  else: 'no',
};
export const MANAGER = {
  when: { phrase: { any_of: ['speak to a manager', 'speak to your manager'], speaker: 'customer' } },
  then: 'no',
  else: 'yes',
};
export const HOLD = { when: { hold_over_s: 60 }, then: 'no', else: 'yes' };

export const greeted = [
  { speaker: 'agent', start_s: 0.5, end_s: 3.5, text: 'Thank you for calling Acme, this is Sam.' },
  { speaker: 'customer', start_s: 4, end_s: 7, text: 'Hi, I have a question.' },
];
export const notGreeted = [
  { speaker: 'agent', start_s: 0.5, end_s: 3.5, text: 'Yeah, hello?' },
  { speaker: 'customer', start_s: 4, end_s: 7, text: 'I want to speak to a manager.' },
];

export interface Tokens {
  [who: string]: string;
}

export async function tokensFor(ctx: TestContext, org: Org, who: ReadonlyArray<keyof Org>): Promise<Tokens> {
  const tokens: Tokens = {};
  for (const name of who) {
    const user = org[name];
    if (typeof user === 'object') tokens[name] = await tokenFor(ctx.app, user.username);
  }
  return tokens;
}

export function as(ctx: TestContext, token: string | undefined) {
  const bearer = `Bearer ${token ?? ''}`;
  return {
    get: (path: string) => request(ctx.app).get(path).set('Authorization', bearer),
    post: (path: string, body: object) => request(ctx.app).post(path).set('Authorization', bearer).send(body),
  };
}

export async function publish(ctx: TestContext, adminToken: string, body: object): Promise<FullRubric> {
  const created = await as(ctx, adminToken).post('/api/v1/rubrics', body);
  if (created.status !== 201) throw new Error(`rubric: ${created.status} ${created.text}`);
  const published = await as(ctx, adminToken).post(`/api/v1/rubrics/${created.body.id}/publish`, {});
  if (published.status !== 200) throw new Error(`publish: ${published.status} ${published.text}`);
  const loaded = await loadRubric(ctx.deps.db, created.body.id);
  if (!loaded) throw new Error('rubric not stored');
  return loaded;
}

export async function sendTranscript(ctx: TestContext, token: string, callId: number, lines: object[]) {
  const sent = await request(ctx.app)
    .post(`/api/v1/calls/${callId}/transcript`)
    .set('Authorization', `Bearer ${token}`)
    .set('Content-Type', 'application/json')
    .send(JSON.stringify(lines));
  if (sent.status !== 201 && sent.status !== 200) throw new Error(`transcript: ${sent.status} ${sent.text}`);
}

/** A call without a recording, with a transcript when given; returns its id. */
export async function callWithTranscript(
  ctx: TestContext,
  token: string,
  agent: string,
  lines: object[] | null,
  overrides: Record<string, string> = {},
): Promise<number> {
  const res = await pushCall(ctx.app, token, callFields(agent, overrides));
  if (res.status !== 201) throw new Error(`call: ${res.status} ${res.text}`);
  const id = (res.body as { id: number }).id;
  if (lines) await sendTranscript(ctx, token, id, lines);
  return id;
}

export const itemId = (r: FullRubric, prompt: string): number => {
  const found = r.sections.flatMap((s) => s.items).find((i) => i.prompt === prompt);
  if (!found) throw new Error(`no item ${prompt}`);
  return found.id;
};
