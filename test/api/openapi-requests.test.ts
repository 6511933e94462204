import { z } from 'zod';
import {
  apiCreateUserSchema,
  apiDepartmentSchema,
  apiPatchUserSchema,
  apiTeamSchema,
  createTokenSchema,
} from '../../src/api/api.schemas';
import { newSessionSchema, sessionListSchema } from '../../src/calibration/calibration.schemas';
import { callFieldsSchema, callListSchema } from '../../src/calls/calls.schemas';
import { coachingChangeSchema } from '../../src/coaching/coaching.service';
import { disputeListSchema, openDisputeSchema, upholdSchema } from '../../src/disputes/disputes.schemas';
import {
  acknowledgeSchema,
  createEvaluationSchema,
  evaluationListSchema,
  rescoreSchema,
} from '../../src/evaluations/evaluations.schemas';
import { rubricSchema } from '../../src/rubrics/rubrics.schemas';
import { bookingSchema, courseSchema } from '../../src/training/training.schemas';
import { createToken } from '../../src/profile/tokens.service';
import { makeTestApp, type TestContext } from '../helpers/app';
import { buildUser } from '../helpers/builders';
import { api, type Api } from '../helpers/scoring';
import { operationOf, servedDocument, type OpenApi, type Schema } from './openapi-doc';

// The OpenAPI document is generated from the zod schemas the routes use: its request bodies and list queries
// are those schemas' JSON Schema, so the two cannot drift apart.

let ctx: TestContext;
let doc: OpenApi;
let admin: Api;

beforeAll(async () => {
  ctx = makeTestApp();
  doc = await servedDocument(ctx.app);
  const user = await buildUser(ctx.deps, 'admin');
  admin = api(ctx.app, (await createToken(ctx.deps, user.id, { name: 'openapi requests test' })).token);
});
afterAll(async () => ctx.close());

/** What z.toJSONSchema makes of a schema read from a request, without the dialect line. */
function inputJsonSchema(schema: z.ZodType): Schema {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { io: 'input' });
  return rest;
}

const operation = (method: string, path: string) => operationOf(doc, method, path);

describe('request schemas in the document are the zod schemas the routes parse with', () => {
  test.each<[string, string, z.ZodType]>([
    ['post', '/api/v1/tokens', createTokenSchema],
    ['post', '/api/v1/departments', apiDepartmentSchema],
    ['post', '/api/v1/teams', apiTeamSchema],
    ['post', '/api/v1/users', apiCreateUserSchema],
    ['patch', '/api/v1/users/{id}', apiPatchUserSchema],
    ['post', '/api/v1/rubrics', rubricSchema],
    ['post', '/api/v1/evaluations', createEvaluationSchema],
    ['post', '/api/v1/evaluations/{id}/acknowledge', acknowledgeSchema],
    ['post', '/api/v1/evaluations/{id}/disputes', openDisputeSchema],
    ['post', '/api/v1/disputes/{id}/uphold', upholdSchema],
    ['post', '/api/v1/calibration-sessions', newSessionSchema],
    ['patch', '/api/v1/coaching-tasks/{id}', coachingChangeSchema],
    ['post', '/api/v1/training/courses', courseSchema],
    ['post', '/api/v1/training/bookings', bookingSchema],
  ])('%s %s', (method, path, schema) => {
    const body = operation(method, path).requestBody?.content['application/json']?.schema;
    expect(body).toEqual(inputJsonSchema(schema));
  });

  test('the dispute rescore body is the scorecard rescore schema, by reference', () => {
    const body = operation('post', '/api/v1/disputes/{id}/rescore').requestBody?.content['application/json'];
    expect(body?.schema).toEqual({ $ref: '#/components/schemas/Rescore' });
    expect(doc.components.schemas.Rescore).toEqual(inputJsonSchema(rescoreSchema));
  });

  test("a pushed call's form fields are the call fields schema, beside the two files", () => {
    const form = operation('post', '/api/v1/calls').requestBody?.content['multipart/form-data']?.schema ?? {};
    const fields = inputJsonSchema(callFieldsSchema);
    const { recording, transcript, ...rest } = form.properties as Record<string, Schema>;
    expect(rest).toEqual(fields.properties);
    expect(form.required).toEqual(fields.required);
    expect([recording?.format, transcript?.format]).toEqual(['binary', 'binary']);
  });

  test.each<[string, z.ZodObject]>([
    ['/api/v1/calls', callListSchema],
    ['/api/v1/evaluations', evaluationListSchema],
    ['/api/v1/disputes', disputeListSchema],
    ['/api/v1/calibration-sessions', sessionListSchema],
  ])('the query parameters of GET %s are its list schema', (path, schema) => {
    const properties = inputJsonSchema(schema).properties as Record<string, Schema>;
    const parameters = operation('get', path).parameters ?? [];
    expect(parameters.map((p) => [p.name, p.in, p.schema])).toEqual(
      Object.entries(properties).map(([name, property]) => [name, 'query', property]),
    );
  });
});

// Two lists read their query with a schema private to their room, so their parameters are described by hand:
// the routes must take every value the document offers, and refuse one it does not.
describe('hand-described query parameters are the ones the routes take', () => {
  test.each([
    ['/api/v1/coaching-tasks', 'status'],
    ['/api/v1/coaching-tasks', 'overdue'],
    ['/api/v1/reports/service-level', 'group'],
    ['/api/v1/reports/scores', 'group'],
  ])('GET %s ?%s=', async (path, name) => {
    const parameter = operation('get', path).parameters?.find((p) => p.name === name);
    const values = (parameter?.schema.enum ?? []) as string[];
    expect(values.length).toBeGreaterThan(0);
    for (const value of values) expect((await admin.get(`${path}?${name}=${value}`)).status).toBe(200);
    expect((await admin.get(`${path}?${name}=not-documented`)).status).toBe(422);
  });

  test('the report filters and the coaching list take every documented parameter together', async () => {
    const coaching = 'status=open&overdue=true&cursor=5&limit=500';
    expect((await admin.get(`/api/v1/coaching-tasks?${coaching}`)).status).toBe(200);
    const filter = 'from=2026-11-01&to=2026-11-30&group=day';
    expect((await admin.get(`/api/v1/reports/scores?${filter}`)).status).toBe(200);
    expect((await admin.get(`/api/v1/reports/service-level?${filter}&threshold_s=3600`)).status).toBe(200);
    expect((await admin.get(`/api/v1/reports/service-level?threshold_s=3601`)).status).toBe(422);
    expect((await admin.get(`/api/v1/coaching-tasks?limit=501`)).status).toBe(422);
  });
});
