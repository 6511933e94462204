// The worker's whole job: decode a recording, measure it and write its peaks file.
import fs from 'node:fs/promises';
import { decodeFile } from './decode';
import { FrameMeter } from './frames';
import { measure } from './metrics';
import { PeaksBuilder, encodePeaks } from './peaks';
import { AudioRejected, type PcmFormat, type PcmSink } from './source';
import type { AudioAnalysisOptions, AudioAnalysisResult } from './types';

export const MIN_SAMPLE_RATE = 4000;
export const MAX_SAMPLE_RATE = 192000;
/** The longest recording analysed: 6 hours (a call centre's longest calls are a fraction of it). */
export const MAX_DURATION_S = 6 * 3600;

function hours(seconds: number): string {
  const h = seconds / 3600;
  return h >= 1 ? `${Number(h.toFixed(1))} hours` : `${Math.round(seconds / 60)} minutes`;
}

function tooLong(maxS: number, declaredS?: number): AudioRejected {
  const says = declaredS === undefined ? 'is longer than' : `says it is ${hours(declaredS)} long, more than`;
  return new AudioRejected(`The recording ${says} the ${hours(maxS)} the analyser reads; it was not analysed.`);
}

/** Checks the format, puts the agent's channel first, and feeds the frame meter and the peaks. */
class Measurer implements PcmSink {
  meter: FrameMeter | null = null;
  peaks: PeaksBuilder | null = null;
  sampleRate = 0;
  channels = 0;
  private order: number[] = [0];

  private maxFrames = Infinity;

  constructor(
    private readonly agentChannel: 'left' | 'right',
    private readonly maxDurationS: number,
  ) {}

  format({ channels, sampleRate, declaredFrames }: PcmFormat): void {
    if (channels < 1 || channels > 2) {
      throw new AudioRejected(
        `The recording has ${channels} channels; the analyser reads mono, or stereo with the agent and the customer on one channel each.`,
      );
    }
    if (!(sampleRate >= MIN_SAMPLE_RATE && sampleRate <= MAX_SAMPLE_RATE)) {
      throw new AudioRejected(
        `The recording says its sample rate is ${sampleRate} Hz, outside ${MIN_SAMPLE_RATE}–${MAX_SAMPLE_RATE} Hz; its header looks damaged.`,
      );
    }
    if (declaredFrames !== undefined && declaredFrames / sampleRate > this.maxDurationS) {
      throw tooLong(this.maxDurationS, declaredFrames / sampleRate);
    }
    this.maxFrames = this.maxDurationS * sampleRate;
    this.channels = channels;
    this.sampleRate = sampleRate;
    this.order = channels === 1 ? [0] : this.agentChannel === 'left' ? [0, 1] : [1, 0];
    this.meter = new FrameMeter(channels, sampleRate);
    this.peaks = new PeaksBuilder(channels, sampleRate);
  }

  write(channelData: Float32Array[], length: number): void {
    if (!this.meter || !this.peaks) throw new Error('PCM written before its format');
    if (channelData.length !== this.channels) {
      throw new AudioRejected('The recording changes its number of channels midway; it can’t be analysed.');
    }
    // Checked as the audio streams past (compressed files don't say their length): memory and time stay bounded.
    if (this.meter.samples + length > this.maxFrames) throw tooLong(this.maxDurationS);
    const ordered = this.order.map((c) => channelData[c] as Float32Array);
    this.meter.add(ordered, length);
    this.peaks.add(ordered, length);
  }
}

async function writeOnce(peaksPath: string, content: Buffer): Promise<void> {
  const partial = `${peaksPath}.partial`;
  await fs.writeFile(partial, content);
  await fs.rename(partial, peaksPath);
}

export async function measureFile(file: string, options: AudioAnalysisOptions): Promise<AudioAnalysisResult> {
  const measurer = new Measurer(options.agentChannel, options.maxDurationS ?? MAX_DURATION_S);
  try {
    await decodeFile(file, measurer);
    const { meter, peaks } = measurer;
    if (!meter || !peaks || meter.samples === 0) return { ok: false, message: 'The recording holds no audio.' };
    const frameS = meter.frameSamples / meter.sampleRate;
    const analysis = measure({
      channels: meter.frameLevels().map((levels) => ({ levels, frameS })),
      duration_s: meter.samples / meter.sampleRate,
      sample_rate: meter.sampleRate,
      sourceChannels: meter.channels,
      deadAirMinS: options.deadAirMinS,
    });
    await writeOnce(options.peaksPath, encodePeaks(peaks.finish()));
    return { ok: true, analysis };
  } catch (err) {
    if (err instanceof AudioRejected) return { ok: false, message: err.message };
    console.error(err);
    return { ok: false, message: 'The recording could not be decoded; it looks damaged.' };
  }
}
