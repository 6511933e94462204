import fsp from 'node:fs/promises';
import { runProcess } from './process';
import type { TranscribeOptions } from './types';

/** The channels to hear and the side each one is: stereo one side per channel, mono one unknown side. */
export function channelSides(
  options: TranscribeOptions,
): Array<{ channel: number | null; side: 'agent' | 'customer' | null }> {
  if (options.channels < 2) return [{ channel: null, side: null }];
  const agent = options.agentChannel === 'right' ? 2 : 1;
  return [
    { channel: agent, side: 'agent' },
    { channel: agent === 1 ? 2 : 1, side: 'customer' },
  ];
}

/** One channel (or the mono mix) as 16 kHz 16-bit mono, raw or WAV by `out`'s extension, made by sox. */
export async function extractChannel(
  file: string,
  channel: number | null,
  out: string,
  limits: { timeoutMs: number; maxOutputBytes: number },
): Promise<void> {
  const type = out.endsWith('.wav') ? 'wav' : 'raw';
  const remix = channel === null ? ['remix', '-'] : ['remix', String(channel)];
  await runProcess(
    ['sox', '-V1', file, '-t', type, '-e', 'signed-integer', '-b', '16', '-c', '1', out, ...remix, 'rate', '16000'],
    limits,
  );
}

const FRAME_S = 0.01;
const BRIDGE_S = 0.3;
const MAX_UTTERANCE_S = 20;

/**
 * Stretches of speech in 16 kHz 16-bit raw audio: frames 10 dB over the noise floor (the 10th percentile of
 * frame energy), pauses under 0.3 s bridged, at most 20 s each so the recogniser's batch normalisation holds.
 */
export async function speechStretches(rawFile: string): Promise<Array<{ startFrame: number; endFrame: number }>> {
  const energies = await frameEnergies(rawFile);
  if (energies.length === 0) return [];
  const sorted = Float64Array.from(energies).sort();
  const floor = sorted[Math.floor(sorted.length * 0.1)] ?? -100;
  const threshold = Math.max(floor + 10, -55);
  const bridge = Math.round(BRIDGE_S / FRAME_S);
  const stretches: Array<{ startFrame: number; endFrame: number }> = [];
  let start = -1;
  let lastVoiced = -1;
  energies.forEach((db, frame) => {
    if (db < threshold) {
      if (start >= 0 && frame - lastVoiced > bridge) {
        stretches.push({ startFrame: start, endFrame: lastVoiced + 1 });
        start = -1;
      }
      return;
    }
    if (start < 0) start = frame;
    else if ((frame - start) * FRAME_S > MAX_UTTERANCE_S) {
      stretches.push({ startFrame: start, endFrame: frame });
      start = frame;
    }
    lastVoiced = frame;
  });
  if (start >= 0) stretches.push({ startFrame: start, endFrame: lastVoiced + 1 });
  return stretches.filter((s) => (s.endFrame - s.startFrame) * FRAME_S >= 0.15);
}

/** Energy per 10 ms frame in dB full scale, read in chunks (a long call never sits whole in memory). */
async function frameEnergies(rawFile: string): Promise<number[]> {
  const frameBytes = 160 * 2;
  const handle = await fsp.open(rawFile, 'r');
  const energies: number[] = [];
  try {
    const chunk = Buffer.alloc(frameBytes * 1000);
    for (;;) {
      const { bytesRead } = await handle.read(chunk, 0, chunk.length, null);
      if (bytesRead < frameBytes) break;
      for (let offset = 0; offset + frameBytes <= bytesRead; offset += frameBytes) {
        let sum = 0;
        for (let i = offset; i < offset + frameBytes; i += 2) sum += chunk.readInt16LE(i) ** 2;
        energies.push(10 * Math.log10(sum / 160 / 32768 ** 2 + 1e-12));
      }
    }
  } finally {
    await handle.close();
  }
  return energies;
}
