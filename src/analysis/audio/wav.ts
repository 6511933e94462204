// WAV (RIFF/WAVE) read by hand: walk the chunks to `fmt ` and `data`, then convert the data chunk to float
// samples in slices, whatever its length. PCM 8/16/24/32-bit, IEEE float 32/64, µ-law and A-law (G.711).
import { AudioRejected, chunks, type AudioSource, type PcmSink } from './source';
import { alawTable, mulawTable } from './g711';

const PCM = 1;
const FLOAT = 3;
const ALAW = 6;
const MULAW = 7;
const EXTENSIBLE = 0xfffe;
const KNOWN_CODECS: Record<number, string> = {
  2: 'Microsoft ADPCM',
  0x11: 'IMA ADPCM',
  0x31: 'GSM 6.10',
  0x40: 'G.721 ADPCM',
  0x64: 'G.726 ADPCM',
  0x133: 'G.729',
  0x55: 'MP3',
};

interface WavFormat {
  code: number;
  channels: number;
  sampleRate: number;
  blockAlign: number;
  bits: number;
}

type Convert = (buf: Buffer, at: number) => number;

function converter(format: WavFormat): Convert {
  const { code, bits } = format;
  if (code === PCM && bits === 8) return (buf, at) => ((buf[at] ?? 128) - 128) / 128;
  if (code === PCM && bits === 16) return (buf, at) => buf.readInt16LE(at) / 32768;
  if (code === PCM && bits === 24) return (buf, at) => buf.readIntLE(at, 3) / 8388608;
  if (code === PCM && bits === 32) return (buf, at) => buf.readInt32LE(at) / 2147483648;
  if (code === FLOAT && bits === 32) return (buf, at) => buf.readFloatLE(at);
  if (code === FLOAT && bits === 64) return (buf, at) => buf.readDoubleLE(at);
  if (code === MULAW && bits === 8) return (buf, at) => mulawTable[buf[at] ?? 0xff] ?? 0;
  if (code === ALAW && bits === 8) return (buf, at) => alawTable[buf[at] ?? 0xd5] ?? 0;
  const name = KNOWN_CODECS[code] ?? `format code ${code}`;
  throw new AudioRejected(
    code === PCM || code === FLOAT
      ? `WAV with ${bits}-bit ${code === FLOAT ? 'float' : 'PCM'} samples can't be analysed.`
      : `WAV encoded as ${name} can't be analysed yet; convert it to PCM, µ-law or A-law.`,
  );
}

function parseFmt(buf: Buffer): WavFormat {
  if (buf.length < 16) throw new AudioRejected('The WAV format chunk is too short; the file looks damaged.');
  let code = buf.readUInt16LE(0);
  if (code === EXTENSIBLE && buf.length >= 26) code = buf.readUInt16LE(24);
  return {
    code,
    channels: buf.readUInt16LE(2),
    sampleRate: buf.readUInt32LE(4),
    blockAlign: buf.readUInt16LE(12),
    bits: buf.readUInt16LE(14),
  };
}

interface WavLayout {
  format: WavFormat;
  dataStart: number;
  dataEnd: number;
}

async function readAt(source: AudioSource, position: number, length: number): Promise<Buffer> {
  const buf = Buffer.alloc(length);
  const { bytesRead } = await source.handle.read(buf, 0, length, position);
  return buf.subarray(0, bytesRead);
}

/** Finds `fmt ` and `data`; a data chunk longer than the file means the file was cut off. */
async function layout(source: AudioSource): Promise<WavLayout> {
  let format: WavFormat | null = null;
  let position = 12;
  while (position + 8 <= source.size) {
    const header = await readAt(source, position, 8);
    const id = header.toString('latin1', 0, 4);
    const size = header.readUInt32LE(4);
    const body = position + 8;
    if (id === 'fmt ') format = parseFmt(await readAt(source, body, Math.min(size, 64)));
    if (id === 'data') {
      if (!format) throw new AudioRejected('The WAV file has no format chunk before its audio.');
      // Streaming writers leave 0 or 0xFFFFFFFF when they could not go back to fill the size in: read to the end.
      const open = size === 0xffffffff || (size === 0 && source.size > body);
      if (!open && body + size > source.size) {
        const missing = body + size - source.size;
        throw new AudioRejected(`The WAV file is ${missing} bytes shorter than its header says; it was cut off.`);
      }
      return { format, dataStart: body, dataEnd: open ? source.size : body + size };
    }
    position = body + size + (size % 2);
  }
  throw new AudioRejected('The WAV file has no audio data chunk; it looks damaged.');
}

/** Streams the data chunk through `sink`, a slice of whole sample frames at a time. */
export async function decodeWav(source: AudioSource, sink: PcmSink): Promise<void> {
  const { format, dataStart, dataEnd } = await layout(source);
  const convert = converter(format);
  const { channels, blockAlign, bits } = format;
  const bytesPerSample = bits / 8;
  if (channels < 1 || blockAlign < channels * bytesPerSample) {
    throw new AudioRejected('The WAV header describes an impossible sample layout; the file looks damaged.');
  }
  sink.format({
    channels,
    sampleRate: format.sampleRate,
    declaredFrames: Math.floor((dataEnd - dataStart) / blockAlign),
  });
  const sliceBytes = Math.max(1, Math.floor((64 * 1024) / blockAlign)) * blockAlign;
  let carry = Buffer.alloc(0);
  for await (const chunk of chunks(source, dataStart, dataEnd, sliceBytes)) {
    const buf = carry.length > 0 ? Buffer.concat([carry, chunk]) : chunk;
    const frames = Math.floor(buf.length / blockAlign);
    const channelData = Array.from({ length: channels }, () => new Float32Array(frames));
    for (let c = 0; c < channels; c++) {
      const out = channelData[c] as Float32Array;
      for (let i = 0, at = c * bytesPerSample; i < frames; i++, at += blockAlign) out[i] = convert(buf, at);
    }
    sink.write(channelData, frames);
    carry = Buffer.from(buf.subarray(frames * blockAlign));
  }
}
