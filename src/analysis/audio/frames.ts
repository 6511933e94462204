// Frame energy: the loudness of every 20 ms of each channel, measured while the samples stream past, so the whole
// recording never sits in memory (an hour is 180,000 frames, 720 KB per channel).

export const FRAME_S = 0.02;
/** The level given to digital silence, so a log of zero never appears. */
export const SILENCE_DB = -100;

/** A Float32Array that grows by doubling. */
class GrowingFloats {
  private values = new Float32Array(4096);
  length = 0;

  push(value: number): void {
    if (this.length === this.values.length) {
      const grown = new Float32Array(this.values.length * 2);
      grown.set(this.values);
      this.values = grown;
    }
    this.values[this.length++] = value;
  }

  toArray(): Float32Array {
    return this.values.slice(0, this.length);
  }
}

/**
 * RMS level in dBFS of each whole frame of each channel, with the frame's mean removed first, so a DC offset
 * (a constant shift some sound cards add) is not taken for sound. A last partial frame is dropped.
 */
export class FrameMeter {
  readonly frameSamples: number;
  private readonly levels: GrowingFloats[];
  private readonly sum: Float64Array;
  private readonly sumSquares: Float64Array;
  private filled = 0;
  samples = 0;

  constructor(
    readonly channels: number,
    readonly sampleRate: number,
  ) {
    this.frameSamples = Math.max(1, Math.round(sampleRate * FRAME_S));
    this.levels = Array.from({ length: channels }, () => new GrowingFloats());
    this.sum = new Float64Array(channels);
    this.sumSquares = new Float64Array(channels);
  }

  add(channelData: Float32Array[], length: number): void {
    let start = 0;
    while (start < length) {
      const end = Math.min(length, start + (this.frameSamples - this.filled));
      for (let c = 0; c < this.channels; c++) {
        const samples = channelData[c];
        if (!samples) continue;
        let sum = 0;
        let sumSquares = 0;
        for (let i = start; i < end; i++) {
          const s = samples[i] ?? 0;
          sum += s;
          sumSquares += s * s;
        }
        this.sum[c] = (this.sum[c] ?? 0) + sum;
        this.sumSquares[c] = (this.sumSquares[c] ?? 0) + sumSquares;
      }
      this.filled += end - start;
      this.samples += end - start;
      start = end;
      if (this.filled === this.frameSamples) this.closeFrame();
    }
  }

  private closeFrame(): void {
    const n = this.frameSamples;
    for (let c = 0; c < this.channels; c++) {
      const mean = (this.sum[c] ?? 0) / n;
      const variance = Math.max(0, (this.sumSquares[c] ?? 0) / n - mean * mean);
      const db = variance > 0 ? 10 * Math.log10(variance) : SILENCE_DB;
      this.levels[c]?.push(Math.max(SILENCE_DB, db));
      this.sum[c] = 0;
      this.sumSquares[c] = 0;
    }
    this.filled = 0;
  }

  /** Levels per channel, in dBFS (a full-scale sine is about -3 dBFS). */
  frameLevels(): Float32Array[] {
    return this.levels.map((levels) => levels.toArray());
  }
}
