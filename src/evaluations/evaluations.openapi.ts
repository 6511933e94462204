// The scorecard routes' part of the OpenAPI document (src/api/openapi.ts assembles it), from the zod schemas.
import { errors, idPathParam, jsonBody, jsonResponse, jsonSchemaOf, queryParams } from '../lib/openapi';
import { suggestionsQuerySchema, suggestionsResponseSchema } from './suggestions.schemas';
import {
  acknowledgeSchema,
  createEvaluationSchema,
  evaluationDetailSchema,
  evaluationListSchema,
  evaluationPageSchema,
  evaluationResponseSchema,
  rescoreSchema,
} from './evaluations.schemas';

/** Schemas other rooms' paths refer to by $ref (#/components/schemas/…), so they need not import this room. */
export const evaluationComponents = {
  Evaluation: jsonSchemaOf(evaluationResponseSchema, 'output'),
  Rescore: jsonSchemaOf(rescoreSchema, 'input'),
};

export const evaluationPaths = {
  '/api/v1/evaluations': {
    post: {
      summary: 'Score a call (supervisor, manager, admin): saves your draft for this call and rubric, or submits it',
      requestBody: jsonBody(createEvaluationSchema),
      responses: {
        201: jsonResponse(
          'The evaluation with score, raw_score, passed, critical_failed, sections, status, coaching_task_id',
          evaluationResponseSchema,
        ),
        ...errors(403, 404, 409, 415, 422),
      },
    },
    get: {
      summary: 'Evaluations in your scope; a CSR sees only their own released ones',
      parameters: queryParams(evaluationListSchema),
      responses: { 200: jsonResponse('A page of evaluations', evaluationPageSchema), ...errors(422) },
    },
  },
  '/api/v1/evaluations/{id}': {
    get: {
      summary: 'One evaluation with its answers',
      parameters: [idPathParam],
      responses: { 200: jsonResponse('The evaluation', evaluationDetailSchema), ...errors(404) },
    },
  },
  '/api/v1/evaluations/{id}/release': {
    post: {
      summary: 'Release a submitted evaluation to the CSR',
      parameters: [idPathParam],
      responses: { 200: jsonResponse('Released', evaluationResponseSchema), ...errors(403, 404, 409) },
    },
  },
  '/api/v1/evaluations/{id}/acknowledge': {
    post: {
      summary: 'The evaluated CSR acknowledges a released scorecard',
      parameters: [idPathParam],
      requestBody: { ...jsonBody(acknowledgeSchema), required: false },
      responses: { 200: jsonResponse('Acknowledged', evaluationResponseSchema), ...errors(403, 404, 409, 415, 422) },
    },
  },
};

export const suggestionPaths = {
  '/api/v1/calls/{id}/suggestions': {
    get: {
      summary:
        "A rubric's automatic answers for a call, with reasons and evidence, and the score they would give " +
        '(supervisor, manager, admin in scope; a CSR gets 404)',
      parameters: [idPathParam, ...queryParams(suggestionsQuerySchema)],
      responses: { 200: jsonResponse('The suggestions', suggestionsResponseSchema), ...errors(404, 422) },
    },
  },
};
