import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { Call } from '../db/schema';
import type { AppDeps } from '../deps';
import { AppError, NotFound, Validation } from '../lib/errors';
import type { FormAgain } from '../lib/form-again';
import { idParam } from '../lib/forms';
import { clientIp, flash } from '../lib/http';
import { actorOf, mayReplaceTranscript, visibleCallOr404 } from '../policy';
import {
  MAX_TRANSCRIPT_BYTES,
  stageBody,
  stagedFile,
  uploader,
  UnsupportedMedia,
  type StagedFile,
} from '../recordings';
import { replaceTranscript } from './transcript.service';

/** The media types a transcript may be sent as a raw body; the content, not the type, decides the format. */
export const TRANSCRIPT_MEDIA_TYPES = [
  'text/vtt',
  'application/x-subrip',
  'text/srt',
  'application/json',
  'text/plain',
] as const;

/** The request path of a transcript upload, whose JSON body the app's JSON parser leaves alone. */
export const TRANSCRIPT_PATH = /^\/api\/v1\/calls\/[^/?]+\/transcript\/?(?:\?|$)/;

const CALL = Symbol('call');
type WithCall = Request & { [CALL]?: Call };

/** Loads the call first (404 for a CSR, or out of scope), so nothing is read from a request refused anyway. */
export function transcriptCallLoader(deps: AppDeps): RequestHandler {
  return async (req: Request, _res: Response, next: NextFunction) => {
    if (!mayReplaceTranscript(actorOf(req))) throw new NotFound('No such call.');
    (req as WithCall)[CALL] = await visibleCallOr404(deps.db, actorOf(req), idParam(req, 'call'));
    next();
  };
}

function loadedCall(req: Request): Call {
  const call = (req as WithCall)[CALL];
  if (!call) throw new Error('transcriptCallLoader did not run before this handler.');
  return call;
}

/** Multer for a multipart upload (field `transcript`); any other body is left for the handler. */
export function transcriptMultipart(deps: AppDeps): RequestHandler {
  const upload = uploader(deps, [{ name: 'transcript', maxCount: 1 }]);
  return (req, res, next) => (req.is('multipart/form-data') ? upload(req, res, next) : next());
}

/** The transcript sent: the multipart file, or the raw body of one of TRANSCRIPT_MEDIA_TYPES (else 415). */
async function stagedTranscript(deps: AppDeps, req: Request): Promise<StagedFile> {
  if (req.is('multipart/form-data')) {
    const file = stagedFile(req, 'transcript');
    if (!file) throw new Validation([{ path: 'transcript', message: 'Choose a transcript file to upload.' }]);
    return file;
  }
  if (!req.is([...TRANSCRIPT_MEDIA_TYPES])) {
    throw new UnsupportedMedia(
      `Send the transcript as multipart/form-data (field "transcript") or as a body of type ${TRANSCRIPT_MEDIA_TYPES.join(', ')}.`,
    );
  }
  const encoding = req.headers['content-encoding'];
  if (encoding && encoding !== 'identity') throw new UnsupportedMedia('Send the transcript uncompressed.');
  return stageBody(deps, req, MAX_TRANSCRIPT_BYTES);
}

/** POST /api/v1/calls/:id/transcript: 201 with the first transcript, 200 when it replaced one. */
export function transcriptApiHandler(deps: AppDeps) {
  return async (req: Request, res: Response) => {
    const call = loadedCall(req);
    const staged = await stagedTranscript(deps, req);
    const result = await replaceTranscript(deps, actorOf(req), call, staged, clientIp(req));
    res.status(result.replaced ? 200 : 201).json(result);
  };
}

type CallPageRenderer = (req: Request, res: Response, again: Omit<FormAgain, 'values'>) => Promise<void>;

/** The call page's upload: the same replacement; a refusal shows the call page again with the reason. */
export function transcriptPageHandler(deps: AppDeps, renderCallPage: CallPageRenderer) {
  return async (req: Request, res: Response) => {
    try {
      const staged = await stagedTranscript(deps, req);
      const result = await replaceTranscript(deps, actorOf(req), loadedCall(req), staged, clientIp(req));
      const lines = `${result.cues} line${result.cues === 1 ? '' : 's'}`;
      flash(req, 'success', result.replaced ? `Transcript replaced (${lines}).` : `Transcript added (${lines}).`);
      res.redirect(303, `/calls/${result.call_id}`);
    } catch (err) {
      if (!(err instanceof AppError) || err.status >= 500) throw err;
      const message = err instanceof Validation ? (err.details[0]?.message ?? err.message) : err.message;
      await renderCallPage(req, res, { status: err.status, errors: { transcript: message } });
    }
  };
}
