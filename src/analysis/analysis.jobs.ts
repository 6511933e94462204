import { callFactsChanged } from '../autoeval';
import fsp from 'node:fs/promises';
import type { AppDeps } from '../deps';
import { inTransaction, onCommit, type Tx } from '../db/transaction';
import { getSettings } from '../settings';
import { queueWebhookEvent } from '../webhooks';
import { AnalysisStopped } from './audio/pool';
import type { AnalyseAudio, AudioAnalysis } from './audio/types';
import {
  callRecording,
  finishRun,
  markRunning,
  nextDueJob,
  releaseRun,
  renewLease,
  storeSttTranscript,
  type AnalysisFigures,
} from './analysis.queries';
import { transcribeRecording, type HeardTranscript } from './analysis.speech';

/** How one job is run: the lease a run holds, the retries a failing run gets, and the analyser's own limit. */
export interface JobPolicy {
  /** A run not finished by then is taken to have crashed; the job is claimed again. */
  leaseMs: number;
  /** Runs a job gets before it is failed for good. */
  maxAttempts: number;
  /** The pause after the first failed run; each next one is four times longer. */
  firstRetryMs: number;
  /** Wall-clock limit for one analysis (the analyser's worker is killed after it). */
  timeLimitMs: number;
}

export const DEFAULT_JOB_POLICY: JobPolicy = {
  leaseMs: 15 * 60_000,
  maxAttempts: 3,
  firstRetryMs: 30_000,
  timeLimitMs: 10 * 60_000,
};

const iso = (ms: number) => new Date(ms).toISOString();

/** The figures to store, from the analyser's answer (figures a mono recording has not are absent: null). */
export function figuresOf(analysis: AudioAnalysis, settings: object, peaksFile: string): AnalysisFigures {
  return {
    duration_s: analysis.duration_s,
    channels: analysis.channels,
    sample_rate: analysis.sample_rate,
    agent_speech_s: analysis.speech?.agent_s ?? null,
    customer_speech_s: analysis.speech?.customer_s ?? null,
    talk_ratio: analysis.speech?.talk_ratio ?? null,
    mono_speech_s: analysis.mono_speech_s,
    overtalk_total_s: analysis.overtalk?.total_s ?? null,
    overtalk_count: analysis.overtalk?.count ?? null,
    dead_air_total_s: analysis.dead_air.total_s,
    dead_air_longest_s: analysis.dead_air.longest_s,
    segments: JSON.stringify({
      dead_air: analysis.dead_air.segments,
      overtalk: analysis.overtalk?.segments ?? null,
      speech: analysis.speech_segments,
    }),
    peaks_file: peaksFile,
    settings_used: JSON.stringify(settings),
  };
}

/** What a webhook hears of an analysis: the call's id and its figures, never the transcript or segments. */
function analysedEventData(callId: number, figures: AnalysisFigures) {
  return {
    call_id: callId,
    duration_s: figures.duration_s,
    channels: figures.channels,
    agent_speech_s: figures.agent_speech_s,
    customer_speech_s: figures.customer_speech_s,
    talk_ratio: figures.talk_ratio,
    overtalk_total_s: figures.overtalk_total_s,
    overtalk_count: figures.overtalk_count,
    dead_air_total_s: figures.dead_air_total_s,
    dead_air_longest_s: figures.dead_air_longest_s,
  };
}

type Claimed = { callId: number; startedAt: string; attempts: number } | 'idle' | 'gave_up';

/** Claims the next due job in one transaction; a job whose runs keep crashing is failed instead of run again. */
async function claimNext(deps: AppDeps, policy: JobPolicy): Promise<Claimed> {
  const now = deps.clock.now().getTime();
  return inTransaction(deps.db, async (trx): Promise<Claimed> => {
    const job = await nextDueJob(trx, iso(now));
    if (!job) return 'idle';
    if (job.status === 'running' && job.attempts >= policy.maxAttempts) {
      await finishRun(
        trx,
        job.call_id,
        job.started_at ?? '',
        { status: 'failed', last_error: `The analysis stopped without finishing ${job.attempts} times.` },
        iso(now),
      );
      return 'gave_up';
    }
    await markRunning(trx, job.call_id, iso(now), iso(now + policy.leaseMs));
    return { callId: job.call_id, startedAt: iso(now), attempts: job.attempts + 1 };
  });
}

/**
 * Runs the next due analysis job, if any: the recording is analysed outside any transaction (in the
 * analyser's worker), then its figures are stored in one transaction and its peaks file moved into place after
 * the commit. Returns what happened, so the worker knows whether to look for more at once.
 */
export async function runNextJob(
  deps: AppDeps,
  analyse: AnalyseAudio,
  policy: JobPolicy = DEFAULT_JOB_POLICY,
): Promise<'idle' | 'ran'> {
  const claimed = await claimNext(deps, policy);
  if (claimed === 'idle') return 'idle';
  if (claimed === 'gave_up') return 'ran';
  try {
    await runClaimed(deps, analyse, policy, claimed);
  } catch (err) {
    if (err instanceof AnalysisStopped) await releaseRun(deps.db, claimed.callId, claimed.startedAt, now(deps));
    else await retryOrFail(deps, policy, claimed, err);
  }
  return 'ran';
}

async function runClaimed(
  deps: AppDeps,
  analyse: AnalyseAudio,
  policy: JobPolicy,
  job: { callId: number; startedAt: string },
): Promise<void> {
  const { storage } = deps;
  const call = await callRecording(deps.db, job.callId);
  const file = call?.recording_status === 'stored' ? call.recording_file : null;
  if (!call || !file) {
    await finishRun(deps.db, job.callId, job.startedAt, { status: 'no_recording' }, now(deps));
    return;
  }
  // On disk the recording itself; in object storage a temporary local copy, removed when the run is over.
  await storage.withLocalRecording(file, (audioPath) => analyseRecording(deps, analyse, policy, job, call, audioPath));
}

async function analyseRecording(
  deps: AppDeps,
  analyse: AnalyseAudio,
  policy: JobPolicy,
  job: { callId: number; startedAt: string },
  call: NonNullable<Awaited<ReturnType<typeof callRecording>>>,
  audioPath: string,
): Promise<void> {
  const { storage } = deps;
  const file = call.recording_file ?? '';
  const settings = await getSettings(deps.db);
  const used = { agent_channel: settings.agent_channel, dead_air_min_s: settings.dead_air_min_s };
  const tempPeaks = storage.peaksTempPath(file);
  try {
    const result = await analyse(audioPath, {
      agentChannel: used.agent_channel,
      deadAirMinS: used.dead_air_min_s,
      peaksPath: tempPeaks,
      timeLimitMs: policy.timeLimitMs,
    });
    if (!result.ok) {
      // The recording itself is at fault (corrupt, unsupported, too long): another run would fail the same way.
      await finishRun(deps.db, job.callId, job.startedAt, { status: 'failed', last_error: result.message }, now(deps));
      return;
    }
    if (deps.config.speech.engine !== 'off') {
      // Up to four process runs (sox and the engine per channel), each with its own time limit.
      const until = deps.clock.now().getTime() + policy.leaseMs + 4 * deps.config.speech.timeoutMs;
      await renewLease(deps.db, job.callId, job.startedAt, iso(until));
    }
    const heard = await transcribeRecording(deps, call, audioPath, {
      channels: result.analysis.channels,
      agentChannel: used.agent_channel,
    });
    await inTransaction(deps.db, async (trx) => {
      const figures = figuresOf(result.analysis, used, `${file.split('.')[0] ?? file}.peaks`);
      const values = { status: 'done' as const, ...figures, stt_error: heard.error };
      // Re-queued, re-claimed or deleted while it ran: then this run's figures and peaks are nobody's.
      if (await finishRun(trx, job.callId, job.startedAt, values, now(deps))) {
        onCommit(trx, () => {
          crashPointForFaultTests();
          return storage.promotePeaks(tempPeaks, file);
        });
        // Rubrics in auto mode evaluate the call again from the new figures (marked in this commit).
        await callFactsChanged(trx, job.callId, now(deps));
        await queueWebhookEvent(trx, now(deps), 'call.analysed', analysedEventData(job.callId, figures));
        if (heard.transcript) await storeHeard(deps, trx, job.callId, heard.transcript);
      }
    });
  } finally {
    // Whatever was not moved into place (a failed, superseded or rolled-back run) goes.
    await fsp.rm(tempPeaks, { force: true });
  }
}

/**
 * test/faults/analysis-worker.test.ts kills the server here, between a run's commit and its peaks file's move,
 * to show the start-up check (analysis.maintenance.ts) brings the waveform back. Nothing sets it otherwise.
 */
function crashPointForFaultTests(): void {
  if (process.env.CALLSCORE_FAULT_CRASH_AT === 'analysis-commit') process.kill(process.pid, 'SIGKILL');
}

/** The engine's transcript stored in the run's unit of work; the transcript hooks run after the commit. */
async function storeHeard(
  deps: AppDeps,
  trx: Tx,
  callId: number,
  transcript: NonNullable<HeardTranscript['transcript']>,
): Promise<void> {
  // A transcript that arrived while the engine ran wins: then nothing is stored and no hook runs.
  if (!(await storeSttTranscript(trx, callId, transcript))) return;
  for (const hook of deps.transcriptReplaced ?? []) {
    // A hook's failure (the rules engine) is logged: the analysis and its transcript are committed anyway.
    onCommit(trx, () =>
      Promise.resolve()
        .then(() => hook(callId))
        .catch((err: unknown) => deps.logger.error({ err, callId }, 'a transcript hook failed')),
    );
  }
}

/** A run that threw (worker crash, storage trouble) is tried again later, up to the policy's attempts. */
async function retryOrFail(
  deps: AppDeps,
  policy: JobPolicy,
  job: { callId: number; startedAt: string; attempts: number },
  err: unknown,
): Promise<void> {
  const message = err instanceof Error ? err.message : String(err);
  deps.logger.warn({ err, callId: job.callId, attempt: job.attempts }, 'call analysis failed');
  const last = job.attempts >= policy.maxAttempts;
  const delay = policy.firstRetryMs * 4 ** (job.attempts - 1);
  await finishRun(
    deps.db,
    job.callId,
    job.startedAt,
    last
      ? { status: 'failed', last_error: message }
      : { status: 'pending', last_error: message, run_after: iso(deps.clock.now().getTime() + delay) },
    now(deps),
  );
}

function now(deps: AppDeps): string {
  return deps.clock.now().toISOString();
}
