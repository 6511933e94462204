import { z } from 'zod';

export const codeSchema = z.object({
  code: z
    .string({ error: 'Enter the code from your authenticator app.' })
    .trim()
    .min(1, 'Enter the code from your authenticator app.')
    .max(64, 'That code is too long.'),
});

export const totpStartedSchema = z.object({
  secret: z.string().describe('base32; shown only until enrolment is confirmed'),
  otpauth_url: z.string(),
});

export const recoveryCodesSchema = z.object({
  recovery_codes: z.array(z.string()).length(10).describe('each usable once; shown only now'),
});

export const totpStatusSchema = z.object({
  enabled: z.boolean(),
  pending: z.boolean().describe('enrolment started and not yet confirmed'),
  recovery_codes_left: z.number().int(),
});
