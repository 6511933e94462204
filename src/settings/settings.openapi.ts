// The settings routes' part of the OpenAPI document (src/api/openapi.ts assembles it), from the zod schemas.
import { errors, jsonBody, jsonResponse } from '../lib/openapi';
import { settingsPatchSchema, settingsResponseSchema } from './settings.schemas';

export const settingsPaths = {
  '/api/v1/settings': {
    get: {
      summary: 'The settings (staff)',
      responses: { 200: jsonResponse('The settings', settingsResponseSchema), ...errors(403) },
    },
    patch: {
      summary: 'Change some settings (admin); fields left out keep their value',
      requestBody: jsonBody(settingsPatchSchema),
      responses: {
        200: jsonResponse('The settings after the change', settingsResponseSchema),
        ...errors(403, 415, 422),
      },
    },
  },
};
