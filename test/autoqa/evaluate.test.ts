import { evaluateCondition, evaluateRule, suggestAnswers, type Condition, type Rule } from '../../src/autoqa';
import { facts, line, said } from './builders';

// Combinations in three-valued logic, the rule's answer, and suggestions per item.

const T: Condition = { hold_over_s: 10 }; // hold 60 s: true
const F: Condition = { hold_over_s: 100 }; // hold 60 s: false
const U: Condition = said(['anything']); // no transcript: unknown
const call = facts(null, { hold_s: 60 });
const truth = (c: Condition) => evaluateCondition(c, call).value;

describe("Kleene's three-valued logic", () => {
  const named = { T, F, U };
  test.each([
    ['all', 'TT', true],
    ['all', 'TF', false],
    ['all', 'UF', false],
    ['all', 'TU', null],
    ['all', 'UU', null],
    ['any', 'FF', false],
    ['any', 'FT', true],
    ['any', 'UT', true],
    ['any', 'FU', null],
    ['any', 'UU', null],
  ] as const)('%s of %s is %s', (kind, parts, expected) => {
    const conditions = [...parts].map((p) => named[p as keyof typeof named]);
    const condition: Condition = kind === 'all' ? { all: conditions } : { any: conditions };
    expect(truth(condition)).toBe(expected);
  });

  test('not swaps true and false and leaves unknown unknown', () => {
    expect([truth({ not: T }), truth({ not: F }), truth({ not: U }), truth({ not: { not: T } })]).toEqual([
      false,
      true,
      null,
      true,
    ]);
  });

  test('the reason is the deciding part’s, or every part’s when all of them decided', () => {
    const lines = [line('agent', 1, 3, 'Thank you for calling'), line('agent', 30, 32, 'One moment please')];
    const withLines = facts(lines, { hold_s: 60 });
    const greeted = said(['thank you for calling'], { speaker: 'agent' });
    const allTrue = evaluateCondition({ all: [greeted, T] }, withLines);
    expect(allTrue.reason).toBe('Agent said “thank you for calling” at 0:01; On hold 60 s (limit 10 s)');
    expect(allTrue.evidence).toHaveLength(1);
    expect(evaluateCondition({ all: [greeted, F] }, withLines).reason).toBe('On hold 60 s (limit 100 s)');
    expect(evaluateCondition({ any: [F, { not: greeted }] }, withLines).reason).toBe(
      'On hold 60 s (limit 100 s); Agent said “thank you for calling” at 0:01',
    );
    expect(evaluateCondition({ all: [T, U] }, call).reason).toBe('No transcript');
  });
});

describe('evaluateRule', () => {
  const greeting: Rule<string> = {
    when: said(['thank you for calling', 'thanks for calling'], { speaker: 'agent', within_first_s: 20 }),
    then: 'yes',
    else: 'no',
  };

  test('then when the condition holds, with its evidence', () => {
    const result = evaluateRule(greeting, facts([line('agent', 1.2, 4, 'Thanks for calling Acme')]));
    expect(result.answer).toBe('yes');
    expect(result.reason).toBe('Agent said “thanks for calling” at 0:01');
    expect(result.evidence).toHaveLength(1);
  });

  test('else when it does not', () => {
    const result = evaluateRule(greeting, facts([line('agent', 21, 24, 'Thanks for calling Acme')]));
    expect(result).toEqual({
      answer: 'no',
      reason: 'Agent never said any of “thank you for calling”, “thanks for calling” in the first 20 s',
      evidence: [],
    });
  });

  test('no answer when a fact is missing, even under not', () => {
    const negated: Rule<string> = { when: { not: greeting.when }, then: 'no', else: 'yes' };
    expect(evaluateRule(negated, facts([]))).toEqual({ answer: null, reason: 'No transcript', evidence: [] });
  });
});

describe('suggestAnswers', () => {
  test('one suggestion per item with a rule, in order, open answers included', () => {
    const items = [
      { id: 7, auto: { when: T, then: 'no', else: 'yes' } },
      { id: 8, auto: null },
      { id: 9, auto: { when: U, then: 'yes', else: 'no' } },
      { id: 10, auto: { when: { dead_air_over_s: 5 }, then: '0', else: '4' } },
    ];
    const dead = facts(null, { hold_s: 60, dead_air: [{ start_s: 10, end_s: 16 }] });
    expect(suggestAnswers(items, dead)).toEqual([
      { item_id: 7, value: 'no', reason: 'On hold 60 s (limit 10 s)', evidence: [] },
      { item_id: 9, value: null, reason: 'No transcript', evidence: [] },
      {
        item_id: 10,
        value: '0',
        reason: 'Dead air of 6.0 s at 0:10–0:16 (limit 5 s)',
        evidence: [{ kind: 'dead_air', speaker: null, start_s: 10, end_s: 16, text: null, match: null }],
      },
    ]);
  });
});
