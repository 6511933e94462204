import { z } from 'zod';
import { blankToUndefined } from '../lib/validation';
import { reportQuerySchema } from './reports.schemas';

// GET /api/v1/reports/auto-qa (API.md wave 2): its query and its answer.

export const autoQaQuerySchema = reportQuerySchema.omit({ threshold_s: true, group: true, agent: true }).extend({
  rubric_id: z
    .preprocess(blankToUndefined, z.coerce.number().int().positive().optional())
    .describe('a rubric version; every version whose items carry rules when absent'),
});

const count = z.number().int().min(0);
const rate = z.number().min(0).max(1).nullable();

export const autoQaReportSchema = z.object({
  from: z.string(),
  to: z.string(),
  calls: count.describe('calls started in the period, in scope'),
  analysed: count.describe('of them, those whose audio analysis is done'),
  items: z.array(
    z.object({
      item_id: z.number().int(),
      rubric_id: z.number().int(),
      prompt: z.string(),
      answered: count.describe('analysed calls of the period the rule answered'),
      failed: count.describe('of them, those the rule failed'),
      fail_rate: rate,
      agreement: z
        .object({
          n: count.describe('calls answered by both a person (newest scorecard) and the rule'),
          agreed: count.describe('both failed the item, or neither did'),
          kappa: z.number().nullable().describe("Cohen's kappa; null (n/a) when undefined: n = 0 or one side constant"),
          kappa_ci95: z.array(z.number()).length(2).nullable(),
          precision: rate.describe('of the calls the rule failed, the share the person failed too'),
          recall: rate.describe('of the calls the person failed, the share the rule failed too'),
        })
        .describe('accuracy against people on scorecards submitted in the period'),
      trusted: z.boolean().describe('n ≥ 30 and kappa ≥ 0.6'),
    }),
  ),
});

export const disagreementsQuerySchema = z.object({
  rubric_id: z.coerce.number({ message: 'Choose a rubric.' }).int().positive('Choose a rubric.'),
});
