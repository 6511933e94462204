import request from 'supertest';
import type { Express } from 'express';

// The served OpenAPI document as the tests read it.

export type Schema = Record<string, unknown>;

export interface Operation {
  parameters?: Array<{ name: string; in: string; schema: Schema }>;
  requestBody?: { content: Record<string, { schema: Schema }> };
  responses: Record<string, { $ref?: string; content?: Record<string, { schema: Schema }> }>;
}

export interface OpenApi {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, Schema>; responses: Record<string, Schema> };
}

export async function servedDocument(app: Express): Promise<OpenApi> {
  const res = await request(app).get('/api/openapi.json');
  if (res.status !== 200) throw new Error(`GET /api/openapi.json: ${res.status}`);
  return res.body as OpenApi;
}

export function operationOf(doc: OpenApi, method: string, path: string): Operation {
  const found = doc.paths[path]?.[method];
  if (!found) throw new Error(`${method} ${path} is not in the document`);
  return found;
}
