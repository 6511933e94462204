import { z } from 'zod';

// What GET /api/v1/calls/:id/analysis answers (API.md, wave 2); test/api checks real answers against it.
const seconds = z.number().min(0);
const segment = z.object({ start_s: seconds, end_s: seconds });

export const analysisResponseSchema = z.object({
  status: z.enum(['pending', 'done', 'failed', 'no_recording']),
  error: z.string().nullable().describe('why the analysis failed; null otherwise'),
  duration_s: seconds.nullable(),
  channels: z.number().int().min(1).nullable(),
  speech: z
    .object({ agent_s: seconds, customer_s: seconds, talk_ratio: z.number().min(0).max(1).nullable() })
    .nullable()
    .describe('null on mono recordings and until the analysis is done; talk_ratio is the agent share of all speech'),
  overtalk: z
    .object({ total_s: seconds, count: z.number().int().min(0) })
    .nullable()
    .describe('null on mono recordings and until the analysis is done'),
  dead_air: z
    .object({ total_s: seconds, longest_s: seconds, segments: z.array(segment) })
    .nullable()
    .describe('null until the analysis is done'),
  waveform_url: z.string().nullable().describe('the waveform peaks file (binary "CSPK" format); null without one'),
});
