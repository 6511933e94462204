// The API's OpenAPI 3.1 description, assembled from each feature's *.openapi.ts (which take their request and
// response schemas from the zod schemas the routes use). test/api checks it against the routes the app serves
// and real answers against its response schemas.
import { analysisPaths } from '../analysis';
import { calibrationPaths } from '../calibration';
import { callPaths } from '../calls';
import { coachingPaths } from '../coaching';
import { disputePaths } from '../disputes';
import { evaluationComponents, evaluationPaths, suggestionPaths } from '../evaluations';
import { errorBodySchema, errors, jsonSchemaOf } from '../lib/openapi';
import { reportPaths } from '../reports';
import { rubricPaths } from '../rubrics';
import { settingsPaths } from '../settings';
import { trainingPaths } from '../training';
import { mfaPaths } from '../mfa';
import { webhookPaths } from '../webhooks';
import { apiPaths } from './api.openapi';

interface Operation {
  security?: unknown[];
  requestBody?: { content: Record<string, unknown> };
  responses: Record<number, unknown>;
}
type Paths = Record<string, Record<string, Operation>>;

/**
 * The answers the contract gives every route alike, said once here rather than in each feature's paths: 401
 * without credentials where they are needed, 400 for a JSON body that does not parse.
 */
function withCommonErrors(paths: Paths): Paths {
  const common = (operation: Operation) => ({
    ...operation,
    responses: {
      ...operation.responses,
      ...(operation.requestBody?.content['application/json'] ? errors(400) : {}),
      ...(operation.security ? {} : errors(401)),
    },
  });
  return Object.fromEntries(
    Object.entries(paths).map(([path, item]) => [
      path,
      Object.fromEntries(Object.entries(item).map(([method, operation]) => [method, common(operation)])),
    ]),
  );
}

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
    schemas: { Error: jsonSchemaOf(errorBodySchema, 'output'), ...evaluationComponents },
    responses: {
      Error: {
        description: 'An error',
        content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
      },
    },
  },
  paths: withCommonErrors({
    ...apiPaths,
    ...webhookPaths,
    ...callPaths,
    ...analysisPaths,
    ...rubricPaths,
    ...evaluationPaths,
    ...suggestionPaths,
    ...disputePaths,
    ...calibrationPaths,
    ...coachingPaths,
    ...trainingPaths,
    ...reportPaths,
    ...settingsPaths,
    ...mfaPaths,
  }),
};
