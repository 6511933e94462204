import { callFactsChanged } from '../autoeval';
import { recordChange } from '../audit';
import type { Call } from '../db/schema';
import { inTransaction, onCommit } from '../db/transaction';
import type { AppDeps } from '../deps';
import { isoNow } from '../lib/clock';
import { NotFound } from '../lib/errors';
import { mayReplaceTranscript, type Actor } from '../policy';
import {
  checkTranscript,
  discardStaged,
  speakerNamesFor,
  type CheckedTranscript,
  type SpeakerNames,
  type StagedFile,
} from '../recordings';
import { getSettings } from '../settings';
import { findAgentNames, updateTranscript } from './calls.queries';

/** The speaker names of a call's transcript: the settings' lists plus the call's own agent. */
export async function callSpeakerNames(deps: AppDeps, agentId: number | null): Promise<SpeakerNames> {
  const [settings, agent] = await Promise.all([
    getSettings(deps.db),
    agentId ? findAgentNames(deps.db, agentId) : undefined,
  ]);
  return speakerNamesFor(settings, agent);
}

export interface ReplacedTranscript {
  call_id: number;
  /** The format the transcript came in. */
  source: CheckedTranscript['source'];
  cues: number;
  /** Whether the call had a transcript before, now gone. */
  replaced: boolean;
}

/**
 * Replaces a call's transcript with a staged file. The file is checked in full before anything is written;
 * the transcript lives in the call's row, so the one UPDATE is the whole replacement (the old text is gone
 * in the same commit, nothing half-written). After commit the `transcriptReplaced` hooks run (the rules
 * engine re-runs there). The staged file is removed whatever happens.
 */
export async function replaceTranscript(
  deps: AppDeps,
  actor: Actor,
  call: Call,
  staged: StagedFile,
  ip?: string,
): Promise<ReplacedTranscript> {
  try {
    if (!mayReplaceTranscript(actor)) throw new NotFound('No such call.');
    const checked = await checkTranscript(deps, staged, await callSpeakerNames(deps, call.agent_id));
    const now = isoNow(deps.clock);
    await inTransaction(deps.db, async (trx) => {
      await updateTranscript(trx, call.id, { transcript_format: checked.format, transcript: checked.text });
      await recordChange(trx, now, { actorId: actor.id, ip }, 'call.transcript_replaced', ['call', call.id], {
        source: checked.source,
        cues: checked.cues.length,
        had_transcript: call.transcript !== null,
      });
      // The call's automatic evaluations are redone from the new transcript (marked in this commit).
      await callFactsChanged(trx, call.id, now);
      for (const hook of deps.transcriptReplaced ?? []) onCommit(trx, () => hook(call.id));
    });
    return {
      call_id: call.id,
      source: checked.source,
      cues: checked.cues.length,
      replaced: call.transcript !== null,
    };
  } finally {
    await discardStaged(deps.storage, [staged]);
  }
}
