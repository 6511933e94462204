// What every decoder shares: the file read in chunks, the PCM handed on per channel, and the failure it throws.
import type { FileHandle } from 'node:fs/promises';

export const READ_CHUNK_BYTES = 64 * 1024;

/** A recording that can't be analysed; the message is shown to people as it is. */
export class AudioRejected extends Error {}

export interface PcmFormat {
  channels: number;
  sampleRate: number;
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

/** The file's bytes from `offset` to `end` in chunks of about `chunk` bytes. */
export async function* chunks(
  source: AudioSource,
  offset = 0,
  end = source.size,
  chunk = READ_CHUNK_BYTES,
): AsyncGenerator<Buffer> {
  let position = offset;
  while (position < end) {
    const want = Math.min(chunk, end - position);
    const buf = Buffer.allocUnsafe(want);
    const { bytesRead } = await source.handle.read(buf, 0, want, position);
    if (bytesRead === 0) return;
    position += bytesRead;
    yield buf.subarray(0, bytesRead);
  }
}
