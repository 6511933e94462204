// What every decoder shares: the file read in chunks, the PCM handed on per channel, and the failure it throws.
import type { FileHandle } from 'node:fs/promises';

export const READ_CHUNK_BYTES = 64 * 1024;
/** Every this many chunks the worker collects garbage (see `chunks`). */
const CHUNKS_PER_COLLECTION = 32;

/** A recording that can't be analysed; the message is shown to people as it is. */
export class AudioRejected extends Error {}

export interface PcmFormat {
  channels: number;
  sampleRate: number;
  /** Sample frames the file's header declares, when it does (WAV): a length over the limit is refused at once. */
  declaredFrames?: number;
}

/** Where decoded audio goes: `format` once, then `write` with the same channel count every time. */
export interface PcmSink {
  format(format: PcmFormat): void;
  write(channelData: Float32Array[], length: number): void;
}

export interface AudioSource {
  handle: FileHandle;
  size: number;
  head: Buffer;
}

/**
 * The file's bytes from `offset` to `end` in chunks of about `chunk` bytes. Decoders hand back new typed arrays
 * for every chunk: garbage outside the JS heap, which V8 lets pile up for tens of megabytes before it collects.
 * The worker runs with --expose-gc, so a collection every 32 chunks (2 MB read) keeps its RSS flat.
 */
export async function* chunks(
  source: AudioSource,
  offset = 0,
  end = source.size,
  chunk = READ_CHUNK_BYTES,
): AsyncGenerator<Buffer> {
  const collect = (globalThis as { gc?: () => void }).gc;
  let position = offset;
  let count = 0;
  while (position < end) {
    if (collect && ++count % CHUNKS_PER_COLLECTION === 0) collect();
    const want = Math.min(chunk, end - position);
    const buf = Buffer.allocUnsafe(want);
    const { bytesRead } = await source.handle.read(buf, 0, want, position);
    if (bytesRead === 0) return;
    position += bytesRead;
    yield buf.subarray(0, bytesRead);
  }
}
