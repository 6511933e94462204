// The waveform peaks file: min/max per channel about ten times a second, written once at analysis and drawn by the
// call page. Trivial to parse in a browser with a DataView:
//
//   offset 0   4 bytes  ASCII "CSPK"
//   offset 4   u8       version (1)
//   offset 5   u8       channels (1 on mono; 2 on stereo, the AGENT first, then the customer)
//   offset 6   u16 LE   peaks per second (10)
//   offset 8   u32 LE   count of peaks per channel
//   offset 12  count × channels × 2 int8: for peak i, for each channel: min then max, in -128..127 (full scale 127)
//
// Peak i covers the samples from floor(i × rate / pps) up to floor((i + 1) × rate / pps), so it starts at i / pps s.

export const PEAKS_MAGIC = 'CSPK';
export const PEAKS_VERSION = 1;
export const PEAKS_PER_SECOND = 10;
const HEADER_BYTES = 12;

export interface Peaks {
  channels: number;
  peaksPerSecond: number;
  count: number;
  /** Interleaved as in the file: [min, max] per channel per peak, each -128..127. */
  data: Int8Array;
}

export function encodePeaks(peaks: Peaks): Buffer {
  const buf = Buffer.alloc(HEADER_BYTES + peaks.data.length);
  buf.write(PEAKS_MAGIC, 0, 'latin1');
  buf.writeUInt8(PEAKS_VERSION, 4);
  buf.writeUInt8(peaks.channels, 5);
  buf.writeUInt16LE(peaks.peaksPerSecond, 6);
  buf.writeUInt32LE(peaks.count, 8);
  Buffer.from(peaks.data.buffer, peaks.data.byteOffset, peaks.data.byteLength).copy(buf, HEADER_BYTES);
  return buf;
}

export function decodePeaks(buf: Uint8Array): Peaks {
  if (buf.length < HEADER_BYTES) throw new Error('The peaks file is shorter than its header.');
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const magic = String.fromCharCode(buf[0] ?? 0, buf[1] ?? 0, buf[2] ?? 0, buf[3] ?? 0);
  if (magic !== PEAKS_MAGIC) throw new Error('Not a peaks file (no CSPK magic).');
  const version = view.getUint8(4);
  if (version !== PEAKS_VERSION) throw new Error(`Unknown peaks file version ${version}.`);
  const channels = view.getUint8(5);
  const peaksPerSecond = view.getUint16(6, true);
  const count = view.getUint32(8, true);
  const size = count * channels * 2;
  if (buf.length !== HEADER_BYTES + size) throw new Error('The peaks file length does not match its header.');
  const data = new Int8Array(buf.buffer.slice(buf.byteOffset + HEADER_BYTES, buf.byteOffset + HEADER_BYTES + size));
  return { channels, peaksPerSecond, count, data };
}

function toInt8(sample: number): number {
  const scaled = Math.round(sample * 127);
  return scaled > 127 ? 127 : scaled < -128 ? -128 : scaled;
}

/** Collects min/max per channel per peak while samples stream past; `finish()` returns the file's content. */
export class PeaksBuilder {
  private data: Int8Array;
  private count = 0;
  private readonly min: number[];
  private readonly max: number[];
  private seen = 0;
  private nextBoundary: number;

  constructor(
    private readonly channels: number,
    private readonly sampleRate: number,
  ) {
    this.data = new Int8Array(channels * 2 * 1024);
    this.min = new Array<number>(channels).fill(Infinity);
    this.max = new Array<number>(channels).fill(-Infinity);
    this.nextBoundary = this.boundary(1);
  }

  private boundary(i: number): number {
    return Math.floor((i * this.sampleRate) / PEAKS_PER_SECOND);
  }

  /** Channel order as the file wants it (agent first); all arrays the same length. */
  add(channelData: Float32Array[], length: number): void {
    let start = 0;
    while (start < length) {
      const end = Math.min(length, start + (this.nextBoundary - this.seen));
      for (let c = 0; c < this.channels; c++) {
        const samples = channelData[c];
        if (!samples) continue;
        let lo = this.min[c] ?? Infinity;
        let hi = this.max[c] ?? -Infinity;
        for (let i = start; i < end; i++) {
          const s = samples[i] ?? 0;
          if (s < lo) lo = s;
          if (s > hi) hi = s;
        }
        this.min[c] = lo;
        this.max[c] = hi;
      }
      this.seen += end - start;
      start = end;
      if (this.seen === this.nextBoundary) this.close();
    }
  }

  private close(): void {
    const need = (this.count + 1) * this.channels * 2;
    if (need > this.data.length) {
      const grown = new Int8Array(this.data.length * 2);
      grown.set(this.data);
      this.data = grown;
    }
    for (let c = 0; c < this.channels; c++) {
      const at = (this.count * this.channels + c) * 2;
      this.data[at] = toInt8(this.min[c] ?? 0);
      this.data[at + 1] = toInt8(this.max[c] ?? 0);
      this.min[c] = Infinity;
      this.max[c] = -Infinity;
    }
    this.count += 1;
    this.nextBoundary = this.boundary(this.count + 1);
  }

  finish(): Peaks {
    if (this.seen > this.boundary(this.count)) this.close();
    const data = this.data.slice(0, this.count * this.channels * 2);
    return { channels: this.channels, peaksPerSecond: PEAKS_PER_SECOND, count: this.count, data };
  }
}
