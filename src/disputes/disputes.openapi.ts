// The dispute routes' part of the OpenAPI document (src/api/openapi.ts spreads it into its paths).

const error = { $ref: '#/components/responses/Error' };
const json = (schema: object) => ({ content: { 'application/json': { schema } } });
const ok = (description: string, schema: object = { type: 'object' }) => ({ description, ...json(schema) });
const idParam = { name: 'id', in: 'path', required: true, schema: { type: 'integer' } };

const dispute = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    evaluation_id: { type: 'integer' },
    status: { type: 'string', enum: ['open', 'upheld', 'rescored'], description: 'open = in review' },
    reason: { type: 'string' },
    items: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          item_id: { type: 'integer' },
          prompt: { type: 'string' },
          points_before: { type: 'number' },
          max_points: { type: 'number' },
          points_after: { type: ['number', 'null'] },
        },
      },
    },
    assignee_id: { type: ['integer', 'null'], description: 'who reviews it' },
    opened_at: { type: 'string', format: 'date-time' },
    resolved_at: { type: ['string', 'null'], format: 'date-time' },
    resolution_reason: { type: ['string', 'null'] },
    score_before: { type: ['number', 'null'] },
    score_after: { type: ['number', 'null'] },
  },
};

const page = (items: object) => ({
  type: 'object',
  properties: { items: { type: 'array', items }, next_cursor: { type: ['string', 'null'] } },
});

const reason = { type: 'string', minLength: 3, maxLength: 2000 };

export const disputePaths = {
  '/api/v1/evaluations/{id}/disputes': {
    post: {
      summary:
        'The evaluated CSR disputes items of a released scorecard with a reason; the reviewer set by the rubric gets it',
      parameters: [idParam],
      requestBody: json({
        type: 'object',
        required: ['item_ids', 'reason'],
        properties: { item_ids: { type: 'array', minItems: 1, items: { type: 'integer' } }, reason },
      }),
      responses: {
        201: ok('The dispute, in review', dispute),
        403: error,
        404: error,
        409: ok(
          'Refused: outside the window, over the limit, an item with full marks or N/A, a dispute already open, or disputes off for the rubric',
        ),
        422: error,
      },
    },
    get: {
      summary: "A scorecard's disputes with their outcome (anyone who may see the scorecard)",
      parameters: [idParam],
      responses: { 200: ok('Disputes, newest first', page(dispute)), 404: error },
    },
  },
  '/api/v1/disputes': {
    get: {
      summary: 'Disputes of your teams or assigned to you (staff)',
      parameters: [
        { name: 'status', in: 'query', schema: { type: 'string', enum: ['open', 'upheld', 'rescored'] } },
        { name: 'from', in: 'query', schema: { type: 'string', format: 'date' } },
        { name: 'to', in: 'query', schema: { type: 'string', format: 'date' } },
        { name: 'cursor', in: 'query', schema: { type: 'string' } },
        { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 500, default: 50 } },
      ],
      responses: { 200: ok('A page of disputes', page(dispute)), 403: error, 422: error },
    },
  },
  '/api/v1/disputes/{id}': {
    get: {
      summary: 'One dispute (the CSR their own; staff their teams’ or assigned ones)',
      parameters: [idParam],
      responses: { 200: ok('The dispute', dispute), 404: error },
    },
  },
  '/api/v1/disputes/{id}/uphold': {
    post: {
      summary: 'The reviewer keeps the scores, with a reason the CSR sees',
      parameters: [idParam],
      requestBody: json({ type: 'object', required: ['reason'], properties: { reason } }),
      responses: { 200: ok('Decided: upheld', dispute), 403: error, 404: error, 409: error, 422: error },
    },
  },
  '/api/v1/disputes/{id}/rescore': {
    post: {
      summary:
        'The reviewer rescores the scorecard (a new revision; score and coaching follow; the CSR acknowledges again) and so decides the dispute',
      parameters: [idParam],
      requestBody: json({
        type: 'object',
        required: ['answers', 'reason'],
        properties: {
          answers: {
            type: 'array',
            items: { type: 'object' },
            description: 'every item, as for POST /api/v1/evaluations',
          },
          comment: { type: ['string', 'null'] },
          reason: { ...reason, description: 'why: kept with the earlier revision and shown to the CSR' },
          revision: { type: 'integer', description: 'the revision you read; a stale one gets 409' },
        },
      }),
      responses: {
        200: ok('The dispute and the rescored evaluation', {
          type: 'object',
          properties: { dispute, evaluation: { type: 'object' } },
        }),
        403: error,
        404: error,
        409: error,
        422: error,
      },
    },
  },
} as const;
