import request from 'supertest';
import { loadRubric, type FullRubric } from '../../src/rubrics';
import type { TestContext } from '../helpers/app';
import type { Org } from '../helpers/builders';
import { callFields, pushCall, recordingFile } from '../calls/fixtures';
import { callWav } from '../analysis/jobs-fixtures';

// Shared by the suggest-mode tests: rules, calls with transcripts (and audio when a rule needs it), and the
// API as a given person.

export const GREETING = {
  when: { phrase: { any_of: ['thank you for calling'], speaker: 'agent', within_first_s: 20 } },
  then: 'yes',
  else: 'no',
};
export const DEAD_AIR = { when: { dead_air_over_s: 10 }, then: 'no', else: 'yes' };

export const greeted = [
  { speaker: 'agent', start_s: 0.5, end_s: 3.5, text: 'Thank you for calling Acme, this is Sam.' },
  { speaker: 'customer', start_s: 20, end_s: 23, text: 'Hi, I have a question.' },
];
export const notGreeted = [
  { speaker: 'agent', start_s: 0.5, end_s: 3.5, text: 'Yeah, hello?' },
  { speaker: 'customer', start_s: 20, end_s: 23, text: 'Thank you for calling me back.' },
];

export class Api {
  readonly tokens: Record<string, string> = {};
  constructor(
    private readonly ctx: TestContext,
    private readonly org: Org,
  ) {}

  as(who: string) {
    const token = this.tokens[who] ?? '';
    const app = this.ctx.app;
    return {
      get: (path: string) => request(app).get(path).set('Authorization', `Bearer ${token}`),
      post: (path: string, body: object) => request(app).post(path).set('Authorization', `Bearer ${token}`).send(body),
    };
  }

  async published(body: object): Promise<FullRubric> {
    const created = await this.as('admin').post('/api/v1/rubrics', body);
    expect(created.status).toBe(201);
    expect((await this.as('admin').post(`/api/v1/rubrics/${created.body.id}/publish`, {})).status).toBe(200);
    const loaded = await loadRubric(this.ctx.deps.db, created.body.id);
    if (!loaded) throw new Error('rubric not stored');
    return loaded;
  }

  /** A call with the transcript; with `audio`, a 24 s recording whose agent is silent from 4 s to 16 s. */
  async call(transcript: object[] | null, opts: { audio?: boolean; agent?: string } = {}): Promise<number> {
    const files = opts.audio
      ? [
          recordingFile(
            callWav({
              seconds: 24,
              agent: [
                [0, 4],
                [16, 20],
              ],
              customer: [[20, 23]],
            }),
            'call.wav',
          ),
        ]
      : [];
    const fields = callFields(opts.agent ?? this.org.csrA.username, { duration_s: '24' });
    const res = await pushCall(this.ctx.app, this.tokens.supervisorA ?? '', fields, files);
    expect(res.status).toBe(201);
    const id = (res.body as { id: number }).id;
    if (transcript) {
      const sent = await request(this.ctx.app)
        .post(`/api/v1/calls/${id}/transcript`)
        .set('Authorization', `Bearer ${this.tokens.admin ?? ''}`)
        .set('Content-Type', 'application/json')
        .send(JSON.stringify(transcript));
      expect(sent.status).toBe(201);
    }
    return id;
  }

  /** Submits a scorecard on the API as `who`: answers by item id. */
  async score(who: string, callId: number, rubric: FullRubric, answers: Record<number, string>) {
    const res = await this.as(who).post('/api/v1/evaluations', {
      call_id: callId,
      rubric_id: rubric.id,
      submit: true,
      answers: Object.entries(answers).map(([item_id, value]) => ({ item_id: Number(item_id), value })),
    });
    expect(res.status).toBe(201);
    return res.body as { id: number };
  }
}

export const itemOf = (r: FullRubric, prompt: string): number => {
  const id = r.sections.flatMap((s) => s.items).find((i) => i.prompt === prompt)?.id;
  if (id === undefined) throw new Error(`no item ${prompt}`);
  return id;
};

/** The scoring form's checked answers and hidden fields, as the browser would post them. */
export function formFields(html: string): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const m of html.matchAll(/<input type="radio" name="(a_\d+)" value="([^"]*)"[^>]*\bchecked\b/g)) {
    fields[m[1] ?? ''] = m[2] ?? '';
  }
  for (const m of html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"/g)) {
    if (m[1] !== '_csrf') fields[m[1] ?? ''] = m[2] ?? '';
  }
  return fields;
}
