// FLAC, MP3 and Ogg/Opus through the WebAssembly decoders of the wasm-audio-decoders family (MIT), fed the file a
// chunk at a time. They are ES modules, loaded with import() from this CommonJS code.
import { mp3PromisedSamples, oggHasEnd } from './completeness';
import { AudioRejected, chunks, type AudioSource, type PcmSink } from './source';

/**
 * Compressed input is fed 16 KB at a time: a decoder's WebAssembly memory must hold the PCM of a whole chunk
 * (16 KB of 24 kb/s Opus is 5 s), and that memory never shrinks.
 */
const COMPRESSED_CHUNK_BYTES = 16 * 1024;

interface Decoded {
  channelData: Float32Array[];
  samplesDecoded: number;
  sampleRate: number;
  errors: { message: string }[];
}

interface StreamDecoder {
  ready: Promise<void>;
  decode(data: Uint8Array): Decoded | Promise<Decoded>;
  flush?: () => Promise<Decoded>;
  free(): void;
}

/** Decoded audio and how many frames the decoder refused as damaged. */
export interface CompressedOutcome {
  samples: number;
  errors: number;
  firstError: string | null;
}

/** Hands decoded audio to the sink, starting it at the first samples, and counts damaged frames. */
export class Forwarder {
  samples = 0;
  errors = 0;
  firstError: string | null = null;
  private started = false;

  constructor(private readonly sink: PcmSink) {}

  take(decoded: Decoded): void {
    this.errors += decoded.errors.length;
    this.firstError ??= decoded.errors[0]?.message ?? null;
    if (decoded.samplesDecoded === 0) return;
    if (!this.started) {
      this.sink.format({ channels: decoded.channelData.length, sampleRate: decoded.sampleRate });
      this.started = true;
    }
    this.sink.write(decoded.channelData, decoded.samplesDecoded);
    this.samples += decoded.samplesDecoded;
  }

  outcome(): CompressedOutcome {
    return { samples: this.samples, errors: this.errors, firstError: this.firstError };
  }
}

async function run(decoder: StreamDecoder, source: AudioSource, sink: PcmSink): Promise<CompressedOutcome> {
  await decoder.ready;
  const forwarder = new Forwarder(sink);
  try {
    for await (const chunk of chunks(source, 0, source.size, COMPRESSED_CHUNK_BYTES))
      forwarder.take(await decoder.decode(chunk));
    if (decoder.flush) forwarder.take(await decoder.flush());
  } finally {
    decoder.free();
  }
  return forwarder.outcome();
}

export async function decodeFlac(source: AudioSource, sink: PcmSink): Promise<CompressedOutcome> {
  const { FLACDecoder } = await import('@wasm-audio-decoders/flac');
  const outcome = await run(new FLACDecoder(), source, sink);
  const expected = flacTotalSamples(source.head);
  if (expected > 0 && outcome.samples < expected) {
    throw new AudioRejected(
      `The FLAC file ends after ${outcome.samples} of its ${expected} samples; it was cut off or is damaged.`,
    );
  }
  return outcome;
}

/** STREAMINFO's count of samples per channel (0 when the encoder did not know it). */
function flacTotalSamples(head: Buffer): number {
  if (head.length < 8 + 34) return 0;
  const high = (head[8 + 13] ?? 0) & 0x0f;
  return high * 2 ** 32 + head.readUInt32BE(8 + 14);
}

/** Two frames of slack for the encoder delay and padding that gapless decoding removes. */
const MP3_SLACK_SAMPLES = 2 * 1152;

export async function decodeMp3(source: AudioSource, sink: PcmSink): Promise<CompressedOutcome> {
  const { MPEGDecoder } = await import('mpg123-decoder');
  const outcome = await run(new MPEGDecoder(), source, sink);
  const promised = mp3PromisedSamples(source.head);
  if (promised !== null && outcome.samples + MP3_SLACK_SAMPLES < promised) {
    throw new AudioRejected(
      `The MP3 file ends after ${outcome.samples} of its ${promised} samples; it was cut off or is damaged.`,
    );
  }
  return outcome;
}

export async function decodeOggOpus(source: AudioSource, sink: PcmSink): Promise<CompressedOutcome> {
  if (!(await oggHasEnd(source))) {
    throw new AudioRejected('The Ogg/Opus file has no end-of-stream page; it was cut off or is damaged.');
  }
  const { OggOpusDecoder } = await import('ogg-opus-decoder');
  // Decoded at 16 kHz rather than Opus's native 48 kHz: a third of the work, and speech energy is below 8 kHz.
  const decoder = new OggOpusDecoder({ sampleRate: 16000 } as ConstructorParameters<typeof OggOpusDecoder>[0]);
  return run(decoder, source, sink);
}
