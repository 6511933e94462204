// The API's OpenAPI 3.1 description. test/api/openapi.test.ts checks it against the routes the app serves.
import { calibrationPaths } from '../calibration';
import { disputePaths } from '../disputes';

const error = { $ref: '#/components/responses/Error' };
const json = (schema: object) => ({ content: { 'application/json': { schema } } });
const ok = (description: string, schema: object = { type: 'object' }) => ({ description, ...json(schema) });
const idParam = { name: 'id', in: 'path', required: true, schema: { type: 'integer' } };

const user = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    username: { type: 'string' },
    display_name: { type: 'string' },
    role: { type: 'string', enum: ['admin', 'manager', 'supervisor', 'csr'] },
    team_id: { type: ['integer', 'null'] },
    active: { type: 'boolean' },
    created_at: { type: 'string', format: 'date-time' },
  },
};

const callFields = {
  external_id: { type: 'string', maxLength: 200 },
  source: { type: 'string', description: 'phone system name; external_id is unique per source', default: 'default' },
  agent: { type: 'string', description: 'username of the CSR; empty for abandoned calls' },
  team_id: { type: 'integer', description: 'for abandoned calls, the team whose queue it was' },
  queue: { type: 'string' },
  started_at: { type: 'string', format: 'date-time' },
  direction: { type: 'string', enum: ['inbound', 'outbound'] },
  category: { type: 'string' },
  queue_wait_s: { type: 'number', minimum: 0 },
  hold_s: { type: 'number', minimum: 0 },
  duration_s: { type: 'number', minimum: 0 },
  csat: { type: 'integer', minimum: 1, maximum: 5 },
  abandoned: { type: 'boolean' },
};

const call = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    ...callFields,
    agent_id: { type: ['integer', 'null'] },
    evaluated: { type: 'boolean' },
    recording_status: { type: ['string', 'null'], enum: ['stored', 'missing', 'deleted', null] },
    recording_url: { type: ['string', 'null'] },
    recording: { type: ['object', 'null'] },
    transcript: { type: ['object', 'null'] },
  },
};

const rubricItemInput = {
  type: 'object',
  required: ['prompt', 'type'],
  properties: {
    prompt: { type: 'string' },
    guidance: { type: ['string', 'null'] },
    type: { type: 'string', enum: ['yes_no', 'scale', 'choice'] },
    max: { type: 'integer', description: 'scale only: answers are 0..max' },
    points: { type: 'number', description: 'yes_no only: points for Yes (default 1)' },
    options: {
      type: 'array',
      description: 'choice only',
      items: { type: 'object', properties: { label: { type: 'string' }, points: { type: 'number' } } },
    },
    allow_na: { type: 'boolean' },
    critical: { type: 'boolean' },
    comment_required: { type: 'boolean' },
  },
};

const rubricInput = {
  type: 'object',
  required: ['name', 'sections'],
  properties: {
    name: { type: 'string' },
    description: { type: ['string', 'null'] },
    pass_threshold: { type: 'number', minimum: 0, maximum: 100, default: 75 },
    release_mode: { type: 'string', enum: ['on_submit', 'after_days', 'manual', 'never'] },
    release_after_days: { type: ['integer', 'null'] },
    disputes_enabled: { type: 'boolean', default: true, description: 'CSRs may dispute items of released scorecards' },
    dispute_limit: { type: 'integer', minimum: 1, maximum: 10, default: 2, description: 'disputes per scorecard' },
    dispute_window_days: { type: 'integer', minimum: 1, maximum: 365, default: 14, description: 'days after release' },
    dispute_reviewer: {
      type: 'string',
      enum: ['supervisor', 'manager'],
      default: 'supervisor',
      description: "a supervisor of the CSR's team other than the evaluator, or the department's manager",
    },
    sections: {
      type: 'array',
      minItems: 1,
      items: {
        type: 'object',
        required: ['title', 'items'],
        properties: {
          title: { type: 'string' },
          weight: { type: 'number', exclusiveMinimum: 0 },
          threshold: { type: ['number', 'null'] },
          items: { type: 'array', minItems: 1, items: rubricItemInput },
        },
      },
    },
  },
};

const rubric = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    version: { type: 'integer' },
    status: { type: 'string' },
    ...rubricInput.properties,
  },
};

const evaluation = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    call_id: { type: 'integer' },
    rubric_id: { type: 'integer' },
    kind: { type: 'string', enum: ['standard', 'calibration'] },
    status: { type: 'string', enum: ['draft', 'submitted', 'released', 'acknowledged'] },
    revision: { type: 'integer' },
    score: { type: ['number', 'null'] },
    raw_score: { type: ['number', 'null'] },
    passed: { type: ['boolean', 'null'] },
    critical_failed: { type: 'boolean' },
    sections: { type: 'array', items: { type: 'object' } },
    coaching_task_id: { type: ['integer', 'null'] },
  },
};

export const openApiDocument = {
  openapi: '3.1.0',
  info: {
    title: 'Callscore API',
    version: '1.0.0',
    description:
      'Call quality monitoring: push calls in, pull scores out. Authenticate with `Authorization: Bearer <token>` ' +
      '(create one on your profile page or with POST /api/v1/tokens). Errors: `{"error": {"code", "message", "details"}}`.',
  },
  servers: [{ url: '/' }],
  security: [{ bearer: [] }],
  components: {
    securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
    responses: {
      Error: ok('An error', {
        type: 'object',
        properties: {
          error: {
            type: 'object',
            properties: {
              code: { type: 'string' },
              message: { type: 'string' },
              details: {
                type: 'array',
                items: { type: 'object', properties: { path: { type: 'string' }, message: { type: 'string' } } },
              },
            },
          },
        },
      }),
    },
    schemas: { User: user },
  },
  paths: {
    '/healthz': {
      get: { summary: 'Process up and database reachable', security: [], responses: { 200: ok('Healthy') } },
    },
    '/api/v1/tokens': {
      post: {
        summary: 'Create a personal access token with a username and password (throttled like the login page)',
        security: [],
        requestBody: json({
          type: 'object',
          required: ['username', 'password', 'name'],
          properties: { username: { type: 'string' }, password: { type: 'string' }, name: { type: 'string' } },
        }),
        responses: { 201: ok('The token, shown once'), 401: error, 422: error, 429: error },
      },
    },
    '/api/v1/tokens/{id}': {
      delete: {
        summary: 'Revoke one of your tokens',
        parameters: [idParam],
        responses: { 204: { description: 'Revoked' }, 404: error },
      },
    },
    '/api/v1/me': {
      get: { summary: 'The caller', responses: { 200: ok('The caller', user), 401: error } },
    },
    '/api/v1/departments': {
      post: {
        summary: 'Create a department (admin)',
        requestBody: json({
          type: 'object',
          required: ['name'],
          properties: {
            name: { type: 'string' },
            manager: { type: 'string', description: 'username of a manager' },
            budget_cents: { type: 'integer', minimum: 0 },
            budget_period: { type: 'string', enum: ['month', 'quarter', 'year'] },
          },
        }),
        responses: { 201: ok('Created'), 403: error, 409: error, 422: error },
      },
    },
    '/api/v1/teams': {
      post: {
        summary: 'Create a team (admin)',
        requestBody: json({
          type: 'object',
          required: ['name', 'department_id'],
          properties: {
            name: { type: 'string' },
            department_id: { type: 'integer' },
            supervisors: { type: 'array', items: { type: 'string' } },
          },
        }),
        responses: { 201: ok('Created'), 403: error, 409: error, 422: error },
      },
    },
    '/api/v1/users': {
      post: {
        summary: 'Create a user (admin)',
        requestBody: json({
          type: 'object',
          required: ['username', 'display_name', 'password', 'role'],
          properties: {
            username: { type: 'string' },
            display_name: { type: 'string' },
            password: { type: 'string', minLength: 8, maxLength: 128 },
            role: { type: 'string', enum: ['admin', 'manager', 'supervisor', 'csr'] },
            team_id: { type: ['integer', 'null'] },
            department_id: { type: ['integer', 'null'] },
          },
        }),
        responses: { 201: ok('Created', user), 403: error, 409: error, 422: error },
      },
    },
    '/api/v1/calls': {
      post: {
        summary:
          'Push a call from the phone system, with an optional recording and transcript (admin, manager, supervisor)',
        requestBody: {
          content: {
            'multipart/form-data': {
              schema: {
                type: 'object',
                required: ['external_id', 'started_at'],
                properties: {
                  recording: {
                    type: 'string',
                    format: 'binary',
                    description: 'WAV, MP3, OGG/Opus, FLAC, M4A/AAC or WebM',
                  },
                  transcript: { type: 'string', format: 'binary', description: 'WebVTT or plain text' },
                  ...callFields,
                },
              },
            },
          },
        },
        responses: {
          201: ok('Stored', call),
          200: ok('The same external_id was stored before; nothing changed', call),
          400: error,
          403: error,
          409: error,
          413: error,
          415: error,
          422: error,
        },
      },
      get: {
        summary: 'Calls in your scope (staff)',
        parameters: [
          ...['agent', 'category', 'cursor'].map((name) => ({ name, in: 'query', schema: { type: 'string' } })),
          { name: 'team_id', in: 'query', schema: { type: 'integer' } },
          { name: 'from', in: 'query', schema: { type: 'string', format: 'date' } },
          { name: 'to', in: 'query', schema: { type: 'string', format: 'date' } },
          { name: 'evaluated', in: 'query', schema: { type: 'boolean' } },
          { name: 'direction', in: 'query', schema: { type: 'string', enum: ['inbound', 'outbound'] } },
          {
            name: 'sort',
            in: 'query',
            schema: { type: 'string', enum: ['started_at', 'duration_s', 'hold_s', 'queue_wait_s', 'csat'] },
          },
          { name: 'order', in: 'query', schema: { type: 'string', enum: ['asc', 'desc'] } },
          { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 500, default: 50 } },
        ],
        responses: {
          200: ok('A page of calls', {
            type: 'object',
            properties: { items: { type: 'array', items: call }, next_cursor: { type: ['string', 'null'] } },
          }),
          403: error,
          422: error,
        },
      },
    },
    '/api/v1/calls/import': {
      post: {
        summary: 'Import call records without audio from an ACD export (admin, manager); idempotent on external_id',
        description:
          'UTF-8, uncompressed, at most 50 MB and 200,000 lines. Every line is checked before any call is added, then ' +
          'the good lines are added in short transactions; one import runs at a time (409 import_running). A ' +
          '200,000-line file takes about a minute on a large database; if it is cut short, send it again.',
        requestBody: { content: { 'text/csv': { schema: { type: 'string' } } } },
        responses: {
          200: ok('Summary', {
            type: 'object',
            properties: {
              created: { type: 'integer' },
              unchanged: { type: 'integer' },
              errors: {
                type: 'array',
                items: { type: 'object', properties: { line: { type: 'integer' }, message: { type: 'string' } } },
              },
            },
          }),
          403: error,
          409: error,
          413: error,
          415: error,
          422: error,
          503: error,
        },
      },
    },
    '/api/v1/calls/{id}': {
      get: {
        summary: 'A call with its recording details and transcript cues',
        parameters: [idParam],
        responses: { 200: ok('The call', call), 404: error },
      },
    },
    '/api/v1/calls/{id}/recording': {
      get: {
        summary: 'The recording, with HTTP Range support (?download=1 for an attachment)',
        parameters: [idParam, { name: 'download', in: 'query', schema: { type: 'string', enum: ['1'] } }],
        responses: {
          200: { description: 'The audio', content: { 'audio/*': { schema: { type: 'string', format: 'binary' } } } },
          206: { description: 'Part of the audio (Range request)' },
          404: error,
          416: { description: 'Range not satisfiable' },
        },
      },
    },
    '/api/v1/rubrics': {
      post: {
        summary: 'Create a rubric as a draft (admin, manager)',
        requestBody: json(rubricInput),
        responses: { 201: ok('The draft with section and item ids', rubric), 403: error, 422: error },
      },
    },
    '/api/v1/rubrics/{id}': {
      get: {
        summary: 'A rubric version with section, item and option ids (staff)',
        parameters: [idParam],
        responses: { 200: ok('The rubric', rubric), 404: error },
      },
    },
    '/api/v1/rubrics/{id}/publish': {
      post: {
        summary: 'Publish a draft; the previously published version of the same rubric is retired',
        parameters: [idParam],
        responses: { 200: ok('Published', rubric), 403: error, 404: error, 409: error },
      },
    },
    '/api/v1/evaluations': {
      post: {
        summary: 'Score a call (supervisor, manager, admin): saves your draft for this call and rubric, or submits it',
        requestBody: json({
          type: 'object',
          required: ['call_id', 'rubric_id'],
          properties: {
            call_id: { type: 'integer' },
            rubric_id: { type: 'integer' },
            answers: {
              type: 'array',
              items: {
                type: 'object',
                required: ['item_id', 'value'],
                properties: {
                  item_id: { type: 'integer' },
                  value: {
                    description: '"yes", "no", "na", a scale number, or a choice option id',
                    oneOf: [{ type: 'string' }, { type: 'integer' }],
                  },
                  comment: { type: ['string', 'null'] },
                  at_s: { type: ['number', 'null'], description: 'moment in the recording, seconds' },
                },
              },
            },
            comment: { type: ['string', 'null'] },
            submit: { type: 'boolean', default: false },
            revision: { type: 'integer', description: 'the revision you read; a stale one gets 409' },
          },
        }),
        responses: {
          201: ok(
            'The evaluation with score, raw_score, passed, critical_failed, sections, status, coaching_task_id',
            evaluation,
          ),
          403: error,
          404: error,
          409: error,
          422: error,
        },
      },
      get: {
        summary: 'Evaluations in your scope; a CSR sees only their own released ones',
        parameters: [
          { name: 'agent', in: 'query', schema: { type: 'string' } },
          {
            name: 'status',
            in: 'query',
            schema: { type: 'string', enum: ['draft', 'submitted', 'released', 'acknowledged'] },
          },
          { name: 'rubric_id', in: 'query', schema: { type: 'integer' } },
          { name: 'from', in: 'query', schema: { type: 'string', format: 'date' } },
          { name: 'to', in: 'query', schema: { type: 'string', format: 'date' } },
          { name: 'cursor', in: 'query', schema: { type: 'string' } },
          { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 500 } },
        ],
        responses: {
          200: ok('A page of evaluations', {
            type: 'object',
            properties: { items: { type: 'array', items: evaluation }, next_cursor: { type: ['string', 'null'] } },
          }),
          422: error,
        },
      },
    },
    '/api/v1/evaluations/{id}': {
      get: {
        summary: 'One evaluation with its answers',
        parameters: [idParam],
        responses: { 200: ok('The evaluation', evaluation), 404: error },
      },
    },
    '/api/v1/evaluations/{id}/release': {
      post: {
        summary: 'Release a submitted evaluation to the CSR',
        parameters: [idParam],
        responses: { 200: ok('Released', evaluation), 403: error, 404: error, 409: error },
      },
    },
    '/api/v1/evaluations/{id}/acknowledge': {
      post: {
        summary: 'The evaluated CSR acknowledges a released scorecard',
        parameters: [idParam],
        requestBody: json({ type: 'object', properties: { comment: { type: ['string', 'null'] } } }),
        responses: { 200: ok('Acknowledged', evaluation), 403: error, 404: error, 409: error },
      },
    },
    ...disputePaths,
    ...calibrationPaths,
    '/api/v1/coaching-tasks': {
      get: {
        summary: 'Coaching tasks in your scope (a CSR: their own)',
        parameters: [
          {
            name: 'status',
            in: 'query',
            schema: { type: 'string', enum: ['open', 'scheduled', 'completed', 'acknowledged', 'cancelled'] },
          },
          { name: 'overdue', in: 'query', schema: { type: 'boolean' } },
          { name: 'cursor', in: 'query', schema: { type: 'string' } },
          { name: 'limit', in: 'query', schema: { type: 'integer' } },
        ],
        responses: { 200: ok('A page of coaching tasks') },
      },
    },
    '/api/v1/coaching-tasks/{id}': {
      get: { summary: 'One coaching task', parameters: [idParam], responses: { 200: ok('The task'), 404: error } },
      patch: {
        summary: 'Schedule (supervisor), complete with notes (supervisor), or acknowledge (the CSR)',
        parameters: [idParam],
        requestBody: json({
          oneOf: [
            {
              type: 'object',
              required: ['action', 'scheduled_at'],
              properties: { action: { const: 'schedule' }, scheduled_at: { type: 'string', format: 'date-time' } },
            },
            {
              type: 'object',
              required: ['action', 'notes'],
              properties: { action: { const: 'complete' }, notes: { type: 'string' }, actions: { type: 'string' } },
            },
            { type: 'object', required: ['action'], properties: { action: { const: 'acknowledge' } } },
          ],
        }),
        responses: { 200: ok('Updated'), 403: error, 404: error, 409: error, 422: error },
      },
    },
    '/api/v1/training/courses': {
      get: {
        summary: 'The training catalog (staff); ?include_retired=true for retired courses too',
        responses: { 200: ok('Courses') },
      },
      post: {
        summary: 'Add a course (manager, admin)',
        requestBody: json({
          type: 'object',
          required: ['title', 'cost_cents'],
          properties: {
            title: { type: 'string' },
            description: { type: ['string', 'null'] },
            provider: { type: ['string', 'null'] },
            duration_minutes: { type: ['integer', 'null'] },
            cost_cents: { type: 'integer', minimum: 0 },
            group_rule: {
              oneOf: [
                { type: 'null' },
                {
                  type: 'object',
                  required: ['type', 'n'],
                  properties: { type: { const: 'every_n_free' }, n: { type: 'integer', minimum: 2 } },
                },
                {
                  type: 'object',
                  required: ['type', 'min_seats', 'percent'],
                  properties: {
                    type: { const: 'percent_off' },
                    min_seats: { type: 'integer', minimum: 1 },
                    percent: { type: 'number', exclusiveMinimum: 0, maximum: 100 },
                  },
                },
              ],
            },
          },
        }),
        responses: { 201: ok('Created'), 403: error, 422: error },
      },
    },
    '/api/v1/training/bookings': {
      post: {
        summary:
          "Book a course for CSRs of one of your departments, charged to that department's budget for this period",
        requestBody: json({
          type: 'object',
          required: ['course_id', 'agents', 'due_at'],
          properties: {
            course_id: { type: 'integer' },
            agents: { type: 'array', items: { type: 'string' }, description: 'usernames' },
            due_at: { type: 'string', description: 'a date (2026-12-31) or date-time, not in the past' },
            override_budget: { type: 'boolean', default: false },
            idempotency_key: {
              type: 'string',
              description: 'the same key again returns the first booking: no double charge',
            },
          },
        }),
        responses: {
          201: ok('Booked', {
            type: 'object',
            properties: {
              id: { type: 'integer' },
              seats: { type: 'integer' },
              free_seats: { type: 'integer' },
              price_per_seat_cents: { type: 'integer' },
              total_cents: { type: 'integer' },
              budget_left_cents: { type: 'integer' },
              over_budget: { type: 'boolean' },
            },
          }),
          200: ok('The same idempotency key was booked before; nothing charged twice'),
          403: error,
          409: error,
          422: error,
        },
      },
    },
    '/api/v1/reports/service-level': {
      get: {
        summary: 'Service level, abandon rate, queue wait and hold time for a date range (staff, within scope)',
        parameters: [
          { name: 'from', in: 'query', schema: { type: 'string', format: 'date' } },
          { name: 'to', in: 'query', schema: { type: 'string', format: 'date' } },
          { name: 'team_id', in: 'query', schema: { type: 'integer' } },
          { name: 'agent', in: 'query', schema: { type: 'string' } },
          { name: 'threshold_s', in: 'query', schema: { type: 'integer' } },
          { name: 'group', in: 'query', schema: { type: 'string', enum: ['day', 'week'] } },
        ],
        responses: {
          200: ok('Totals and per-period figures; service_level is null when no calls were offered', {
            type: 'object',
            properties: {
              offered: { type: 'integer' },
              answered_within: { type: 'integer' },
              abandoned: { type: 'integer' },
              service_level: { type: ['number', 'null'] },
              target: { type: 'number' },
              avg_hold_s: { type: ['number', 'null'] },
            },
          }),
          404: error,
          422: error,
        },
      },
    },
    '/api/v1/reports/scores': {
      get: {
        summary:
          'Score averages (with 95% interval), counts, pass rate and per-item failure rates (staff, within scope)',
        parameters: [
          { name: 'from', in: 'query', schema: { type: 'string', format: 'date' } },
          { name: 'to', in: 'query', schema: { type: 'string', format: 'date' } },
          { name: 'team_id', in: 'query', schema: { type: 'integer' } },
          { name: 'agent', in: 'query', schema: { type: 'string' } },
        ],
        responses: { 200: ok('Score figures'), 404: error, 422: error },
      },
    },
    '/api/v1/users/{id}': {
      patch: {
        summary: 'Change a user (admin): active, role, team_id, password, display_name',
        parameters: [idParam],
        requestBody: json({
          type: 'object',
          properties: {
            active: { type: 'boolean' },
            role: { type: 'string', enum: ['admin', 'manager', 'supervisor', 'csr'] },
            team_id: { type: ['integer', 'null'] },
            password: { type: 'string' },
            display_name: { type: 'string' },
          },
        }),
        responses: { 200: ok('Updated', user), 403: error, 404: error, 409: error, 422: error },
      },
    },
  },
} as const;
