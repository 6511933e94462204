// Recordings and calls for the analysis-job tests: small stereo or mono 16-bit PCM WAVs written with a Buffer,
// a tone where a side "speaks" over a quiet line hiss, so the figures are known in advance.
import type { Express } from 'express';
import type { TestContext } from '../helpers/app';
import { callFields, pushCall, recordingFile, tokenFor } from '../calls/fixtures';

export type Span = [number, number];

export interface CallAudio {
  seconds: number;
  /** Where the agent speaks (on the left channel); on mono the one channel. */
  agent: Span[];
  /** Where the customer speaks (on the right channel); ignored on mono. */
  customer?: Span[];
  channels?: 1 | 2;
  sampleRate?: number;
}

function inSpans(t: number, spans: Span[]): boolean {
  return spans.some(([start, end]) => t >= start && t < end);
}

/** A deterministic hiss (a tiny linear congruential generator), so each run writes the same bytes. */
function hiss(seed: number) {
  let state = seed;
  return () => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return (state / 2147483648 - 0.5) * 60;
  };
}

export function callWav({ seconds, agent, customer = [], channels = 2, sampleRate = 8000 }: CallAudio): Buffer {
  const frames = Math.round(seconds * sampleRate);
  const dataBytes = frames * channels * 2;
  const buf = Buffer.alloc(44 + dataBytes);
  buf.write('RIFF', 0, 'latin1');
  buf.writeUInt32LE(36 + dataBytes, 4);
  buf.write('WAVEfmt ', 8, 'latin1');
  buf.writeUInt32LE(16, 16);
  buf.writeUInt16LE(1, 20);
  buf.writeUInt16LE(channels, 22);
  buf.writeUInt32LE(sampleRate, 24);
  buf.writeUInt32LE(sampleRate * channels * 2, 28);
  buf.writeUInt16LE(channels * 2, 32);
  buf.writeUInt16LE(16, 34);
  buf.write('data', 36, 'latin1');
  buf.writeUInt32LE(dataBytes, 40);
  const noise = [hiss(1), hiss(2)];
  for (let i = 0; i < frames; i += 1) {
    const t = i / sampleRate;
    const sides = [agent, customer];
    for (let c = 0; c < channels; c += 1) {
      const speaking = inSpans(t, sides[c] ?? []);
      const tone = speaking ? 9000 * Math.sin((2 * Math.PI * (c ? 330 : 220) * i) / sampleRate) : 0;
      const value = Math.round(tone + (noise[c] ?? noise[0])());
      buf.writeInt16LE(Math.max(-32768, Math.min(32767, value)), 44 + (i * channels + c) * 2);
    }
  }
  return buf;
}

/**
 * A stereo call of 12 s: agent 0–4 s and 7–10 s, customer 3.5–6 s (0.5 s of overtalk), dead air 10–12 s
 * (2 s, at the end); no other stretch of 2 s with neither side speaking.
 */
export const STANDARD_CALL: CallAudio = {
  seconds: 12,
  agent: [
    [0, 4],
    [7, 10],
  ],
  customer: [[3.5, 6]],
};

/** Pushes a call with a recording through the API as the phone system does; returns its id. */
export async function pushRecordedCall(
  app: Express,
  token: string,
  agent: string,
  audio: Buffer,
  name = 'call.wav',
): Promise<number> {
  const res = await pushCall(app, token, callFields(agent), [recordingFile(audio, name)]);
  if (res.status !== 201) throw new Error(`push: ${res.status} ${res.text}`);
  return (res.body as { id: number }).id;
}

export async function analysisRow(ctx: TestContext, callId: number) {
  return ctx.deps.db.selectFrom('call_analyses').selectAll().where('call_id', '=', callId).executeTakeFirst();
}

export { tokenFor };
