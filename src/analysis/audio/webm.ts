// WebM/Opus: a small Matroska (EBML) demuxer of our own (the npm EBML parsers are unmaintained or browser-only)
// hands the Opus packets of the first audio track to opus-decoder (MIT), a batch at a time.
import { Forwarder, type CompressedOutcome } from './compressed';
import { AudioRejected, type AudioSource, type PcmSink } from './source';

const ID = {
  segment: 0x18538067,
  cluster: 0x1f43b675,
  tracks: 0x1654ae6b,
  trackEntry: 0xae,
  trackNumber: 0xd7,
  codecId: 0x86,
  codecPrivate: 0x63a2,
  blockGroup: 0xa0,
  block: 0xa1,
  simpleBlock: 0xa3,
};
const MASTERS = new Set([ID.segment, ID.cluster, ID.tracks, ID.trackEntry, ID.blockGroup]);
const LEAVES = new Set([ID.trackNumber, ID.codecId, ID.codecPrivate, ID.block, ID.simpleBlock]);
const WINDOW_BYTES = 256 * 1024;
const BATCH_PACKETS = 250;
const DECODE_RATE = 16000;

/** Reads the file through a sliding window, so millions of small elements cost few reads. */
class Window {
  private buf = Buffer.alloc(0);
  private start = 0;

  constructor(private readonly source: AudioSource) {}

  async bytes(position: number, length: number): Promise<Buffer> {
    if (position < this.start || position + length > this.start + this.buf.length) {
      const size = Math.min(Math.max(length, WINDOW_BYTES), this.source.size - position);
      const buf = Buffer.alloc(Math.max(0, size));
      const { bytesRead } = await this.source.handle.read(buf, 0, buf.length, position);
      this.buf = buf.subarray(0, bytesRead);
      this.start = position;
    }
    const at = position - this.start;
    if (at + length > this.buf.length)
      throw new AudioRejected('The WebM file ends inside an element; it was cut off or is damaged.');
    return this.buf.subarray(at, at + length);
  }
}

/** An EBML variable-length integer: its length from the leading zeros of the first byte. */
function vint(buf: Buffer, at: number, keepMarker: boolean): { value: number; length: number; unknown: boolean } {
  const first = buf[at] ?? 0;
  let length = 1;
  while (length <= 8 && (first & (0x80 >> (length - 1))) === 0) length++;
  if (length > 8) throw new AudioRejected('The WebM file holds an invalid element header; it looks damaged.');
  let value = keepMarker ? first : first & (0xff >> length);
  let allOnes = value === 0xff >> length;
  for (let i = 1; i < length; i++) {
    const byte = buf[at + i] ?? 0;
    value = value * 256 + byte;
    allOnes &&= byte === 0xff;
  }
  return { value, length, unknown: !keepMarker && allOnes };
}

interface Track {
  number: number;
  codec: string;
  head: Buffer | null;
}

interface Demux {
  tracks: Track[];
  /** The track whose packets are decoded, chosen at the first cluster. */
  chosen: Track | null;
}

/** The first Opus track; a file whose audio is in another codec is refused by name. */
function chooseTrack(tracks: Track[]): Track {
  const opus = tracks.find((t) => t.codec === 'A_OPUS');
  if (opus) return opus;
  const audio = tracks.find((t) => t.codec.startsWith('A_'));
  throw new AudioRejected(
    audio
      ? `WebM audio encoded as ${audio.codec.slice(2)} can’t be analysed yet; only Opus is read.`
      : 'The WebM file has no audio track.',
  );
}

/** The Opus payload of a block of our track, or null for other tracks. Laced blocks are refused. */
function blockPacket(body: Buffer, track: Track): Uint8Array | null {
  const number = vint(body, 0, false);
  if (number.value !== track.number) return null;
  const flags = body[number.length + 2] ?? 0;
  if ((flags & 0x06) !== 0) throw new AudioRejected('WebM files with laced blocks can’t be analysed yet.');
  return Uint8Array.from(body.subarray(number.length + 3));
}

/** Reads one leaf element; returns an Opus packet when it is a block of the chosen track. */
function takeLeaf(id: number, body: Buffer, demux: Demux): Uint8Array | null {
  const current = demux.tracks[demux.tracks.length - 1];
  if (id === ID.block || id === ID.simpleBlock) {
    demux.chosen ??= chooseTrack(demux.tracks);
    return blockPacket(body, demux.chosen);
  }
  if (!current || demux.chosen) return null;
  if (id === ID.trackNumber) current.number = body.readUIntBE(0, Math.min(6, Math.max(1, body.length)));
  if (id === ID.codecId) current.codec = body.toString('latin1').replace(/\0+$/, '');
  if (id === ID.codecPrivate) current.head = Buffer.from(body);
  return null;
}

type PacketSink = (packet: Uint8Array, track: Track) => Promise<void>;

/** Walks every element of the file, descending into the few containers that lead to tracks and blocks. */
async function walk(window: Window, size: number, demux: Demux, onPacket: PacketSink): Promise<void> {
  let position = 0;
  while (position < size) {
    const header = await window.bytes(position, Math.min(12, size - position));
    const id = vint(header, 0, true);
    const length = vint(header, id.length, false);
    const body = position + id.length + length.length;
    if (!length.unknown && body + length.value > size) {
      throw new AudioRejected('The WebM file is shorter than its headers say; it was cut off or is damaged.');
    }
    if (MASTERS.has(id.value)) {
      if (id.value === ID.trackEntry) demux.tracks.push({ number: 0, codec: '', head: null });
      position = body;
      continue;
    }
    if (length.unknown) throw new AudioRejected('The WebM file holds an element of unknown size; it looks damaged.');
    if (LEAVES.has(id.value)) {
      const packet = takeLeaf(id.value, await window.bytes(body, length.value), demux);
      if (packet && demux.chosen) await onPacket(packet, demux.chosen);
    }
    position = body + length.value;
  }
}

interface OpusBatchDecoder {
  ready: Promise<void>;
  decodeFrames(frames: Uint8Array[]): CompressedDecoded;
  free(): void;
}
type CompressedDecoded = Parameters<Forwarder['take']>[0];

async function opusDecoder(head: Buffer | null): Promise<OpusBatchDecoder> {
  if (!head || head.toString('latin1', 0, 8) !== 'OpusHead' || head.length < 19) {
    throw new AudioRejected('The WebM Opus track has no valid OpusHead; it looks damaged.');
  }
  const channels = head[9] ?? 0;
  if (channels > 2) {
    throw new AudioRejected(
      `The recording has ${channels} channels; the analyser reads mono, or stereo with the agent and the customer on one channel each.`,
    );
  }
  const { OpusDecoder } = await import('opus-decoder');
  // Decoded at 16 kHz like Ogg/Opus; OpusHead's pre-skip is counted at 48 kHz.
  const preSkip = Math.round((head.readUInt16LE(10) * DECODE_RATE) / 48000);
  const decoder = new OpusDecoder({ channels, preSkip, sampleRate: DECODE_RATE });
  await decoder.ready;
  return decoder;
}

export async function decodeWebm(source: AudioSource, sink: PcmSink): Promise<CompressedOutcome> {
  const forwarder = new Forwarder(sink);
  const demux: Demux = { tracks: [], chosen: null };
  let decoder: OpusBatchDecoder | null = null;
  let batch: Uint8Array[] = [];
  const flush = () => {
    if (decoder && batch.length > 0) forwarder.take(decoder.decodeFrames(batch));
    batch = [];
  };
  try {
    await walk(new Window(source), source.size, demux, async (packet, track) => {
      decoder ??= await opusDecoder(track.head);
      batch.push(packet);
      if (batch.length >= BATCH_PACKETS) flush();
    });
    flush();
  } finally {
    (decoder as OpusBatchDecoder | null)?.free();
  }
  if (!demux.chosen) throw new AudioRejected('The WebM file holds no audio.');
  return forwarder.outcome();
}
