// The second factor's paths in /api/openapi.json (API.md, wave 2: /api/v1/me/totp).
import { errors, jsonBody, jsonResponse } from '../lib/openapi';
import { codeSchema, recoveryCodesSchema, totpStartedSchema, totpStatusSchema } from './mfa.schemas';

export const mfaPaths = {
  '/api/v1/me/totp': {
    get: {
      summary: 'Whether your second factor (TOTP) is on, and how many recovery codes are left',
      responses: { 200: jsonResponse('Your second factor', totpStatusSchema) },
    },
    post: {
      summary: 'Start setting up a second factor: a new secret for your authenticator app (again restarts)',
      responses: { 201: jsonResponse('The secret, shown until confirmed', totpStartedSchema), ...errors(409) },
    },
    delete: {
      summary: 'Turn your second factor off with a current code or an unused recovery code',
      requestBody: jsonBody(codeSchema),
      responses: { 204: { description: 'Turned off' }, ...errors(409, 422, 429) },
    },
  },
  '/api/v1/me/totp/confirm': {
    post: {
      summary: 'Confirm the set-up with a code from the app; answers the ten one-time recovery codes, once',
      requestBody: jsonBody(codeSchema),
      responses: { 200: jsonResponse('Recovery codes', recoveryCodesSchema), ...errors(409, 415, 422) },
    },
  },
};
