// Compressed formats carry no length the decoder checks, so a file cut off in transit decodes "fine" up to the
// cut. These read the marks the encoders leave: Ogg's end-of-stream flag and the MP3 Xing/Info frame count.
import type { AudioSource } from './source';

const OGG_TAIL_BYTES = 70 * 1024; // an Ogg page is at most 65,307 bytes
const EOS_FLAG = 0x04;

/** True when the last Ogg page in the file is marked end-of-stream (a cut-off file's last whole page is not). */
export async function oggHasEnd(source: AudioSource): Promise<boolean> {
  const length = Math.min(source.size, OGG_TAIL_BYTES);
  const tail = Buffer.alloc(length);
  await source.handle.read(tail, 0, length, source.size - length);
  const last = tail.lastIndexOf('OggS', undefined, 'latin1');
  return last >= 0 && ((tail[last + 5] ?? 0) & EOS_FLAG) !== 0;
}

function id3Length(head: Buffer): number {
  if (head.length < 10 || head.toString('latin1', 0, 3) !== 'ID3') return 0;
  const size = ((head[6] ?? 0) << 21) | ((head[7] ?? 0) << 14) | ((head[8] ?? 0) << 7) | (head[9] ?? 0);
  return 10 + size;
}

/**
 * The samples per channel an MP3's Xing or Info frame promises (its frame count × samples per frame), or null
 * when the file has none (then nothing tells a cut-off file from a short one).
 */
export function mp3PromisedSamples(head: Buffer): number | null {
  const start = id3Length(head);
  if (start + 4 > head.length || head[start] !== 0xff) return null;
  const version = ((head[start + 1] ?? 0) >> 3) & 0x03; // 3 = MPEG-1, 2 = MPEG-2, 0 = MPEG-2.5
  const layer = ((head[start + 1] ?? 0) >> 1) & 0x03; // 1 = Layer III
  if (layer !== 1) return null;
  const samplesPerFrame = version === 3 ? 1152 : 576;
  const window = head.subarray(start + 4, Math.min(head.length, start + 4 + 64));
  let tag = window.indexOf('Xing', 0, 'latin1');
  if (tag < 0) tag = window.indexOf('Info', 0, 'latin1');
  if (tag < 0 || tag + 12 > window.length) return null;
  const flags = window.readUInt32BE(tag + 4);
  if ((flags & 0x01) === 0) return null;
  return window.readUInt32BE(tag + 8) * samplesPerFrame;
}
