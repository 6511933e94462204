// The api room's own routes in the OpenAPI document: tokens, the caller, and the org set-up an admin scripts.
import { errors, idPathParam, jsonBody, jsonResponse } from '../lib/openapi';
import {
  apiCreateUserSchema,
  apiDepartmentSchema,
  apiPatchUserSchema,
  apiTeamSchema,
  createTokenSchema,
  departmentResponseSchema,
  healthSchema,
  meResponseSchema,
  teamResponseSchema,
  tokenCreatedSchema,
  userResponseSchema,
} from './api.schemas';

export const apiPaths = {
  '/healthz': {
    get: {
      summary: 'Process up and database reachable',
      security: [],
      responses: { 200: jsonResponse('Healthy', healthSchema) },
    },
  },
  '/api/v1/tokens': {
    post: {
      summary:
        'Create a personal access token with a username, password and, with an app code on, `totp` (throttled like the login page). 403 when the second factor is a passkey only: create the token on the profile page',
      security: [],
      requestBody: jsonBody(createTokenSchema),
      responses: { 201: jsonResponse('The token, shown once', tokenCreatedSchema), ...errors(401, 403, 415, 422, 429) },
    },
  },
  '/api/v1/tokens/{id}': {
    delete: {
      summary: 'Revoke one of your tokens',
      parameters: [idPathParam],
      responses: { 204: { description: 'Revoked' }, ...errors(404) },
    },
  },
  '/api/v1/me': {
    get: {
      summary: 'The caller, with the teams they supervise and the departments they manage',
      responses: { 200: jsonResponse('The caller', meResponseSchema), ...errors(401) },
    },
  },
  '/api/v1/departments': {
    post: {
      summary: 'Create a department (admin); manager is a username',
      requestBody: jsonBody(apiDepartmentSchema),
      responses: { 201: jsonResponse('Created', departmentResponseSchema), ...errors(403, 409, 415, 422) },
    },
  },
  '/api/v1/teams': {
    post: {
      summary: 'Create a team (admin); supervisors are usernames',
      requestBody: jsonBody(apiTeamSchema),
      responses: { 201: jsonResponse('Created', teamResponseSchema), ...errors(403, 409, 415, 422) },
    },
  },
  '/api/v1/users': {
    post: {
      summary: 'Create a user (admin)',
      requestBody: jsonBody(apiCreateUserSchema),
      responses: { 201: jsonResponse('Created', userResponseSchema), ...errors(403, 409, 415, 422) },
    },
  },
  '/api/v1/users/{id}': {
    patch: {
      summary: 'Change a user (admin): active, role, team_id, password, display_name, extension (unique: 409)',
      parameters: [idPathParam],
      requestBody: jsonBody(apiPatchUserSchema),
      responses: { 200: jsonResponse('Updated', userResponseSchema), ...errors(403, 404, 409, 415, 422) },
    },
  },
};
