import { z } from 'zod';

// Building blocks for the OpenAPI 3.1 document: each feature's *.openapi.ts describes its routes with these,
// taking request and response schemas from its zod schemas so the document cannot drift from the code.

export type JsonSchema = Record<string, unknown>;

/** The JSON Schema (2020-12, OpenAPI 3.1's dialect) of a zod schema as the API reads it or writes it. */
export function jsonSchemaOf(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { io });
  return rest;
}

/** Any error answer: `{"error": {"code", "message", "details"}}` (components.responses.Error). */
export const errorResponse = { $ref: '#/components/responses/Error' } as const;

/** The same answer for each of the given statuses. */
export function errors(...statuses: number[]): Record<number, typeof errorResponse> {
  return Object.fromEntries(statuses.map((status) => [status, errorResponse]));
}

/** An error answer with its own description of when it happens. */
export function errorWhen(description: string) {
  return { description, content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } };
}

/** A JSON request body read with a zod schema. */
export function jsonBody(schema: z.ZodType) {
  return { required: true, content: { 'application/json': { schema: jsonSchemaOf(schema, 'input') } } };
}

/** A JSON answer written in the shape of a zod schema; without one, any object. */
export function jsonResponse(description: string, schema?: z.ZodType) {
  const body = schema ? jsonSchemaOf(schema, 'output') : { type: 'object' };
  return { description, content: { 'application/json': { schema: body } } };
}

/** The `{id}` path parameter every "/…/{id}" route takes. */
export const idPathParam = { name: 'id', in: 'path', required: true, schema: { type: 'integer', minimum: 1 } };

/** A query parameter per field of a zod object schema, as the route reads req.query with it. */
export function queryParams(schema: z.ZodObject) {
  const objectSchema = jsonSchemaOf(schema, 'input');
  const properties = (objectSchema.properties ?? {}) as Record<string, JsonSchema>;
  const required = new Set((objectSchema.required ?? []) as string[]);
  return Object.entries(properties).map(([name, property]) => ({
    name,
    in: 'query',
    ...(required.has(name) ? { required: true } : {}),
    schema: property,
  }));
}

/** One query parameter described by hand (for routes whose query schema is not shared). */
export function queryParam(name: string, schema: JsonSchema) {
  return { name, in: 'query', schema };
}

/** An ISO-8601 UTC timestamp as the API writes it. */
export const timestamp = z.iso.datetime();

/** The list answer of every paged route: `{"items": [...], "next_cursor": "…" | null}`. */
export function pageOf<T extends z.ZodType>(item: T) {
  return z.object({ items: z.array(item), next_cursor: z.string().nullable() });
}

/** The error body every failing route answers with. */
export const errorBodySchema = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    details: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  }),
});
