// The API's OpenAPI 3.1 description. test/api/openapi.test.ts checks it against the routes the app serves.

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
