import { sql } from 'kysely';
import type { AnalysisStatus, CallAnalysis } from '../db/schema';
import { engineOf } from '../db/dialect';
import type { Executor } from '../db/transaction';

/**
 * Queues a call's analysis; a call already queued or analysed keeps its row (no duplicate jobs). Returns
 * whether a job was added.
 */
export async function insertJob(db: Executor, callId: number, now: string): Promise<boolean> {
  const row = await db
    .insertInto('call_analyses')
    .values({ call_id: callId, status: 'pending', enqueued_at: now, run_after: now })
    .onConflict((oc) => oc.column('call_id').doNothing())
    .returning('call_id')
    .executeTakeFirst();
  return row !== undefined;
}

/**
 * The next job due: a pending one whose time has come, or a running one whose lease ran out (a crashed run). On
 * PostgreSQL the row is locked for the claiming transaction and rows other processes are claiming are skipped,
 * so two processes never take the same job.
 */
export async function nextDueJob(db: Executor, now: string) {
  return db
    .selectFrom('call_analyses')
    .select(['call_id', 'status', 'attempts', 'started_at'])
    .where((eb) =>
      eb.or([
        eb.and([eb('status', '=', 'pending'), eb('run_after', '<=', now)]),
        eb.and([eb('status', '=', 'running'), eb('lease_until', '<', now)]),
      ]),
    )
    .orderBy('run_after')
    .orderBy('call_id')
    .limit(1)
    .$if(engineOf(db) === 'postgres', (qb) => qb.forUpdate().skipLocked())
    .executeTakeFirst();
}

/** Takes the job for this run: running, one attempt more, leased until `leaseUntil`. */
export async function markRunning(db: Executor, callId: number, now: string, leaseUntil: string): Promise<void> {
  await db
    .updateTable('call_analyses')
    .set((eb) => ({
      status: 'running',
      attempts: eb('attempts', '+', 1),
      lease_until: leaseUntil,
      started_at: now,
      last_error: null,
    }))
    .where('call_id', '=', callId)
    .execute();
}

/** Extends this run's lease (before speech-to-text, which may take longer than the analysis's lease). */
export async function renewLease(db: Executor, callId: number, startedAt: string, leaseUntil: string): Promise<void> {
  await db
    .updateTable('call_analyses')
    .set({ lease_until: leaseUntil })
    .where('call_id', '=', callId)
    .where('status', '=', 'running')
    .where('started_at', '=', startedAt)
    .execute();
}

/** What the worker needs of the call: its recording, and whether it has a transcript (for speech-to-text). */
export async function callRecording(db: Executor, callId: number) {
  return db
    .selectFrom('calls')
    .select(['id', 'recording_status', 'recording_file', 'transcript'])
    .where('id', '=', callId)
    .executeTakeFirst();
}

export type AnalysisFigures = Pick<
  CallAnalysis,
  | 'duration_s'
  | 'channels'
  | 'sample_rate'
  | 'agent_speech_s'
  | 'customer_speech_s'
  | 'talk_ratio'
  | 'mono_speech_s'
  | 'overtalk_total_s'
  | 'overtalk_count'
  | 'dead_air_total_s'
  | 'dead_air_longest_s'
  | 'segments'
  | 'peaks_file'
  | 'settings_used'
>;

/**
 * Ends this run of the job (the one that started at `startedAt`; a job re-queued or re-claimed meanwhile is
 * left alone). Returns whether the row was this run's to end.
 */
export async function finishRun(
  db: Executor,
  callId: number,
  startedAt: string,
  values: Partial<AnalysisFigures> & {
    status: AnalysisStatus;
    last_error?: string | null;
    stt_error?: string | null;
    run_after?: string;
  },
  now: string,
): Promise<boolean> {
  const done = values.status === 'done';
  const result = await db
    .updateTable('call_analyses')
    .set({ ...values, lease_until: null, finished_at: now, ...(done ? { analysed_at: now, last_error: null } : {}) })
    .where('call_id', '=', callId)
    .where('status', '=', 'running')
    .where('started_at', '=', startedAt)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/** This run cut short by a clean stop: the job is due again at once, and the cut run does not count. */
export async function releaseRun(db: Executor, callId: number, startedAt: string, now: string): Promise<void> {
  await db
    .updateTable('call_analyses')
    .set((eb) => ({ status: 'pending', attempts: eb('attempts', '-', 1), run_after: now, lease_until: null }))
    .where('call_id', '=', callId)
    .where('status', '=', 'running')
    .where('started_at', '=', startedAt)
    .execute();
}

export async function findAnalysis(db: Executor, callId: number): Promise<CallAnalysis | undefined> {
  return db.selectFrom('call_analyses').selectAll().where('call_id', '=', callId).executeTakeFirst();
}

/** Jobs per state, and the calls with a stored recording that have never been queued. */
export async function queueCounts(db: Executor) {
  const rows = await db
    .selectFrom('call_analyses')
    .select(['status', (eb) => eb.fn.countAll<number>().as('n')])
    .groupBy('status')
    .execute();
  const { rows: unqueued } = await sql<{ n: number }>`
    select count(*) as n from calls
    where recording_status = 'stored' and not exists (select 1 from call_analyses a where a.call_id = calls.id)`.execute(
    db,
  );
  return { byStatus: rows, unqueued: Number(unqueued[0]?.n ?? 0) };
}

/** Queues up to `limit` calls with a stored recording and no analysis; returns how many. */
export async function queueUnanalysed(db: Executor, now: string, limit: number): Promise<number> {
  const result = await sql`
    insert into call_analyses (call_id, status, attempts, enqueued_at, run_after)
    select id, 'pending', 0, ${now}, ${now} from calls
    where recording_status = 'stored' and not exists (select 1 from call_analyses a where a.call_id = calls.id)
    order by id limit ${limit}
    on conflict (call_id) do nothing`.execute(db);
  return Number(result.numAffectedRows ?? 0);
}

/** Every failed job back to pending, with fresh attempts; returns how many. */
export async function requeueFailed(db: Executor, now: string): Promise<number> {
  const result = await db
    .updateTable('call_analyses')
    .set({ status: 'pending', attempts: 0, run_after: now, enqueued_at: now, lease_until: null })
    .where('status', '=', 'failed')
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

/** One call's analysis queued again (a re-run on demand): a new job, or the existing row back to pending. */
export async function requeueCall(db: Executor, callId: number, now: string): Promise<void> {
  await db
    .insertInto('call_analyses')
    .values({ call_id: callId, status: 'pending', enqueued_at: now, run_after: now })
    .onConflict((oc) =>
      oc.column('call_id').doUpdateSet({
        status: 'pending',
        attempts: 0,
        run_after: now,
        enqueued_at: now,
        lease_until: null,
        started_at: null,
      }),
    )
    .execute();
}

/**
 * Stores the transcript a speech-to-text engine wrote, marked as such, unless the call got a transcript while
 * the engine ran (the phone system's or a person's always wins). Returns whether it was stored.
 */
export async function storeSttTranscript(
  db: Executor,
  callId: number,
  transcript: { transcript_format: 'vtt' | 'text'; transcript: string },
): Promise<boolean> {
  const result = await db
    .updateTable('calls')
    .set({ ...transcript, transcript_source: 'stt' })
    .where('id', '=', callId)
    .where('transcript', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/** A page of done analyses of stored recordings, with their peaks file's name (the start-up check of peaks). */
export async function donePeaksAfter(db: Executor, afterCallId: number, limit: number) {
  return db
    .selectFrom('call_analyses')
    .innerJoin('calls', 'calls.id', 'call_analyses.call_id')
    .select(['call_analyses.call_id', 'call_analyses.peaks_file'])
    .where('call_analyses.status', '=', 'done')
    .where('calls.recording_status', '=', 'stored')
    .where('call_analyses.call_id', '>', afterCallId)
    .orderBy('call_analyses.call_id')
    .limit(limit)
    .execute();
}

/** Done analyses queued again (their waveform was lost); a row that changed meanwhile is left alone. */
export async function requeueDone(db: Executor, callIds: number[], now: string): Promise<number> {
  if (callIds.length === 0) return 0;
  const result = await db
    .updateTable('call_analyses')
    .set({ status: 'pending', attempts: 0, run_after: now, enqueued_at: now, lease_until: null, started_at: null })
    .where('call_id', 'in', callIds)
    .where('status', '=', 'done')
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

/** Which of these peaks file names belong to a call whose recording is kept (stored or missing). */
export async function keptPeaksFiles(db: Executor, names: string[]): Promise<Set<string>> {
  const rows = await db
    .selectFrom('call_analyses')
    .innerJoin('calls', 'calls.id', 'call_analyses.call_id')
    .select('call_analyses.peaks_file')
    .where('call_analyses.peaks_file', 'in', names)
    .where('calls.recording_status', 'in', ['stored', 'missing'])
    .execute();
  return new Set(rows.flatMap((r) => (r.peaks_file === null ? [] : [r.peaks_file])));
}
