// The report routes' part of the OpenAPI document (src/api/openapi.ts assembles it), from the zod schemas.
import { errors, jsonResponse, queryParams } from '../lib/openapi';
import { autoQaPaths } from './auto-qa.openapi';
import { reportQuerySchema, scoreReportSchema, serviceLevelReportSchema } from './reports.schemas';

// The scores take every filter but the service-level threshold.
const scoreParameters = queryParams(reportQuerySchema.omit({ threshold_s: true }));

export const reportPaths = {
  ...autoQaPaths,
  '/api/v1/reports/service-level': {
    get: {
      summary: 'Service level, abandon rate, queue wait and hold time for a date range (staff, within scope)',
      parameters: queryParams(reportQuerySchema),
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
      parameters: scoreParameters,
      responses: { 200: jsonResponse('Score figures', scoreReportSchema), ...errors(403, 404, 422) },
    },
  },
};
