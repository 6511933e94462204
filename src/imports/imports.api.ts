import contentType from 'content-type';
import { Router, type Request, type Response } from 'express';
import { callRecordsApiRoutes } from '../calls';
import type { AppDeps } from '../deps';
import { clientIp } from '../lib/http';
import { actorOf, requireRole } from '../policy';
import { requireType, stageBody, UnsupportedMedia } from '../recordings';
import { MAX_CSV_BYTES } from './bulk.service';
import { importCallsFile, type ImportSummary } from './import.service';
import { importFormatOf } from './sources';
import { Validation } from '../lib/errors';

const CSV_CHARSETS = ['utf-8', 'utf8', 'us-ascii'];

/** The CSV body's charset must be one the import reads (UTF-8 or its ASCII subset), and it must come uncompressed. */
function checkCsvBody(req: Request): void {
  const encoding = req.headers['content-encoding'];
  if (encoding && encoding !== 'identity') throw new UnsupportedMedia('Send the CSV uncompressed.');
  let charset: string | undefined;
  try {
    charset = contentType.parse(req).parameters.charset?.toLowerCase();
  } catch {
    throw new UnsupportedMedia('Send the CSV with Content-Type: text/csv.');
  }
  if (charset && !CSV_CHARSETS.includes(charset)) throw new UnsupportedMedia('Send the CSV as UTF-8.');
}

/** /api/v1/calls: the calls room's push and reads, and the ACD import as POST /import. */
export function callsApiRoutes(deps: AppDeps): Router {
  async function importCsv(req: Request, res: Response) {
    const format = importFormatOf(req.query.format);
    if (!format) {
      const message = 'format must be callscore, asterisk or freeswitch.';
      throw new Validation([{ path: 'format', message }], message);
    }
    // A phone system's file is read whatever its charset: only ASCII fields matter and odd bytes are kept out.
    if (format === 'callscore') checkCsvBody(req);
    const release = await deps.imports.acquire(deps);
    let summary: ImportSummary;
    try {
      const staged = await stageBody(deps, req, MAX_CSV_BYTES);
      try {
        const file = deps.storage.stagedPath(staged.stagedName);
        summary = await importCallsFile(deps, actorOf(req), file, {
          ip: clientIp(req),
          signal: deps.imports.signal,
          format,
        });
      } finally {
        // Kept until the import is over, even if the client has gone: both passes read it.
        await deps.storage.removeStaged(staged.stagedName);
      }
    } finally {
      // Before answering, so the client's next import is not refused as running.
      await release();
    }
    res.json(summary);
  }

  const router = Router();
  const csvBody = requireType('text/csv', 'Send the CSV with Content-Type: text/csv.');
  router.post('/import', requireRole('admin', 'manager'), csvBody, importCsv);
  router.use(callRecordsApiRoutes(deps));
  return router;
}
