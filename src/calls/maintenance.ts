import { sql } from 'kysely';
import { recordAudit } from '../audit';
import type { AppDeps } from '../deps';
import { isoNow } from '../lib/clock';
import { getSettings } from '../settings';

const STAGING_MAX_AGE_MS = 60 * 60_000;
const BATCH = 500;
/** Rows per page when the reconciler walks the calls with a recording. */
const PAGE = 2000;

export interface ReconcileReport {
  stagingRemoved: number;
  promoted: number;
  flaggedMissing: number;
  restored: number;
  orphansRemoved: number;
}

/**
 * Start-up clean-up of what a crash may have left: a row whose recording is still in staging gets it moved
 * in; a row whose file is gone is flagged (and unflagged if it comes back); staging files older than an
 * hour and recordings that no row names are deleted.
 */
export async function reconcileStorage(deps: AppDeps): Promise<ReconcileReport> {
  const report: ReconcileReport = { stagingRemoved: 0, promoted: 0, flaggedMissing: 0, restored: 0, orphansRemoved: 0 };
  const { storage, db } = deps;
  // Page through the rows and stream the folder, so memory stays flat however many recordings there are.
  const staged = new Map((await storage.listStaged()).map((f) => [f.name, f.mtimeMs]));
  for (let after = 0; ;) {
    // NOT INDEXED: walk the primary key from the last id. Through the status index SQLite would sort every
    // remaining recording again for each page (quadratic, and the sort held ~90 MB at 300,000 recordings).
    const { rows } = await sql<{ id: number; recording_file: string | null; recording_status: string | null }>`
      select id, recording_file, recording_status from calls not indexed
      where id > ${after} and recording_status in ('stored', 'missing') order by id limit ${PAGE}`.execute(db);
    for (const row of rows) {
      const file = row.recording_file!;
      const stagedName = file.split('.')[0];
      let present = storage.existsSync(file);
      if (!present && staged.has(stagedName)) {
        await storage.promote(stagedName, file);
        staged.delete(stagedName);
        report.promoted += 1;
        present = true;
      }
      if (row.recording_status === 'stored' && !present) {
        await db.updateTable('calls').set({ recording_status: 'missing' }).where('id', '=', row.id).execute();
        report.flaggedMissing += 1;
      } else if (row.recording_status === 'missing' && present) {
        await db.updateTable('calls').set({ recording_status: 'stored' }).where('id', '=', row.id).execute();
        report.restored += 1;
      }
    }
    if (rows.length < PAGE) break;
    after = rows[rows.length - 1].id;
  }
  // A recording no stored-or-missing row names is an orphan (checked a batch of names per query).
  let names: string[] = [];
  const removeOrphans = async () => {
    const named = await db
      .selectFrom('calls')
      .select('recording_file')
      .where('recording_file', 'in', names)
      .where('recording_status', 'in', ['stored', 'missing'])
      .execute();
    const known = new Set(named.map((r) => r.recording_file));
    for (const file of names) {
      if (known.has(file)) continue;
      await storage.removeRecording(file);
      report.orphansRemoved += 1;
    }
    names = [];
  };
  for await (const file of storage.iterateRecordings()) {
    names.push(file);
    if (names.length >= BATCH) await removeOrphans();
  }
  if (names.length) await removeOrphans();
  const now = deps.clock.now().getTime();
  for (const [name, mtimeMs] of staged) {
    if (now - mtimeMs < STAGING_MAX_AGE_MS) continue;
    await storage.removeStaged(name);
    report.stagingRemoved += 1;
  }
  deps.logger.info(report, 'recording storage reconciled');
  return report;
}

/** Deletes recordings older than the retention setting; the calls, transcripts and scores stay. */
export async function applyRetention(deps: AppDeps): Promise<number> {
  const { recording_retention_days: days } = await getSettings(deps.db);
  if (days <= 0) return 0;
  const cutoff = new Date(deps.clock.now().getTime() - days * 86_400_000).toISOString();
  let deleted = 0;
  for (;;) {
    const batch = await deps.db
      .selectFrom('calls')
      .select(['id', 'external_id', 'recording_file', 'started_at'])
      .where('recording_status', 'in', ['stored', 'missing'])
      .where('started_at', '<', cutoff)
      .limit(BATCH)
      .execute();
    if (batch.length === 0) break;
    const now = isoNow(deps.clock);
    await deps.db.transaction().execute(async (trx) => {
      for (const call of batch) {
        await trx
          .updateTable('calls')
          .set({ recording_status: 'deleted', recording_file: null, recording_deleted_at: now })
          .where('id', '=', call.id)
          .execute();
        await recordAudit(trx, now, {
          actorId: null,
          action: 'recording.retention_deleted',
          entityType: 'call',
          entityId: call.id,
          details: {
            external_id: call.external_id,
            file: call.recording_file,
            started_at: call.started_at,
            retention_days: days,
          },
        });
      }
    });
    for (const call of batch) if (call.recording_file) await deps.storage.removeRecording(call.recording_file);
    deleted += batch.length;
  }
  if (deleted) deps.logger.info({ deleted, days }, 'recordings past retention deleted');
  return deleted;
}
