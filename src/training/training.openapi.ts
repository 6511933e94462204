// The training routes' part of the OpenAPI document (src/api/openapi.ts assembles it), from the zod schemas.
import { errors, errorWhen, jsonBody, jsonResponse, queryParam } from '../lib/openapi';
import {
  bookingResponseSchema,
  bookingSchema,
  coursePageSchema,
  courseResponseSchema,
  courseSchema,
} from './training.schemas';

export const trainingPaths = {
  '/api/v1/training/courses': {
    get: {
      summary: 'The training catalog (staff)',
      parameters: [queryParam('include_retired', { type: 'string', enum: ['true', 'false'] })],
      responses: { 200: jsonResponse('Courses', coursePageSchema), ...errors(403) },
    },
    post: {
      summary: 'Add a course (manager, admin)',
      requestBody: jsonBody(courseSchema),
      responses: { 201: jsonResponse('Created', courseResponseSchema), ...errors(403, 415, 422) },
    },
  },
  '/api/v1/training/bookings': {
    post: {
      summary: "Book a course for CSRs of one of your departments, charged to that department's budget for this period",
      requestBody: jsonBody(bookingSchema),
      responses: {
        201: jsonResponse('Booked', bookingResponseSchema),
        200: jsonResponse('The same idempotency key was booked before; nothing charged twice', bookingResponseSchema),
        409: errorWhen(
          'over_budget: the booking costs more than is left and override_budget is not set; already_booked: a named CSR already holds an open seat (assigned or in progress) of this course and allow_rebook is not set (the message names them)',
        ),
        ...errors(403, 415, 422),
      },
    },
  },
};
