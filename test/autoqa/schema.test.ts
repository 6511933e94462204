import { Validation } from '../../src/lib/errors';
import { autoModeSchema, checkRuleAnswers, resolveRule, ruleSchema, type Rule, type RuleItem } from '../../src/autoqa';

// The rule language's schema: defaults, limits and a plain message at the path of each problem; and a rule's
// answers checked against the item they answer.

function problems(input: unknown): Array<[string, string]> {
  const result = ruleSchema.safeParse(input);
  if (result.success) return [];
  return result.error.issues.map((issue) => [issue.path.join('.'), issue.message]);
}

const phrase = (extra: object = {}) => ({ phrase: { any_of: ['thank you for calling'], ...extra } });

describe('rule schema', () => {
  test('a phrase condition gets its defaults; the rule keeps its answers as given', () => {
    const parsed = ruleSchema.parse({ when: phrase(), then: 'yes', else: 'no' });
    expect(parsed).toEqual({
      when: {
        phrase: {
          any_of: ['thank you for calling'],
          speaker: 'any',
          within_first_s: null,
          within_last_s: null,
          fuzzy: false,
        },
      },
      then: 'yes',
      else: 'no',
    });
  });

  test('every kind of condition nests in all/any/not', () => {
    const when = {
      all: [
        phrase({ speaker: 'agent', within_first_s: 20, fuzzy: true }),
        { any: [{ dead_air_over_s: 10 }, { overtalk_over_s: 3 }] },
        { not: { hold_over_s: 120 } },
      ],
    };
    expect(problems({ when, then: 'yes', else: 3 })).toEqual([]);
  });

  test.each([
    [{ then: 'yes', else: 'no' }, 'when', 'A condition is an object with one of'],
    [{ when: { smells: 1 }, then: 'yes', else: 'no' }, 'when', 'A condition is an object with one of'],
    [{ when: { hold_over_s: 1, dead_air_over_s: 2 }, then: 'yes', else: 'no' }, 'when', 'one of'],
    [{ when: { hold_over_s: -1 }, then: 'yes', else: 'no' }, 'when.hold_over_s', 'cannot be negative'],
    [{ when: { dead_air_over_s: '10' }, then: 'yes', else: 'no' }, 'when.dead_air_over_s', 'number of seconds'],
    [{ when: { all: [] }, then: 'yes', else: 'no' }, 'when.all', 'list of 1 to 20 conditions'],
    [{ when: { any: [{ hold_over_s: 1 }, { nope: 1 }] }, then: 'y', else: 'n' }, 'when.any.1', 'one of'],
    [{ when: phrase({ speaker: 'boss' }), then: 'yes', else: 'no' }, 'when.phrase.speaker', '"agent", "customer"'],
    [{ when: phrase({ within_first_s: 'soon' }), then: 'yes', else: 'no' }, 'when.phrase.within_first_s', 'seconds'],
    [{ when: phrase({ fuzzy: 'yes' }), then: 'yes', else: 'no' }, 'when.phrase.fuzzy', 'true or false'],
    [{ when: phrase({ extra: 1 }), then: 'yes', else: 'no' }, 'when.phrase', 'Unknown field: extra;'],
    [{ when: { phrase: { any_of: [] } }, then: 'yes', else: 'no' }, 'when.phrase.any_of', 'at least one phrase'],
    [{ when: { phrase: { any_of: ['ok', '  '] } }, then: 'y', else: 'n' }, 'when.phrase.any_of.1', 'cannot be empty'],
    [{ when: { phrase: { any_of: ['ok', '?!'] } }, then: 'y', else: 'n' }, 'when.phrase.any_of.1', 'one word'],
    [{ when: { phrase: { any_of: ['x'.repeat(201)] } }, then: 'y', else: 'n' }, 'when.phrase.any_of.0', '200'],
    [{ when: { phrase: { any_of: Array(51).fill('hi') } }, then: 'y', else: 'n' }, 'when.phrase.any_of', '50'],
    [{ when: { phrase: 'thank you' }, then: 'yes', else: 'no' }, 'when.phrase', 'phrase is an object'],
    [{ when: { hold_over_s: 1 }, else: 'no' }, 'then', 'An answer is'],
    [{ when: { hold_over_s: 1 }, then: 'yes', else: ['no'] }, 'else', 'An answer is'],
    [{ when: { hold_over_s: 1 }, then: 'yes', else: 'no', also: 1 }, '', 'Unknown field: also;'],
    ['when hold then yes', '', 'a rule is an object'],
  ])('%j: a problem at "%s"', (input, path, message) => {
    const found = problems(input);
    expect(found.length).toBeGreaterThan(0);
    expect(found).toContainEqual([path, expect.stringContaining(message)]);
  });

  test('conditions nest at most 5 deep', () => {
    let deep: object = { hold_over_s: 1 };
    for (let i = 0; i < 4; i += 1) deep = { not: deep };
    expect(problems({ when: deep, then: 'yes', else: 'no' })).toEqual([]);
    expect(problems({ when: { not: deep }, then: 'yes', else: 'no' })).toEqual([
      ['when.not.not.not.not.not', 'Conditions nest at most 5 deep.'],
    ]);
  });

  test('a rule has at most 50 conditions (20 × 20 × 20 would be 8,000)', () => {
    const wide = { any: Array(20).fill({ all: Array(20).fill({ hold_over_s: 1 }) }) };
    const found = problems({ when: wide, then: 'yes', else: 'no' });
    expect(found).toEqual([['when.any.2.all.6', 'A rule has at most 50 conditions.']]);
  });

  test('auto_mode is off, suggest or auto', () => {
    expect(['off', 'suggest', 'auto'].map((m) => autoModeSchema.parse(m))).toEqual(['off', 'suggest', 'auto']);
    expect(autoModeSchema.safeParse('always').error?.issues[0].message).toBe(
      'auto_mode is "off", "suggest" or "auto".',
    );
  });
});

describe("a rule's answers against its item", () => {
  const yesNo: RuleItem = { type: 'yes_no', max_points: 1, allow_na: false, options: [] };
  const scale: RuleItem = { type: 'scale', max_points: 4, allow_na: true, options: [] };
  const choice: RuleItem = {
    type: 'choice',
    max_points: 0,
    allow_na: false,
    options: [
      { id: 31, label: 'Fully followed', points: 2 },
      { id: 32, label: 'Partly followed', points: 1 },
      { id: 33, label: 'Not followed', points: 0 },
    ],
  };
  const rule = (then: string | number, otherwise: string | number): Rule => ({
    when: { hold_over_s: 1 },
    then,
    else: otherwise,
  });

  test.each([
    [yesNo, 'YES', 'no', ['yes', 'no']],
    [scale, 4, '0', ['4', '0']],
    [scale, 'na', 2, ['na', '2']],
    [choice, 'fully followed', 'Not followed', ['31', '33']],
    [choice, 32, '33', ['32', '33']],
  ])('valid answers are stored as an evaluation stores them', (item, then, otherwise, stored) => {
    const resolved = resolveRule(rule(then, otherwise), item);
    expect([resolved.then, resolved.else]).toEqual(stored);
  });

  test.each([
    [yesNo, 'maybe', 'no', 'then', 'This item takes "yes" or "no".'],
    [yesNo, 'yes', 'na', 'else', 'This item cannot be N/A.'],
    [scale, 5, 0, 'then', 'This item takes a whole number from 0 to 4 (or "na").'],
    [scale, 4, 2.5, 'else', 'a whole number'],
    [choice, 'Ignored it', 31, 'then', '"Fully followed", "Partly followed", "Not followed"'],
    [choice, 31, 34, 'else', 'one of its options'],
  ])('%#: refused with a message at its path', (item, then, otherwise, key, message) => {
    expect(checkRuleAnswers(rule(then, otherwise), item, 'auto')).toEqual([
      { path: `auto.${key}`, message: expect.stringContaining(message) },
    ]);
  });

  test('labels are accepted before the options have ids, and resolved once they do', () => {
    const creating: RuleItem = { ...choice, options: choice.options.map(({ label, points }) => ({ label, points })) };
    expect(checkRuleAnswers(rule('Partly followed', 'Not followed'), creating)).toEqual([]);
    expect(checkRuleAnswers(rule(32, 'Not followed'), creating)).toEqual([
      { path: 'then', message: expect.stringContaining('one of its options') },
    ]);
    expect(() => resolveRule(rule('Partly followed', 'Not followed'), creating)).toThrow(Validation);
  });
});
