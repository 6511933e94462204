import fs from 'node:fs';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import multer from 'multer';
import type { AppDeps } from '../deps';
import { errorKind } from '../lib/errors';
import { isDiskFull } from '../lib/faults';
import { PayloadTooLarge, UnsupportedMedia } from './checks';
import { RecordingStorage, type StagedFile } from './storage';

class UploadRefused extends errorKind(400, 'bad_upload') {}

/** Route guard: the request body is of this media type, else 415 with `hint`. */
export function requireType(type: string, hint: string): RequestHandler {
  return (req: Request, _res: Response, next: NextFunction) =>
    req.is(type) ? next() : next(new UnsupportedMedia(hint));
}

/** Multer streaming to disk (never memory) under generated names in the staging folder. */
export function uploader(deps: AppDeps, fields: multer.Field[]): RequestHandler {
  const maxFiles = fields.reduce((sum, f) => sum + (f.maxCount ?? 1), 0);
  const upload = multer({
    // Browsers send file names as UTF-8; multer's default would garble "Gespräch.wav".
    defParamCharset: 'utf8',
    storage: multer.diskStorage({
      destination: deps.storage.stagingDir,
      filename: (_req, _file, cb) => cb(null, RecordingStorage.newName()),
    }),
    limits: {
      fileSize: deps.config.maxUploadBytes,
      files: maxFiles,
      fields: 60,
      fieldSize: 64 * 1024,
      parts: maxFiles + 60,
    },
  }).fields(fields);
  const limitMb = Math.round(deps.config.maxUploadBytes / 1024 / 1024);
  return (req: Request, res: Response, next: NextFunction) => {
    removeStagedWhenDone(deps, req, res);
    upload(req, res, (err: unknown) => {
      if (!err) return next();
      if (err instanceof multer.MulterError) {
        if (err.code === 'LIMIT_FILE_SIZE')
          return next(new PayloadTooLarge(`The file is larger than the ${limitMb} MB limit.`));
        if (err.code === 'LIMIT_UNEXPECTED_FILE')
          return next(new UploadRefused(`Unexpected file field "${err.field ?? ''}".`));
        return next(new UploadRefused(`The upload was refused: ${err.message}.`));
      }
      // A full disk is the server's fault, not the client's: the error handler answers 507.
      next(isDiskFull(err) ? err : new UploadRefused('The upload did not arrive whole. Try again.'));
    });
  };
}

/** The upload of one call's files: at most one recording and one transcript. */
export function callFilesUploader(deps: AppDeps): RequestHandler {
  return uploader(deps, [
    { name: 'recording', maxCount: 1 },
    { name: 'transcript', maxCount: 1 },
  ]);
}

/** The call's staged recording and transcript, each if sent. */
export function stagedCallFiles(req: Request): { recording?: StagedFile; transcript?: StagedFile } {
  return { recording: stagedFile(req, 'recording'), transcript: stagedFile(req, 'transcript') };
}

/** Safety net: whatever this request staged and nobody moved is deleted once the response is over. */
function removeStagedWhenDone(deps: AppDeps, req: Request, res: Response): void {
  res.on('close', () => {
    for (const file of uploadedFiles(req)) {
      // An aborted request leaves multer's half-written entry without a name; multer removed that part file itself.
      if (!file.filename) continue;
      deps.storage
        .removeStaged(file.filename)
        .catch((err: unknown) => deps.logger.error({ err }, 'staging cleanup failed'));
    }
  });
}

function uploadedFiles(req: Request): Express.Multer.File[] {
  const files = req.files;
  if (!files) return [];
  return Array.isArray(files) ? files : Object.values(files).flat();
}

export function stagedFile(req: Request, field: string): StagedFile | undefined {
  const files = req.files as Record<string, Express.Multer.File[]> | undefined;
  const file = files?.[field]?.[0];
  return file ? toStaged(file) : undefined;
}

export function stagedFiles(req: Request, field: string): StagedFile[] {
  const files = req.files as Record<string, Express.Multer.File[]> | undefined;
  return (files?.[field] ?? []).map(toStaged);
}

function toStaged(file: Express.Multer.File): StagedFile {
  return { stagedName: file.filename, originalName: file.originalname, size: file.size };
}

/**
 * Streams a request body (a CSV sent as `text/csv`, say) into the staging folder, never into memory. The
 * caller removes the file when done with it (the start-up reconciler removes one left by a crash). Over
 * `limitBytes` is a 413 with nothing kept; a body cut short is a 400 with nothing kept.
 */
export async function stageBody(deps: AppDeps, req: Request, limitBytes: number): Promise<StagedFile> {
  const limitMb = Math.round(limitBytes / 1024 / 1024);
  const tooLarge = () => new PayloadTooLarge(`The body is larger than the ${limitMb} MB limit.`);
  if (Number(req.headers['content-length'] ?? 0) > limitBytes) throw tooLarge();
  const stagedName = RecordingStorage.newName();
  let size = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      size += chunk.length;
      callback(size > limitBytes ? tooLarge() : null, chunk);
    },
  });
  try {
    await pipeline(req, counter, fs.createWriteStream(deps.storage.stagedPath(stagedName), { flags: 'wx' }));
  } catch (err) {
    await deps.storage.removeStaged(stagedName);
    if (err instanceof PayloadTooLarge || isDiskFull(err)) throw err;
    throw new UploadRefused('The body did not arrive whole. Try again.');
  }
  return { stagedName, originalName: '', size };
}
