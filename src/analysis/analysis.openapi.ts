// The analysis routes' part of the OpenAPI document (src/api/openapi.ts assembles it), from the zod schemas.
import { errors, idPathParam, jsonResponse } from '../lib/openapi';
import { analysisResponseSchema } from './analysis.schemas';

export const analysisPaths = {
  '/api/v1/calls/{id}/analysis': {
    get: {
      summary:
        "The call's automatic analysis: state, duration, speech per side, overtalk, dead air and waveform (staff in scope)",
      parameters: [idPathParam],
      responses: { 200: jsonResponse('The analysis', analysisResponseSchema), ...errors(404) },
    },
  },
  '/api/v1/calls/{id}/waveform': {
    get: {
      summary:
        'The waveform peaks, scoped like the recording: "CSPK", version u8, channels u8 (agent first), peaks per ' +
        'second u16 LE, count u32 LE, then count × channels × (min, max) int8',
      parameters: [idPathParam],
      responses: {
        200: {
          description: 'The peaks file',
          content: { 'application/octet-stream': { schema: { type: 'string', format: 'binary' } } },
        },
        ...errors(404),
      },
    },
  },
};
