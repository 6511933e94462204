// GET /api/v1/reports/auto-qa in the OpenAPI document (spread into reportPaths).
import { errors, jsonResponse, queryParams } from '../lib/openapi';
import { autoQaQuerySchema, autoQaReportSchema } from './auto-qa.schemas';

export const autoQaPaths = {
  '/api/v1/reports/auto-qa': {
    get: {
      summary:
        "Automatic answers: coverage over analysed calls and each rule's accuracy against people (staff, within scope)",
      parameters: queryParams(autoQaQuerySchema),
      responses: {
        200: jsonResponse('Calls, analysed calls and per ruled item figures', autoQaReportSchema),
        ...errors(403, 404, 422),
      },
    },
  },
};
