import { pipeline } from 'node:stream/promises';
import contentDisposition from 'content-disposition';
import type { Request, Response } from 'express';
import type { Call } from '../db/schema';
import type { AppDeps } from '../deps';
import { NotFound } from '../lib/errors';
import { S3RecordingStorage, type StoredObject } from './s3-storage';

/**
 * Streams a recording with HTTP Range support (seek anywhere without downloading the whole call), its real
 * Content-Type, private caching, and an RFC 6266 Content-Disposition carrying the original name.
 */
export async function sendRecording(deps: AppDeps, req: Request, res: Response, call: Call): Promise<void> {
  const file = call.recording_file;
  if (call.recording_status !== 'stored' || !file) {
    throw new NotFound(
      call.recording_status === 'deleted'
        ? 'This recording was deleted under the retention policy.'
        : 'This call has no recording.',
    );
  }
  const download = req.query.download === '1';
  const name = call.recording_original_name || `call-${call.id}.${file.split('.').pop()}`;
  const headers = {
    'Content-Type': call.recording_mime ?? 'application/octet-stream',
    'Cache-Control': 'private, max-age=0, must-revalidate',
    'Content-Disposition': contentDisposition(name, { type: download ? 'attachment' : 'inline' }),
  };
  const { storage } = deps;
  if (storage instanceof S3RecordingStorage) {
    const sent = await sendObject(storage, req, res, storage.key('recordings', file), headers);
    if (!sent) throw new NotFound('The recording file is missing.');
    return;
  }
  if (!(await storage.exists(file))) throw new NotFound('The recording file is missing.');
  await new Promise<void>((resolve, reject) => {
    res.sendFile(
      deps.storage.recordingPath(file),
      {
        acceptRanges: true,
        cacheControl: false,
        lastModified: true,
        dotfiles: 'deny',
        headers,
      },
      (err) => {
        if (!err) return resolve();
        // A client that stops listening mid-stream (seeking, closing the tab) is not an error.
        if ((err as NodeJS.ErrnoException).code === 'ECONNABORTED' || res.headersSent) return resolve();
        reject(err);
      },
    );
  });
}

/** Sends a waveform peaks file from the bucket; false when there is none (the caller answers 404). */
export async function sendStoredWaveform(
  storage: S3RecordingStorage,
  req: Request,
  res: Response,
  recordingFile: string,
  headers: Record<string, string>,
): Promise<boolean> {
  return sendObject(storage, req, res, storage.peaksKey(recordingFile), headers);
}

/** One `bytes=a-b`, `bytes=a-` or `bytes=-n` range is passed to the bucket; several ranges get the whole object. */
const SINGLE_RANGE = /^bytes=(\d+-\d*|-\d+)$/;

/**
 * Streams an object with its Range passed through: 206 with the bucket's Content-Range, 416 for a range past
 * the end, 200 for the whole. False when there is no such object; a storage that is away is a 503.
 */
async function sendObject(
  storage: S3RecordingStorage,
  req: Request,
  res: Response,
  key: string,
  headers: Record<string, string>,
): Promise<boolean> {
  if (req.method === 'HEAD') return sendHead(storage, res, key, headers, 200);
  const range = await rangeFor(storage, key, req.headers.range?.trim());
  let object: StoredObject | null;
  try {
    object = await storage.get(key, range);
  } catch (err) {
    // A range starting past the end: 416 with the object's size, as for a file on disk.
    if (isInvalidRange(err)) return sendHead(storage, res, key, {}, 416);
    throw err;
  }
  if (!object) return false;
  res.status(object.contentRange ? 206 : 200).set({
    ...headers,
    'Accept-Ranges': 'bytes',
    'Content-Length': String(object.contentLength),
    ...(object.contentRange ? { 'Content-Range': object.contentRange } : {}),
    ...(object.lastModified ? { 'Last-Modified': object.lastModified.toUTCString() } : {}),
    ...(object.etag ? { ETag: object.etag } : {}),
  });
  // A listener who seeks or closes the tab ends the stream early: not an error.
  await pipeline(object.body, res).catch(() => object.body.destroy());
  return true;
}

/** The one range to ask the bucket for; a suffix (`bytes=-n`) is made explicit, as not every server takes it. */
async function rangeFor(storage: S3RecordingStorage, key: string, asked: string | undefined) {
  if (!asked || !SINGLE_RANGE.test(asked)) return undefined;
  const suffix = /^bytes=-(\d+)$/.exec(asked)?.[1];
  if (suffix === undefined) return asked;
  const size = (await storage.head(key))?.size ?? 0;
  return size === 0 || Number(suffix) === 0 ? asked : `bytes=${Math.max(0, size - Number(suffix))}-${size - 1}`;
}

async function sendHead(
  storage: S3RecordingStorage,
  res: Response,
  key: string,
  headers: Record<string, string>,
  status: 200 | 416,
): Promise<boolean> {
  const head = await storage.head(key);
  if (!head) return false;
  if (status === 416) res.status(416).set('Content-Range', `bytes */${head.size}`);
  else res.status(200).set({ ...headers, 'Accept-Ranges': 'bytes', 'Content-Length': String(head.size) });
  res.end();
  return true;
}

function isInvalidRange(err: unknown): boolean {
  const e = err as { name?: unknown; $metadata?: { httpStatusCode?: number } } | null;
  return e?.name === 'InvalidRange' || e?.$metadata?.httpStatusCode === 416;
}
