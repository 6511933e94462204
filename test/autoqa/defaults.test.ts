import { DEFAULT_RULES, checkRuleAnswers, evaluateRule, ruleSchema, type CallFacts } from '../../src/autoqa';
import { STANDARD_RUBRIC } from '../../src/rubrics/default-rubric';
import { facts, line } from './builders';

// The default rules: valid for the standard rubric's items, and answering crafted calls as a supervisor would.

const items = STANDARD_RUBRIC.sections.flatMap((s) => s.items);
const rules = new Map(DEFAULT_RULES.map(({ prompt, auto }) => [prompt, ruleSchema.parse(auto)]));
const answer = (prompt: string, call: CallFacts) => {
  const rule = rules.get(prompt);
  if (!rule) throw new Error(`no default rule for ${prompt}`);
  return evaluateRule(rule, call).answer;
};

const GREETING = 'Used the company greeting';
const VERIFICATION = "Verified the caller's address or identity before account changes";
const HOLD = 'Asked permission before placing the customer on hold';
const CLOSING = 'Thanked the customer';

// A good call, like bench/generator/transcripts.ts writes them.
const good = [
  line('agent', 0.4, 4, 'Thank you for calling, my name is Sam. How can I help you today?'),
  line('customer', 4.5, 9, 'Hi, I need to change my address.'),
  line('agent', 9.5, 14, 'Sure. Before we start, can you please verify the address on the account?'),
  line('customer', 14.5, 18, 'It is 42 Elm Street, Springfield.'),
  line('agent', 18.5, 22, 'May I put you on hold for a moment?'),
  line('agent', 80, 84, 'Done. Is there anything else I can help you with?'),
  line('agent', 86, 90, 'Thank you for calling Acme. Have a great day.'),
];

describe('default rules', () => {
  test('one rule for each of the four items, each a valid rule whose answers the item takes', () => {
    expect([...rules.keys()].sort()).toEqual([CLOSING, GREETING, HOLD, VERIFICATION].sort());
    for (const { prompt, auto } of DEFAULT_RULES) {
      const item = items.find((i) => i.prompt === prompt);
      expect(item).toBeDefined();
      if (!item) continue;
      const ruleItem = { type: item.type, max_points: 1, allow_na: item.allow_na, options: item.options };
      expect(checkRuleAnswers(ruleSchema.parse(auto), ruleItem)).toEqual([]);
    }
  });

  test('a good call passes all four', () => {
    const call = facts(good, { duration_s: 92, hold_s: 45 });
    expect([GREETING, VERIFICATION, HOLD, CLOSING].map((p) => answer(p, call))).toEqual(['yes', 'yes', 'yes', 'yes']);
  });

  test('a late greeting, an unverified address change, an unannounced hold and no thanks all fail', () => {
    const bad = [
      line('agent', 31, 34, 'Thank you for calling, my name is Sam.'),
      line('customer', 35, 39, 'I need to change my address.'),
      line('agent', 40, 44, 'Let me look that up, one moment.'),
      line('agent', 80, 84, 'Done, bye.'),
    ];
    const call = facts(bad, { duration_s: 150, hold_s: 45 });
    expect([GREETING, VERIFICATION, HOLD, CLOSING].map((p) => answer(p, call))).toEqual(['no', 'no', 'no', 'no']);
  });

  test('no hold and no account change: nothing to fail', () => {
    const call = facts([line('agent', 1, 3, 'Thank you for calling'), line('customer', 4, 8, 'What time is it?')], {
      hold_s: 0,
    });
    expect([answer(VERIFICATION, call), answer(HOLD, call)]).toEqual(['yes', 'yes']);
  });

  test('"can you hold" matches only exactly: "can you help" is not asking permission', () => {
    const asked = facts([line('agent', 10, 12, 'Can you hold for a second?')], { hold_s: 30 });
    const helped = facts([line('agent', 10, 12, 'Can you help me with the order number?')], { hold_s: 30 });
    expect([answer(HOLD, asked), answer(HOLD, helped)]).toEqual(['yes', 'no']);
  });

  test('no transcript: no answer, except the hold rule when there was no hold', () => {
    expect([GREETING, VERIFICATION, HOLD, CLOSING].map((p) => answer(p, facts(null, { hold_s: 30 })))).toEqual([
      null,
      null,
      null,
      null,
    ]);
    expect(answer(HOLD, facts(null, { hold_s: 0 }))).toBe('yes');
  });
});
