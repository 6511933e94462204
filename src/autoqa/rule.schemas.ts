import { z } from 'zod';
import { phraseWords } from './words';

// The rule language of API.md (wave 2): {"when": <condition>, "then": <answer>, "else": <answer>}. Conditions
// are parsed by hand around small zod schemas so that every problem is reported once, in plain words, at its
// path (`when.all.1.phrase.any_of.0`), rather than as zod's "Invalid input" for a union.

export const MAX_DEPTH = 5;
export const MAX_CONDITIONS = 50;
export const MAX_PHRASES = 50;
export const MAX_PHRASE_CHARS = 200;
export const MAX_CHILDREN = 20;
const MAX_SECONDS = 86_400;

export type SpeakerFilter = 'agent' | 'customer' | 'any';

export interface PhraseSpec {
  any_of: string[];
  speaker: SpeakerFilter;
  /** A line counts when it starts at or before this second. */
  within_first_s: number | null;
  /** A line counts when it ends at or after duration_s minus this. */
  within_last_s: number | null;
  /** Our addition to API.md: tolerate one wrong, missing or extra word in phrases of three words or more. */
  fuzzy: boolean;
}

/** The kinds of condition, with the phrase test as `Phrase`: checked (Condition) or as written (ConditionInput). */
type ConditionOf<Phrase> =
  | { phrase: Phrase }
  | { dead_air_over_s: number }
  | { overtalk_over_s: number }
  | { hold_over_s: number }
  | { all: ConditionOf<Phrase>[] }
  | { any: ConditionOf<Phrase>[] }
  | { not: ConditionOf<Phrase> };

export type Condition = ConditionOf<PhraseSpec>;

/** A condition as a client writes it: the phrase's optional fields may be left out. */
export type ConditionInput = ConditionOf<Partial<PhraseSpec> & { any_of: string[] }>;

export type RuleAnswer = string | number;

/** A rule as a client (or the default rubric) writes it; `ruleSchema` turns it into a Rule. */
export interface RuleInput {
  when: ConditionInput;
  then: RuleAnswer;
  else: RuleAnswer;
}

export interface Rule<A = RuleAnswer> {
  when: Condition;
  then: A;
  else: A;
}

export const autoModeSchema = z.enum(['off', 'suggest', 'auto'], {
  error: 'auto_mode is "off", "suggest" or "auto".',
});
export type AutoMode = z.infer<typeof autoModeSchema>;

const seconds = (name: string) =>
  z
    .number({ error: `${name} is a number of seconds.` })
    .min(0, `${name} cannot be negative.`)
    .max(MAX_SECONDS, `${name} is at most ${MAX_SECONDS} seconds.`);

/** An object's own error: unknown keys named, anything else (not an object) described. */
function objectError(shape: string) {
  return (issue: { code?: string; keys?: string[] }) =>
    issue.code === 'unrecognized_keys'
      ? `Unknown field${(issue.keys ?? []).length > 1 ? 's' : ''}: ${(issue.keys ?? []).join(', ')}; ${shape}`
      : shape;
}

const phraseText = z
  .string({ error: 'Each phrase is text.' })
  .trim()
  .min(1, 'A phrase cannot be empty.')
  .max(MAX_PHRASE_CHARS, `A phrase is at most ${MAX_PHRASE_CHARS} characters.`)
  .refine((text) => phraseWords(text).length > 0, 'A phrase needs at least one word or number.');

const phraseSchema = z.strictObject(
  {
    any_of: z
      .array(phraseText, { error: 'any_of is a list of phrases.' })
      .min(1, 'any_of needs at least one phrase.')
      .max(MAX_PHRASES, `any_of has at most ${MAX_PHRASES} phrases.`),
    speaker: z.enum(['agent', 'customer', 'any'], { error: 'speaker is "agent", "customer" or "any".' }).default('any'),
    within_first_s: seconds('within_first_s').nullable().default(null),
    within_last_s: seconds('within_last_s').nullable().default(null),
    fuzzy: z.boolean({ error: 'fuzzy is true or false.' }).default(false),
  },
  {
    error: objectError(
      'phrase is an object: {"any_of": [...], "speaker", "within_first_s", "within_last_s", "fuzzy"}.',
    ),
  },
);

const LEAVES = {
  phrase: phraseSchema,
  dead_air_over_s: seconds('dead_air_over_s'),
  overtalk_over_s: seconds('overtalk_over_s'),
  hold_over_s: seconds('hold_over_s'),
} as const;
const KINDS = [...Object.keys(LEAVES), 'all', 'any', 'not'];

interface ParseState {
  addIssue(path: PropertyKey[], message: string): void;
  count: number;
}

function leaf(key: keyof typeof LEAVES, value: unknown, path: PropertyKey[], state: ParseState): Condition | null {
  const parsed = LEAVES[key].safeParse(value);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) state.addIssue([...path, key, ...issue.path], issue.message);
    return null;
  }
  return { [key]: parsed.data } as Condition;
}

function children(key: 'all' | 'any', value: unknown, path: PropertyKey[], depth: number, state: ParseState) {
  if (!Array.isArray(value) || value.length === 0 || value.length > MAX_CHILDREN) {
    state.addIssue([...path, key], `${key} is a list of 1 to ${MAX_CHILDREN} conditions.`);
    return null;
  }
  const parsed = value.map((child: unknown, i) => parseCondition(child, [...path, key, i], depth + 1, state));
  return parsed.every((c): c is Condition => c !== null) ? ({ [key]: parsed } as Condition) : null;
}

/** One condition at `path`, or null after reporting its problems. */
function parseCondition(input: unknown, path: PropertyKey[], depth: number, state: ParseState): Condition | null {
  state.count += 1;
  if (state.count === MAX_CONDITIONS + 1) {
    state.addIssue(path, `A rule has at most ${MAX_CONDITIONS} conditions.`);
  }
  if (state.count > MAX_CONDITIONS) return null;
  if (depth > MAX_DEPTH) {
    state.addIssue(path, `Conditions nest at most ${MAX_DEPTH} deep.`);
    return null;
  }
  const keys = input !== null && typeof input === 'object' && !Array.isArray(input) ? Object.keys(input) : [];
  const key = keys[0];
  if (keys.length !== 1 || key === undefined || !KINDS.includes(key)) {
    state.addIssue(path, `A condition is an object with one of: ${KINDS.join(', ')}.`);
    return null;
  }
  const value: unknown = (input as Record<string, unknown>)[key];
  if (key === 'all' || key === 'any') return children(key, value, path, depth, state);
  if (key === 'not') {
    const inner = parseCondition(value, [...path, 'not'], depth + 1, state);
    return inner === null ? null : { not: inner };
  }
  return leaf(key as keyof typeof LEAVES, value, path, state);
}

export const conditionSchema = z.unknown().transform((input, ctx): Condition => {
  const state: ParseState = {
    count: 0,
    addIssue: (path, message) => ctx.addIssue({ code: 'custom', path, message }),
  };
  return parseCondition(input, [], 1, state) ?? (z.NEVER as Condition);
});

const answerSchema = z.union([z.string().trim().min(1).max(80), z.number().finite()], {
  error: 'An answer is "yes", "no", "na", a number, an option id or an option label.',
});

export const ruleSchema = z.strictObject(
  { when: conditionSchema, then: answerSchema, else: answerSchema },
  { error: objectError('a rule is an object: {"when": <condition>, "then": <answer>, "else": <answer>}.') },
);
