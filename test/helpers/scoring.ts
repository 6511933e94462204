import fsp from 'node:fs/promises';
import path from 'node:path';
import fc from 'fast-check';
import request from 'supertest';
import type { Express } from 'express';
import { ingestCall } from '../../src/calls/ingest.service';
import type { StagedFile } from '../../src/recordings/storage';
import { RecordingStorage } from '../../src/recordings/storage';
import type { Call, User } from '../../src/db/schema';
import type { AppDeps } from '../../src/deps';
import { createToken } from '../../src/profile/tokens.service';
import type { FullItem, FullRubric } from '../../src/rubrics/rubrics.queries';
import { createRubric, publishRubric } from '../../src/rubrics/rubrics.service';
import type { AnswerValue, ScoredRubric } from '../../src/scoring/score';
import { SAMPLE_CALLS_DIR } from '../../src/setup/demo-data';

// Builders for rubrics, calls, tokens and answers shared by the scoring, evaluation and rubric tests.

type ItemType = 'yes_no' | 'scale' | 'choice';

/** An item as POST /api/v1/rubrics takes it. */
export interface ItemJson {
  prompt: string;
  type: ItemType;
  guidance?: string | null;
  points?: number;
  max?: number;
  options?: Array<{ label: string; points: number }>;
  allow_na?: boolean;
  critical?: boolean;
  comment_required?: boolean;
}

export interface SectionJson {
  title: string;
  weight: number;
  threshold?: number | null;
  items: ItemJson[];
}

export interface RubricJson {
  name: string;
  pass_threshold?: number;
  release_mode?: 'on_submit' | 'after_days' | 'manual' | 'never';
  release_after_days?: number | null;
  sections: SectionJson[];
}

type ItemFlags = Partial<Pick<ItemJson, 'allow_na' | 'critical' | 'comment_required' | 'guidance'>>;

export function yesNo(prompt: string, flags: ItemFlags & { points?: number } = {}): ItemJson {
  return { prompt, type: 'yes_no', points: 1, ...flags };
}

export function scale(prompt: string, max: number, flags: ItemFlags = {}): ItemJson {
  return { prompt, type: 'scale', max, ...flags };
}

export function choice(prompt: string, points: number[], flags: ItemFlags = {}): ItemJson {
  return {
    prompt,
    type: 'choice',
    options: points.map((p, i) => ({ label: `Option ${i + 1} (${p})`, points: p })),
    ...flags,
  };
}

export function section(
  title: string,
  weight: number,
  items: ItemJson[],
  threshold: number | null = null,
): SectionJson {
  return { title, weight, threshold, items };
}

let rubricSerial = 0;

export function rubricJson(sections: SectionJson[], extra: Partial<Omit<RubricJson, 'sections'>> = {}): RubricJson {
  rubricSerial += 1;
  return { name: `Rubric ${rubricSerial}`, pass_threshold: 75, release_mode: 'on_submit', ...extra, sections };
}

/** DOMAIN.md's worked example: Greeting (weight 1, two yes/no) and Policy (weight 3, scale 0..4, choice {0,2,5}). */
export function workedExampleRubric(extra: Partial<Omit<RubricJson, 'sections'>> = {}): RubricJson {
  return rubricJson(
    [
      section('Greeting', 1, [yesNo('Used the company greeting'), yesNo('Gave their own name')]),
      section('Policy', 3, [scale('Gave accurate information', 4), choice('Followed the refunds policy', [0, 2, 5])]),
    ],
    { name: 'Worked example', ...extra },
  );
}

/** A rubric created and published through the service, as an admin would. */
export async function publishedRubric(deps: AppDeps, input: RubricJson): Promise<FullRubric> {
  const draft = await createRubric(deps, null, input);
  return publishRubric(deps, null, draft.id);
}

export function itemsOf(rubric: FullRubric): FullItem[] {
  return rubric.sections.flatMap((s) => s.items);
}

export function itemNamed(rubric: FullRubric, prompt: string): FullItem {
  const item = itemsOf(rubric).find((i) => i.prompt === prompt);
  if (!item) throw new Error(`no item "${prompt}" in rubric ${rubric.id}`);
  return item;
}

/** The id of the choice option worth these points. */
export function optionWorth(item: FullItem, points: number): number {
  const option = item.options.find((o) => o.points === points);
  if (!option) throw new Error(`item ${item.id} has no option worth ${points}`);
  return option.id;
}

export interface AnswerJson {
  item_id: number;
  value: string | number;
  comment?: string | null;
  at_s?: number | null;
}

/** Answers for the worked example: Yes, No, 3 of 4, the 5-point option (79.2%). */
export function workedExampleAnswers(rubric: FullRubric): AnswerJson[] {
  const [greet, name, accurate, policy] = itemsOf(rubric);
  return [
    { item_id: greet.id, value: 'yes' },
    { item_id: name.id, value: 'no' },
    { item_id: accurate.id, value: 3 },
    { item_id: policy.id, value: optionWorth(policy, 5) },
  ];
}

let callSerial = 0;

/**
 * A call for `agent` (or an abandoned one with no agent, in team `teamId`), stored as the phone system would push it. With
 * `recording`, the sample WAV from samples/calls is staged and stored like an upload.
 */
export async function makeCall(
  deps: AppDeps,
  admin: User,
  agent: User | null,
  opts: { recording?: boolean; startedAt?: string; teamId?: number } = {},
): Promise<Call> {
  callSerial += 1;
  const files: { recording?: StagedFile } = {};
  if (opts.recording) {
    const stagedName = RecordingStorage.newName();
    const source = path.join(SAMPLE_CALLS_DIR, 'call-good-returns.wav');
    await fsp.copyFile(source, deps.storage.stagedPath(stagedName));
    files.recording = { stagedName, originalName: 'call-good-returns.wav', size: (await fsp.stat(source)).size };
  }
  const fields = {
    external_id: `scoring-call-${callSerial}-${Date.now()}`,
    started_at: opts.startedAt ?? '2026-11-20T10:00:00Z',
    direction: 'inbound',
    category: 'returns',
    duration_s: 120,
    ...(agent ? { agent: agent.username } : { abandoned: true, team_id: opts.teamId }),
  };
  const { call } = await ingestCall(deps, { id: admin.id, role: 'admin' }, fields, files);
  return call;
}

/** A personal access token for the user (what POST /api/v1/tokens hands out). */
export async function tokenFor(deps: AppDeps, user: User): Promise<string> {
  return (await createToken(deps, user.id, { name: 'scoring tests' })).token;
}

/** Requests to the JSON API with a bearer token. */
export function api(app: Express, token: string) {
  const auth = (r: request.Test) => r.set('Authorization', `Bearer ${token}`).set('Accept', 'application/json');
  return {
    get: (p: string) => auth(request(app).get(p)),
    post: (p: string, body?: object) =>
      body === undefined ? auth(request(app).post(p)) : auth(request(app).post(p)).send(body),
    patch: (p: string, body: object) => auth(request(app).patch(p)).send(body),
  };
}

export type Api = ReturnType<typeof api>;

// ------------------------------------------------------------------------------------------------
// Random rubrics and answers for property tests, in a shape independent of database ids.

export interface ItemCase {
  type: ItemType;
  /** yes_no: points for Yes. */
  points: number;
  /** scale: the maximum. */
  max: number;
  /** choice: each option's points. */
  options: number[];
  allow_na: boolean;
  critical: boolean;
  /** none = unanswered; pick in [0, 1) chooses the answer among the item's possible values. */
  answer: { kind: 'none' | 'na' | 'value'; pick: number };
}

export interface SectionCase {
  weight: number;
  threshold: number | null;
  items: ItemCase[];
}

export interface RubricCase {
  pass_threshold: number;
  sections: SectionCase[];
}

const percent = fc.oneof(
  fc.integer({ min: 0, max: 100 }),
  fc.double({ min: 0, max: 100, noNaN: true, noDefaultInfinity: true }),
);

const itemCase: fc.Arbitrary<ItemCase> = fc
  .record({
    type: fc.constantFrom<ItemType>('yes_no', 'scale', 'choice'),
    points: fc.integer({ min: 1, max: 20 }).map((n) => n / 2),
    max: fc.integer({ min: 1, max: 10 }),
    options: fc.array(fc.integer({ min: 0, max: 10 }), { minLength: 2, maxLength: 5 }),
    allow_na: fc.boolean(),
    critical: fc.boolean(),
    answer: fc.record({
      kind: fc.constantFrom<'none' | 'na' | 'value'>('none', 'na', 'value', 'value', 'value'),
      pick: fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
    }),
  })
  .map((item) => ({
    ...item,
    // A choice item needs an option worth points; N/A only where the item allows it.
    options: item.options.some((p) => p > 0) ? item.options : [...item.options.slice(1), 3],
    answer: item.answer.kind === 'na' && !item.allow_na ? { ...item.answer, kind: 'none' as const } : item.answer,
  }));

export const rubricCase: fc.Arbitrary<RubricCase> = fc.record({
  pass_threshold: percent,
  sections: fc.array(
    fc.record({
      weight: fc.oneof(
        fc.integer({ min: 1, max: 100 }),
        fc.double({ min: 0.01, max: 100, noNaN: true, noDefaultInfinity: true }),
      ),
      threshold: fc.option(percent, { nil: null }),
      items: fc.array(itemCase, { minLength: 1, maxLength: 6 }),
    }),
    { minLength: 1, maxLength: 5 },
  ),
});

/** The value an item's case answers with, given the item's ids: "yes"/"no", a scale number, an option id. */
export function caseValue(item: ItemCase, optionIds: number[]): AnswerValue | undefined {
  const { kind, pick } = item.answer;
  if (kind === 'none') return undefined;
  if (kind === 'na') return 'na';
  if (item.type === 'yes_no') return pick < 0.5 ? 'yes' : 'no';
  if (item.type === 'scale') return Math.floor(pick * (item.max + 1));
  return optionIds[Math.floor(pick * optionIds.length)];
}

/** The case as the score math's rubric model with made-up ids, and its answers keyed by item id. */
export function caseModel(c: RubricCase): { rubric: ScoredRubric; answers: Record<number, AnswerValue> } {
  let nextId = 1;
  const answers: Record<number, AnswerValue> = {};
  const sections = c.sections.map((s, si) => ({
    id: nextId++,
    title: `Section ${si + 1}`,
    weight: s.weight,
    threshold: s.threshold,
    items: s.items.map((item) => {
      const id = nextId++;
      const options = item.type === 'choice' ? item.options.map((points) => ({ id: nextId++, points })) : [];
      const value = caseValue(
        item,
        options.map((o) => o.id),
      );
      if (value !== undefined) answers[id] = value;
      return {
        id,
        type: item.type,
        max_points: item.type === 'yes_no' ? item.points : item.type === 'scale' ? item.max : Math.max(...item.options),
        critical: item.critical,
        options,
      };
    }),
  }));
  return { rubric: { pass_threshold: c.pass_threshold, sections }, answers };
}

/** The case as POST /api/v1/rubrics input. */
export function caseRubricJson(c: RubricCase, extra: Partial<Omit<RubricJson, 'sections'>> = {}): RubricJson {
  return rubricJson(
    c.sections.map((s, si) =>
      section(
        `Section ${si + 1}`,
        s.weight,
        s.items.map((item, ii) => {
          const prompt = `Item ${si + 1}.${ii + 1}`;
          const flags = { allow_na: item.allow_na, critical: item.critical };
          if (item.type === 'yes_no') return yesNo(prompt, { ...flags, points: item.points });
          if (item.type === 'scale') return scale(prompt, item.max, flags);
          return choice(prompt, item.options, flags);
        }),
        s.threshold,
      ),
    ),
    { pass_threshold: c.pass_threshold, ...extra },
  );
}

/** A stored rubric as the service loads it or as GET /api/v1/rubrics/:id answers (options only on choices). */
interface StoredRubricShape {
  sections: Array<{ items: Array<{ id: number; options?: Array<{ id: number }> }> }>;
}

/** The case's answers for a stored rubric made from it (same order of sections, items and options). */
export function caseAnswers(c: RubricCase, rubric: StoredRubricShape): AnswerJson[] {
  const answers: AnswerJson[] = [];
  c.sections.forEach((s, si) =>
    s.items.forEach((item, ii) => {
      const stored = rubric.sections[si].items[ii];
      const value = caseValue(
        item,
        (stored.options ?? []).map((o) => o.id),
      );
      if (value !== undefined) answers.push({ item_id: stored.id, value });
    }),
  );
  return answers;
}
