// The calibration routes' part of the OpenAPI document (src/api/openapi.ts spreads it into its paths).

const error = { $ref: '#/components/responses/Error' };
const json = (schema: object) => ({ content: { 'application/json': { schema } } });
const ok = (description: string, schema: object = { type: 'object' }) => ({ description, ...json(schema) });
const idParam = { name: 'id', in: 'path', required: true, schema: { type: 'integer' } };

const session = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    title: { type: 'string' },
    call_id: { type: 'integer' },
    rubric_id: { type: 'integer' },
    status: { type: 'string', enum: ['open', 'closed'] },
    blind_until: { type: 'string', enum: ['submitted', 'closed'] },
    expert_id: { type: ['integer', 'null'] },
    participants: { type: 'array', items: { type: 'object' } },
    own_evaluation_id: { type: ['integer', 'null'] },
    results_visible: { type: 'boolean', description: "false while the session's blindness hides others' answers" },
    results: {
      type: ['object', 'null'],
      description:
        'scores and deviations from the reference (expert, else mean), item-by-item answers and agreement, Krippendorff’s alpha (nominal)',
      properties: {
        reference: { type: ['object', 'null'] },
        evaluators: { type: 'array', items: { type: 'object' } },
        items: { type: 'array', items: { type: 'object' } },
        alpha: { type: ['number', 'null'] },
        alpha_band: { type: 'string', enum: ['reliable', 'tentative', 'unreliable', 'undefined'] },
        alpha_reading: { type: 'string' },
      },
    },
  },
};

export const calibrationPaths = {
  '/api/v1/calibration-sessions': {
    get: {
      summary: 'Calibration sessions you run, score in, or that are on calls of your teams (staff)',
      parameters: [
        { name: 'status', in: 'query', schema: { type: 'string', enum: ['open', 'closed'] } },
        { name: 'cursor', in: 'query', schema: { type: 'string' } },
        { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 500, default: 50 } },
      ],
      responses: { 200: ok('A page of sessions'), 403: error, 422: error },
    },
    post: {
      summary: 'Open a calibration session on a call of your teams and a published rubric (staff)',
      requestBody: json({
        type: 'object',
        required: ['call_id', 'rubric_id', 'evaluator_ids'],
        properties: {
          call_id: { type: 'integer' },
          rubric_id: { type: 'integer' },
          evaluator_ids: {
            type: 'array',
            minItems: 2,
            items: { type: 'integer' },
            description: 'staff you may invite',
          },
          expert_id: { type: ['integer', 'null'], description: 'whose scorecard is the reference' },
          blind_until: { type: 'string', enum: ['submitted', 'closed'], default: 'submitted' },
          title: { type: 'string', maxLength: 120 },
        },
      }),
      responses: { 201: ok('Opened', session), 403: error, 404: error, 422: error },
    },
  },
  '/api/v1/calibration-sessions/{id}': {
    get: {
      summary: "A session with its results, as far as its blindness lets you see others' answers",
      parameters: [idParam],
      responses: { 200: ok('The session', session), 403: error, 404: error },
    },
  },
  '/api/v1/calibration-sessions/{id}/close': {
    post: {
      summary: 'Close a session (organiser, manager over the team, admin): all answers become visible',
      parameters: [idParam],
      responses: { 200: ok('Closed', session), 403: error, 404: error, 409: error },
    },
  },
} as const;
