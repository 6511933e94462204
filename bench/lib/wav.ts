import fs from 'node:fs';
import path from 'node:path';
import { Rng } from './rng';

export interface WavFormat {
  sampleRate: number;
  channels: number;
  bitsPerSample: number;
}

export const TELEPHONY: WavFormat = { sampleRate: 8000, channels: 1, bitsPerSample: 16 };

/** The 44-byte canonical RIFF/WAVE header (PCM) for `dataBytes` of sample data. */
export function wavHeader(dataBytes: number, format: WavFormat = TELEPHONY): Buffer {
  const blockAlign = (format.channels * format.bitsPerSample) / 8;
  const header = Buffer.alloc(44);
  header.write('RIFF', 0, 'latin1');
  header.writeUInt32LE(36 + dataBytes, 4);
  header.write('WAVE', 8, 'latin1');
  header.write('fmt ', 12, 'latin1');
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(1, 20); // PCM
  header.writeUInt16LE(format.channels, 22);
  header.writeUInt32LE(format.sampleRate, 24);
  header.writeUInt32LE(format.sampleRate * blockAlign, 28);
  header.writeUInt16LE(blockAlign, 32);
  header.writeUInt16LE(format.bitsPerSample, 34);
  header.write('data', 36, 'latin1');
  header.writeUInt32LE(dataBytes, 40);
  return header;
}

/** Quiet noise with a faint hum: real-looking 16-bit PCM that does not compress to nothing. */
function fillSamples(buf: Buffer, rng: Rng, startSample: number, sampleRate: number): void {
  for (let i = 0; i + 1 < buf.length; i += 2) {
    const n = startSample + i / 2;
    const hum = Math.sin((2 * Math.PI * 180 * n) / sampleRate) * 300;
    const noise = (rng.next() - 0.5) * 400;
    buf.writeInt16LE(Math.round(hum + noise), i);
  }
}

/** A small WAV (the shared recording every generated 'stored' call points at). */
export function smallWav(seconds: number, format: WavFormat = TELEPHONY): Buffer {
  const dataBytes = Math.round(seconds * format.sampleRate) * ((format.channels * format.bitsPerSample) / 8);
  const data = Buffer.alloc(dataBytes);
  fillSamples(data, new Rng(7), 0, format.sampleRate);
  return Buffer.concat([wavHeader(dataBytes, format), data]);
}

/**
 * Writes a WAV of exactly `totalBytes` (header included) in 4 MiB chunks, so memory stays flat. Reuses the
 * file when one of the right size with a valid header is already there.
 */
export function writeLargeWav(file: string, totalBytes: number, format: WavFormat = TELEPHONY): void {
  const blockAlign = (format.channels * format.bitsPerSample) / 8;
  const dataBytes = totalBytes - 44;
  if (dataBytes <= 0 || dataBytes % blockAlign !== 0) throw new Error(`bad WAV size ${totalBytes}`);
  if (isValidWav(file, totalBytes)) return;
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.partial`;
  const fd = fs.openSync(tmp, 'w');
  try {
    fs.writeSync(fd, wavHeader(dataBytes, format));
    // Noise is generated for a pool of chunks and rotated; 200 MB of fresh random samples would take seconds.
    const chunkBytes = 4 * 1024 * 1024;
    const rng = new Rng(11);
    const pool = Array.from({ length: 4 }, (_, k) => {
      const buf = Buffer.alloc(chunkBytes);
      fillSamples(buf, rng, k * (chunkBytes / 2), format.sampleRate);
      return buf;
    });
    let written = 0;
    let k = 0;
    while (written < dataBytes) {
      const chunk = pool[k % pool.length];
      const n = Math.min(chunk.length, dataBytes - written);
      fs.writeSync(fd, chunk, 0, n);
      written += n;
      k += 1;
    }
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, file);
}

export function isValidWav(file: string, totalBytes: number): boolean {
  try {
    if (fs.statSync(file).size !== totalBytes) return false;
    const fd = fs.openSync(file, 'r');
    try {
      const head = Buffer.alloc(44);
      fs.readSync(fd, head, 0, 44, 0);
      return head.toString('latin1', 0, 4) === 'RIFF' && head.readUInt32LE(4) + 8 === totalBytes;
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    return false;
  }
}
