// The rubric routes' part of the OpenAPI document (src/api/openapi.ts assembles it), from the zod schemas.
import { errors, idPathParam, jsonBody, jsonResponse } from '../lib/openapi';
import { rubricResponseSchema, rubricSchema } from './rubrics.schemas';

export const rubricPaths = {
  '/api/v1/rubrics': {
    post: {
      summary: 'Create a rubric as a draft (admin, manager)',
      requestBody: jsonBody(rubricSchema),
      responses: {
        201: jsonResponse('The draft with section and item ids', rubricResponseSchema),
        ...errors(403, 415, 422),
      },
    },
  },
  '/api/v1/rubrics/{id}': {
    get: {
      summary: 'A rubric version with section, item and option ids (staff)',
      parameters: [idPathParam],
      responses: { 200: jsonResponse('The rubric', rubricResponseSchema), ...errors(403, 404) },
    },
  },
  '/api/v1/rubrics/{id}/publish': {
    post: {
      summary: 'Publish a draft; the previously published version of the same rubric is retired',
      parameters: [idPathParam],
      responses: { 200: jsonResponse('Published', rubricResponseSchema), ...errors(403, 404, 409) },
    },
  },
};
