import { DEFAULT_RULES, ruleSchema } from '../autoqa';
import type { AppDeps } from '../deps';
import type { RubricInput } from './rubrics.schemas';
import { createRubric, publishRubric } from './rubrics.service';
import { anyRubricExists } from './rubric-versions.queries';

type StandardItem = RubricInput['sections'][number]['items'][number];

/** The default rule for an item of the standard rubric (src/autoqa/defaults.ts), keyed by its question. */
function defaultRule(prompt: string): StandardItem['auto'] {
  const rule = DEFAULT_RULES.find((r) => r.prompt === prompt);
  return rule ? ruleSchema.parse(rule.auto) : null;
}

const yesNo = (prompt: string, guidance: string, extra: Partial<StandardItem> = {}): StandardItem => ({
  prompt,
  guidance,
  type: 'yes_no' as const,
  max: null,
  points: 1,
  options: [],
  allow_na: false,
  critical: false,
  comment_required: false,
  auto: defaultRule(prompt),
  ...extra,
});

/** What contact-center managers check first; published on first run so scoring can start at once. */
export const STANDARD_RUBRIC: RubricInput = {
  name: 'Standard call quality',
  description: 'Greeting, verification, policy, resolution and closing: the basics of every customer call.',
  pass_threshold: 75,
  release_mode: 'on_submit',
  release_after_days: null,
  disputes_enabled: true,
  dispute_limit: 2,
  dispute_window_days: 14,
  dispute_reviewer: 'supervisor',
  auto_mode: 'suggest',
  sections: [
    {
      title: 'Greeting',
      weight: 1,
      threshold: null,
      items: [
        yesNo('Used the company greeting', 'Opens with "Thank you for calling <company>".'),
        yesNo('Gave their own name', 'The customer should know who they are speaking to.'),
        yesNo('Offered help', 'Asks how they can help before the customer has to explain unprompted.'),
      ],
    },
    {
      title: 'Verification',
      weight: 2,
      threshold: null,
      items: [
        yesNo(
          "Verified the caller's address or identity before account changes",
          'Policy: no order, address, refund or account change before the caller has confirmed the address on the account (or two other identifiers). N/A when no account change was discussed.',
          { critical: true, allow_na: true, comment_required: true },
        ),
      ],
    },
    {
      title: 'Policy',
      weight: 3,
      threshold: null,
      items: [
        {
          prompt: 'Followed the returns and refunds policy',
          guidance:
            'Returns within 30 days for a full refund with a prepaid label; store credit after that. No promises outside the policy.',
          type: 'choice',
          max: null,
          points: null,
          options: [
            { label: 'Fully followed', points: 2 },
            { label: 'Partly followed', points: 1 },
            { label: 'Not followed', points: 0 },
          ],
          allow_na: true,
          critical: false,
          comment_required: true,
          auto: null,
        },
        {
          prompt: 'Gave accurate information',
          guidance:
            '4 = everything said was correct and complete; 0 = wrong information that will cause a repeat call or a complaint.',
          type: 'scale',
          max: 4,
          points: null,
          options: [],
          allow_na: false,
          critical: false,
          comment_required: true,
          auto: null,
        },
        yesNo(
          'Asked permission before placing the customer on hold',
          'Asks, explains why, and gives an estimate. N/A when there was no hold.',
          { allow_na: true },
        ),
      ],
    },
    {
      title: 'Resolution and closing',
      weight: 2,
      threshold: null,
      items: [
        {
          prompt: 'Resolved the issue or escalated it correctly',
          guidance: 'Escalating through the right channel with full notes counts as fully as resolving.',
          type: 'choice',
          max: null,
          points: null,
          options: [
            { label: 'Resolved on this call', points: 3 },
            { label: 'Escalated correctly', points: 3 },
            { label: 'Partly resolved', points: 1 },
            { label: 'Not resolved', points: 0 },
          ],
          allow_na: false,
          critical: false,
          comment_required: true,
          auto: null,
        },
        yesNo('Recapped what happens next', 'Summarises the outcome and any next steps or timelines.'),
        yesNo('Thanked the customer', 'Closes with thanks and the company name.'),
      ],
    },
  ],
};

/** On an installation without any rubric, publishes the standard one. */
export async function ensureDefaultRubric(deps: AppDeps): Promise<void> {
  if (await anyRubricExists(deps.db)) return;
  const rubric = await createRubric(deps, null, STANDARD_RUBRIC);
  await publishRubric(deps, null, rubric.id);
}
