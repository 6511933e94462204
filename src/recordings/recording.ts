import contentDisposition from 'content-disposition';
import type { Request, Response } from 'express';
import type { Call } from '../db/schema';
import type { AppDeps } from '../deps';
import { NotFound } from '../lib/errors';

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
  if (!(await deps.storage.exists(file))) throw new NotFound('The recording file is missing.');
  const download = req.query.download === '1';
  const name = call.recording_original_name || `call-${call.id}.${file.split('.').pop()}`;
  await new Promise<void>((resolve, reject) => {
    res.sendFile(
      deps.storage.recordingPath(file),
      {
        acceptRanges: true,
        cacheControl: false,
        lastModified: true,
        dotfiles: 'deny',
        headers: {
          'Content-Type': call.recording_mime ?? 'application/octet-stream',
          'Cache-Control': 'private, max-age=0, must-revalidate',
          'Content-Disposition': contentDisposition(name, { type: download ? 'attachment' : 'inline' }),
        },
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
