// The dispute routes' part of the OpenAPI document (src/api/openapi.ts assembles it), from the zod schemas.
import { errors, errorWhen, idPathParam, jsonBody, jsonResponse, jsonSchemaOf, queryParams } from '../lib/openapi';
import {
  disputeListSchema,
  disputePageSchema,
  disputeResponseSchema,
  openDisputeSchema,
  upholdSchema,
} from './disputes.schemas';

// The scorecard's shapes belong to the evaluations room: referred to, not imported (evaluations reaches disputes).
const evaluationRef = { $ref: '#/components/schemas/Evaluation' };
const rescoreRef = { $ref: '#/components/schemas/Rescore' };

export const disputePaths = {
  '/api/v1/evaluations/{id}/disputes': {
    post: {
      summary:
        'The evaluated CSR disputes items of a released scorecard with a reason; the reviewer set by the rubric gets it',
      parameters: [idPathParam],
      requestBody: jsonBody(openDisputeSchema),
      responses: {
        201: jsonResponse('The dispute, in review', disputeResponseSchema),
        ...errors(403, 404, 415, 422),
        409: errorWhen(
          'Refused: outside the window, over the limit, an item with full marks or N/A, a dispute already open, or disputes off for the rubric',
        ),
      },
    },
    get: {
      summary: "A scorecard's disputes with their outcome (anyone who may see the scorecard)",
      parameters: [idPathParam],
      responses: { 200: jsonResponse('Disputes, newest first', disputePageSchema), ...errors(404) },
    },
  },
  '/api/v1/disputes': {
    get: {
      summary: 'Disputes of your teams or assigned to you (staff)',
      parameters: queryParams(disputeListSchema),
      responses: { 200: jsonResponse('A page of disputes', disputePageSchema), ...errors(403, 422) },
    },
  },
  '/api/v1/disputes/{id}': {
    get: {
      summary: 'One dispute (the CSR their own; staff their teams’ or assigned ones)',
      parameters: [idPathParam],
      responses: { 200: jsonResponse('The dispute', disputeResponseSchema), ...errors(404) },
    },
  },
  '/api/v1/disputes/{id}/uphold': {
    post: {
      summary: 'The reviewer keeps the scores, with a reason the CSR sees',
      parameters: [idPathParam],
      requestBody: jsonBody(upholdSchema),
      responses: { 200: jsonResponse('Decided: upheld', disputeResponseSchema), ...errors(403, 404, 409, 415, 422) },
    },
  },
  '/api/v1/disputes/{id}/rescore': {
    post: {
      summary:
        'The reviewer rescores the scorecard (a new revision; score and coaching follow; the CSR acknowledges again) and so decides the dispute',
      parameters: [idPathParam],
      requestBody: { required: true, content: { 'application/json': { schema: rescoreRef } } },
      responses: {
        200: {
          description: 'The dispute and the rescored evaluation',
          content: {
            'application/json': {
              schema: {
                type: 'object',
                properties: { dispute: jsonSchemaOf(disputeResponseSchema, 'output'), evaluation: evaluationRef },
                required: ['dispute', 'evaluation'],
                additionalProperties: false,
              },
            },
          },
        },
        ...errors(403, 404, 409, 415, 422),
      },
    },
  },
};
