// Picks the decoder from the file's first bytes (never its name) and streams the audio through the sink.
import fs from 'node:fs/promises';
import { decodeFlac, decodeMp3, decodeOggOpus, type CompressedOutcome } from './compressed';
import { AudioRejected, type AudioSource, type PcmSink } from './source';
import { decodeWav } from './wav';
import { decodeWebm } from './webm';

const HEAD_BYTES = 4096;

function ascii(buf: Buffer, start: number, text: string): boolean {
  return buf.length >= start + text.length && buf.toString('latin1', start, start + text.length) === text;
}

function isMp3(head: Buffer): boolean {
  if (ascii(head, 0, 'ID3')) return true;
  const second = head[1] ?? 0;
  return head[0] === 0xff && (second & 0xe0) === 0xe0 && (second & 0x06) !== 0;
}

type Decoder = (source: AudioSource, sink: PcmSink) => Promise<CompressedOutcome | void>;

function pickDecoder(head: Buffer): Decoder {
  if (head.length === 0) throw new AudioRejected('The recording is empty (0 bytes).');
  if (ascii(head, 0, 'RIFF') && ascii(head, 8, 'WAVE')) return decodeWav;
  if (ascii(head, 0, 'fLaC')) return decodeFlac;
  if (ascii(head, 0, 'OggS')) {
    if (head.includes('OpusHead', 0, 'latin1')) return decodeOggOpus;
    throw new AudioRejected('Ogg files other than Ogg/Opus (e.g. Vorbis) can’t be analysed yet.');
  }
  if (head.length >= 4 && head.readUInt32BE(0) === 0x1a45dfa3) return decodeWebm;
  if (ascii(head, 4, 'ftyp') || (head[0] === 0xff && ((head[1] ?? 0) & 0xf6) === 0xf0)) {
    throw new AudioRejected('M4A/AAC can’t be analysed yet: no well-kept pure JavaScript AAC decoder exists.');
  }
  if (isMp3(head)) return decodeMp3;
  throw new AudioRejected('The recording is not in an audio format the analyser reads.');
}

/** Decodes `file` into `sink`; throws AudioRejected with a message for people when it can't. */
export async function decodeFile(file: string, sink: PcmSink): Promise<void> {
  const handle = await fs.open(file, 'r');
  try {
    const { size } = await handle.stat();
    const head = Buffer.alloc(Math.min(HEAD_BYTES, size));
    await handle.read(head, 0, head.length, 0);
    const outcome = await pickDecoder(head)({ handle, size, head }, sink);
    // A damaged frame fails the whole analysis: figures measured around a hole would look right and be wrong.
    if (outcome && outcome.errors > 0) {
      const first = outcome.firstError ? ` (${outcome.firstError})` : '';
      throw new AudioRejected(`${outcome.errors} frames of the recording are damaged${first}; it can’t be analysed.`);
    }
  } finally {
    await handle.close();
  }
}
