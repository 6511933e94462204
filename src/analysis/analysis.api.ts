import { Router, type Request, type Response } from 'express';
import type { Call } from '../db/schema';
import type { AppDeps } from '../deps';
import { NotFound } from '../lib/errors';
import { idParam } from '../lib/forms';
import { S3RecordingStorage, sendStoredWaveform } from '../recordings';
import { actorOf, analysedCallOr404, visibleCallOr404 } from '../policy';
import { analysisOf } from './analysis.service';
import { analysisJson, analysisSummary } from './analysis.view';

/**
 * Sends a call's waveform peaks file (the binary "CSPK" format of ./audio/peaks.ts). It is scoped like the
 * recording it was drawn from, and goes when the recording goes.
 */
export async function sendWaveform(deps: AppDeps, req: Request, res: Response, call: Call): Promise<void> {
  const summary = analysisSummary(await analysisOf(deps, call.id), call);
  const file = call.recording_file;
  if (!summary.has_waveform || !file) throw new NotFound('This call has no waveform.');
  const headers = {
    'Content-Type': 'application/octet-stream',
    'Cache-Control': 'private, max-age=0, must-revalidate',
  };
  if (deps.storage instanceof S3RecordingStorage) {
    if (!(await sendStoredWaveform(deps.storage, req, res, file, headers)))
      throw new NotFound('This call has no waveform.');
    return;
  }
  const peaks = deps.storage.peaksPath(file);
  await new Promise<void>((resolve, reject) => {
    res.sendFile(
      peaks,
      {
        dotfiles: 'deny',
        cacheControl: false,
        headers,
      },
      (err) => {
        if (!err) return resolve();
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return reject(new NotFound('This call has no waveform.'));
        if ((err as NodeJS.ErrnoException).code === 'ECONNABORTED' || res.headersSent) return resolve();
        reject(err);
      },
    );
  });
}

/** /api/v1/calls/:id/analysis and /api/v1/calls/:id/waveform. */
export function analysisApiRoutes(deps: AppDeps): Router {
  async function show(req: Request, res: Response) {
    const call = await analysedCallOr404(deps.db, actorOf(req), idParam(req, 'call'));
    res.json(analysisJson(analysisSummary(await analysisOf(deps, call.id), call), call.id));
  }

  async function waveform(req: Request, res: Response) {
    await sendWaveform(deps, req, res, await visibleCallOr404(deps.db, actorOf(req), idParam(req, 'call')));
  }

  const router = Router();
  router.get('/:id/analysis', show);
  router.get('/:id/waveform', waveform);
  return router;
}
