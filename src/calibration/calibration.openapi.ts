// The calibration routes' part of the OpenAPI document (src/api/openapi.ts assembles it), from the zod schemas.
import { errors, idPathParam, jsonBody, jsonResponse, queryParams } from '../lib/openapi';
import { newSessionSchema, sessionListSchema, sessionPageSchema, sessionResponseSchema } from './calibration.schemas';

export const calibrationPaths = {
  '/api/v1/calibration-sessions': {
    get: {
      summary: 'Calibration sessions you run, score in, or that are on calls of your teams (staff)',
      parameters: queryParams(sessionListSchema),
      responses: { 200: jsonResponse('A page of sessions', sessionPageSchema), ...errors(403, 422) },
    },
    post: {
      summary: 'Open a calibration session on a call of your teams and a published rubric (staff)',
      requestBody: jsonBody(newSessionSchema),
      responses: { 201: jsonResponse('Opened', sessionResponseSchema), ...errors(403, 404, 415, 422) },
    },
  },
  '/api/v1/calibration-sessions/{id}': {
    get: {
      summary: "A session with its results, as far as its blindness lets you see others' answers",
      parameters: [idPathParam],
      responses: { 200: jsonResponse('The session', sessionResponseSchema), ...errors(403, 404) },
    },
  },
  '/api/v1/calibration-sessions/{id}/close': {
    post: {
      summary: 'Close a session (organiser, manager over the team, admin): all answers become visible',
      parameters: [idPathParam],
      responses: { 200: jsonResponse('Closed', sessionResponseSchema), ...errors(403, 404, 409) },
    },
  },
};
