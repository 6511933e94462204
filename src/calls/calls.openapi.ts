// The call routes' part of the OpenAPI document (src/api/openapi.ts assembles it), from the zod schemas.
import { errors, idPathParam, jsonResponse, jsonSchemaOf, queryParams } from '../lib/openapi';
import {
  callFieldsSchema,
  callListSchema,
  callPageSchema,
  callResponseSchema,
  importSummarySchema,
  transcriptResultSchema,
} from './calls.schemas';

const callFields = jsonSchemaOf(callFieldsSchema, 'input');

const pushedCall = {
  ...callFields,
  properties: {
    recording: { type: 'string', format: 'binary', description: 'WAV, MP3, OGG/Opus, FLAC, M4A/AAC or WebM' },
    transcript: { type: 'string', format: 'binary', description: 'WebVTT or plain text' },
    ...(callFields.properties as object),
  },
};

const transcriptFile = { type: 'string', format: 'binary' };
const transcriptContent = {
  'multipart/form-data': {
    schema: { type: 'object', required: ['transcript'], properties: { transcript: transcriptFile } },
  },
  'text/vtt': { schema: { type: 'string' } },
  'application/x-subrip': { schema: { type: 'string' } },
  'text/srt': { schema: { type: 'string' } },
  'text/plain': { schema: { type: 'string' } },
  'application/json': {
    schema: {
      type: 'array',
      items: {
        type: 'object',
        required: ['speaker', 'start_s', 'end_s', 'text'],
        properties: {
          speaker: { type: 'string', description: '"agent", "customer" or a name from the Settings lists' },
          start_s: { type: 'number', minimum: 0 },
          end_s: { type: 'number', minimum: 0 },
          text: { type: 'string' },
        },
      },
    },
  },
};

export const callPaths = {
  '/api/v1/calls': {
    post: {
      summary:
        'Push a call from the phone system, with an optional recording and transcript (admin, manager, supervisor)',
      requestBody: { required: true, content: { 'multipart/form-data': { schema: pushedCall } } },
      responses: {
        201: jsonResponse('Stored', callResponseSchema),
        200: jsonResponse('The same external_id was stored before; nothing changed', callResponseSchema),
        ...errors(400, 403, 409, 413, 415, 422),
      },
    },
    get: {
      summary: 'Calls in your scope (staff)',
      parameters: queryParams(callListSchema),
      responses: { 200: jsonResponse('A page of calls', callPageSchema), ...errors(403, 422) },
    },
  },
  '/api/v1/calls/import': {
    post: {
      summary: 'Import call records without audio from an ACD export (admin, manager); idempotent on external_id',
      description:
        'UTF-8, uncompressed, at most 50 MB and 200,000 lines. Every line is checked before any call is added, then ' +
        'the good lines are added in short transactions; one import runs at a time (409 import_running). A ' +
        '200,000-line file takes about a minute on a large database; if it is cut short, send it again. ' +
        'format=asterisk reads Asterisk cdr_csv Master.csv (16, 18 or 21 columns, no header) and format=freeswitch ' +
        "mod_cdr_csv's default template: the legs of one call (linkedid, else uniqueid; FreeSWITCH bleg_uuid) " +
        "become one call answered by the person whose extension took it; times are read in the center's time " +
        'zone; bytes that are not UTF-8 in caller names do not refuse the file. Errors then name the call’s first line.',
      parameters: [
        {
          name: 'format',
          in: 'query',
          schema: { type: 'string', enum: ['callscore', 'asterisk', 'freeswitch'], default: 'callscore' },
        },
      ],
      requestBody: { required: true, content: { 'text/csv': { schema: { type: 'string' } } } },
      responses: { 200: jsonResponse('Summary', importSummarySchema), ...errors(403, 409, 413, 415, 422, 503) },
    },
  },
  '/api/v1/calls/{id}': {
    get: {
      summary: 'A call with its recording details and transcript cues',
      parameters: [idPathParam],
      responses: { 200: jsonResponse('The call', callResponseSchema), ...errors(404) },
    },
  },
  '/api/v1/calls/{id}/transcript': {
    post: {
      summary: "Give a call its transcript, replacing the earlier one (admin, manager, supervisor in the call's scope)",
      description:
        'WebVTT (speakers as <v Name> voices), SRT, JSON [{"speaker", "start_s", "end_s", "text"}] or plain text ' +
        '("Name: words" lines, untimed), UTF-8, at most 2 MB, sent as multipart/form-data (field "transcript") or ' +
        'as the raw body; the content decides the format, not the media type. Every named speaker must be on ' +
        "the agent's or the customer's list in Settings (the call's agent by name counts as agent): an unknown " +
        'name is a 422 naming it. A cue ending before it starts is a 422 naming its line; overlapping cues are ' +
        'normal two-party speech and kept. The replacement is one write: on any refusal the earlier transcript ' +
        'stays as it was. A CSR gets 404.',
      parameters: [idPathParam],
      requestBody: { required: true, content: transcriptContent },
      responses: {
        201: jsonResponse('The call had no transcript; it has this one now', transcriptResultSchema),
        200: jsonResponse('The earlier transcript was replaced', transcriptResultSchema),
        ...errors(400, 404, 413, 415, 422),
      },
    },
  },
  '/api/v1/calls/{id}/recording': {
    get: {
      summary: 'The recording, with HTTP Range support (?download=1 for an attachment)',
      parameters: [idPathParam, { name: 'download', in: 'query', schema: { type: 'string', enum: ['1'] } }],
      responses: {
        200: { description: 'The audio', content: { 'audio/*': { schema: { type: 'string', format: 'binary' } } } },
        206: { description: 'Part of the audio (Range request)' },
        ...errors(404),
        416: { description: 'Range not satisfiable' },
      },
    },
  },
};
