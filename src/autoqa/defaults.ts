import type { RuleInput } from './rule.schemas';

// Rules for the standard rubric's greeting, verification, hold-permission and closing items (src/rubrics/
// default-rubric.ts), as data keyed by the item's question. Not wired into the seed yet: the rubric stores them
// once items carry `auto`. A rule gives one answer when its condition holds and another when not, so the two
// N/A items answer "yes" rather than N/A when the situation did not arise (no account change, no hold); both
// count as "did not fail" in the accuracy figures (docs/AUTOQA.md).

const COMPANY_THANKS = [
  'thank you for calling',
  'thanks for calling',
  'thank you for contacting',
  'thanks for contacting',
  'thank you for choosing',
  'thanks for choosing',
];

const ACCOUNT_CHANGES = [
  'change my address',
  'update my address',
  'change the address',
  'update the address',
  'new address',
  'refund',
  'cancel my order',
  'cancel the order',
  'change my order',
  'change the order',
  'change my email',
  'update my email',
  'change my payment',
  'update my card',
  'close my account',
];

const VERIFICATION = [
  'verify the address',
  'verify your address',
  'confirm the address',
  'confirm your address',
  'address on the account',
  'verify your identity',
  'confirm your identity',
  'verify the account',
  'date of birth',
  'last four digits',
  'security question',
];

// Long questions about the hold match loosely ("may I put you on hold" for "may I place you on hold"); short
// ones only exactly, since "can you hold" with one word wrong is "can you help".
const HOLD_PERMISSION_LONG = [
  'may i place you on hold',
  'can i place you on hold',
  'is it ok if i place you on hold',
  'do you mind if i place you on hold',
  'may i place you on a brief hold',
];
const HOLD_PERMISSION_SHORT = ['would you mind holding', 'do you mind holding', 'can you hold', 'could you hold'];

export const DEFAULT_RULES: ReadonlyArray<{ prompt: string; auto: RuleInput }> = [
  {
    prompt: 'Used the company greeting',
    auto: {
      when: { phrase: { any_of: COMPANY_THANKS, speaker: 'agent', within_first_s: 30 } },
      then: 'yes',
      else: 'no',
    },
  },
  {
    // Fails only when an account change came up and the agent never asked for the address or identity.
    prompt: "Verified the caller's address or identity before account changes",
    auto: {
      when: {
        all: [
          { phrase: { any_of: ACCOUNT_CHANGES, speaker: 'any' } },
          { not: { phrase: { any_of: VERIFICATION, speaker: 'agent' } } },
        ],
      },
      then: 'no',
      else: 'yes',
    },
  },
  {
    // Fails only when the customer was on hold and the agent never asked first.
    prompt: 'Asked permission before placing the customer on hold',
    auto: {
      when: {
        all: [
          { hold_over_s: 0 },
          {
            not: {
              any: [
                { phrase: { any_of: HOLD_PERMISSION_LONG, speaker: 'agent', fuzzy: true } },
                { phrase: { any_of: HOLD_PERMISSION_SHORT, speaker: 'agent' } },
              ],
            },
          },
        ],
      },
      then: 'no',
      else: 'yes',
    },
  },
  {
    prompt: 'Thanked the customer',
    auto: {
      when: {
        phrase: {
          any_of: [...COMPANY_THANKS, 'thank you for your call', 'thanks for your call'],
          speaker: 'agent',
          within_last_s: 60,
        },
      },
      then: 'yes',
      else: 'no',
    },
  },
];
