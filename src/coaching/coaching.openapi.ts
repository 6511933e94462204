// The coaching routes' part of the OpenAPI document (src/api/openapi.ts assembles it), from the zod schemas.
import { errors, idPathParam, jsonBody, jsonResponse, queryParams } from '../lib/openapi';
import { coachingListQuerySchema, coachingTaskPageSchema, coachingTaskResponseSchema } from './coaching.schemas';
import { coachingChangeSchema } from './coaching.service';

export const coachingPaths = {
  '/api/v1/coaching-tasks': {
    get: {
      summary: 'Coaching tasks in your scope (a CSR: their own, once the scorecard behind it is released)',
      parameters: queryParams(coachingListQuerySchema),
      responses: { 200: jsonResponse('A page of coaching tasks', coachingTaskPageSchema), ...errors(422) },
    },
  },
  '/api/v1/coaching-tasks/{id}': {
    get: {
      summary: 'One coaching task',
      parameters: [idPathParam],
      responses: { 200: jsonResponse('The task', coachingTaskResponseSchema), ...errors(404) },
    },
    patch: {
      summary: 'Schedule (supervisor), complete with notes (supervisor), or acknowledge (the CSR)',
      parameters: [idPathParam],
      requestBody: jsonBody(coachingChangeSchema),
      responses: { 200: jsonResponse('Updated', coachingTaskResponseSchema), ...errors(403, 404, 409, 415, 422) },
    },
  },
};
