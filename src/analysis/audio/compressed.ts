// FLAC, MP3 and Ogg/Opus through the WebAssembly decoders of the wasm-audio-decoders family (MIT), fed the file a
// chunk at a time. They are ES modules, loaded with import() from this CommonJS code.
import { AudioRejected, chunks, type AudioSource, type PcmSink } from './source';

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

class Forwarder {
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
}

async function run(decoder: StreamDecoder, source: AudioSource, sink: PcmSink): Promise<CompressedOutcome> {
  await decoder.ready;
  const forwarder = new Forwarder(sink);
  try {
    for await (const chunk of chunks(source)) forwarder.take(await decoder.decode(chunk));
    if (decoder.flush) forwarder.take(await decoder.flush());
  } finally {
    decoder.free();
  }
  return { samples: forwarder.samples, errors: forwarder.errors, firstError: forwarder.firstError };
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

export async function decodeMp3(source: AudioSource, sink: PcmSink): Promise<CompressedOutcome> {
  const { MPEGDecoder } = await import('mpg123-decoder');
  return run(new MPEGDecoder(), source, sink);
}

export async function decodeOggOpus(source: AudioSource, sink: PcmSink): Promise<CompressedOutcome> {
  const { OggOpusDecoder } = await import('ogg-opus-decoder');
  return run(new OggOpusDecoder(), source, sink);
}
