// The report routes' part of the OpenAPI document (src/api/openapi.ts assembles it), from the zod schemas.
import { dateBound } from '../lib/date-range';
import { errors, jsonResponse, jsonSchemaOf, queryParam } from '../lib/openapi';
import { scoreReportSchema, serviceLevelReportSchema } from './reports.schemas';

// The filter's query schema is private to filters.ts, so its parameters are described here.
const date = {
  ...jsonSchemaOf(dateBound, 'input'),
  description: `${String(dateBound.description)}; the last 30 days (scores: 90) by default`,
};
const filterParameters = [
  queryParam('from', date),
  queryParam('to', date),
  queryParam('team_id', { type: 'integer', exclusiveMinimum: 0 }),
  queryParam('agent', { type: 'string', maxLength: 64, description: 'username' }),
  queryParam('group', { type: 'string', enum: ['day', 'week'], default: 'week' }),
];

export const reportPaths = {
  '/api/v1/reports/service-level': {
    get: {
      summary: 'Service level, abandon rate, queue wait and hold time for a date range (staff, within scope)',
      parameters: [...filterParameters, queryParam('threshold_s', { type: 'integer', minimum: 1, maximum: 3600 })],
      responses: {
        200: jsonResponse(
          'Totals and per-period figures; service_level is null when no calls were offered',
          serviceLevelReportSchema,
        ),
        ...errors(403, 404, 422),
      },
    },
  },
  '/api/v1/reports/scores': {
    get: {
      summary: 'Score averages (with 95% interval), counts, pass rate and per-item failure rates (staff, within scope)',
      parameters: filterParameters,
      responses: { 200: jsonResponse('Score figures', scoreReportSchema), ...errors(403, 404, 422) },
    },
  },
};
