import fs from 'node:fs/promises';

export interface AudioType {
  mime: string;
  extension: string;
}

const HEAD_BYTES = 4100;

function ascii(buf: Buffer, start: number, text: string): boolean {
  return buf.length >= start + text.length && buf.toString('latin1', start, start + text.length) === text;
}

// ISO base media brands that carry audio we accept as M4A/AAC.
const MP4_BRANDS = ['M4A ', 'M4B ', 'mp41', 'mp42', 'isom', 'iso2', 'dash', 'MSNV', 'NDAS', 'f4a '];

/** Identifies an accepted audio format from its first bytes; the file name and Content-Type are never trusted. */
export function sniffAudio(head: Buffer): AudioType | null {
  if (ascii(head, 0, 'RIFF') && ascii(head, 8, 'WAVE')) return { mime: 'audio/wav', extension: 'wav' };
  if (ascii(head, 0, 'fLaC')) return { mime: 'audio/flac', extension: 'flac' };
  if (ascii(head, 0, 'OggS')) {
    const opus = head.includes('OpusHead', 0, 'latin1');
    return { mime: 'audio/ogg', extension: opus ? 'opus' : 'ogg' };
  }
  if (head.length >= 4 && head.readUInt32BE(0) === 0x1a45dfa3) return { mime: 'audio/webm', extension: 'webm' };
  if (ascii(head, 4, 'ftyp') && MP4_BRANDS.includes(head.toString('latin1', 8, 12))) {
    return { mime: 'audio/mp4', extension: 'm4a' };
  }
  if (ascii(head, 0, 'ID3')) return { mime: 'audio/mpeg', extension: 'mp3' };
  const second = head[1];
  if (head[0] === 0xff && second !== undefined) {
    if ((second & 0xf6) === 0xf0) return { mime: 'audio/aac', extension: 'aac' }; // ADTS
    if ((second & 0xe0) === 0xe0 && (second & 0x06) !== 0) return { mime: 'audio/mpeg', extension: 'mp3' };
  }
  return null;
}

export async function sniffAudioFile(file: string): Promise<AudioType | null> {
  const handle = await fs.open(file, 'r');
  try {
    const buf = Buffer.alloc(HEAD_BYTES);
    const { bytesRead } = await handle.read(buf, 0, HEAD_BYTES, 0);
    return sniffAudio(buf.subarray(0, bytesRead));
  } finally {
    await handle.close();
  }
}

/** A WAV whose RIFF header promises more bytes than the file holds was cut off in transit. */
export async function wavIsTruncated(file: string, size: number): Promise<boolean> {
  const handle = await fs.open(file, 'r');
  try {
    const buf = Buffer.alloc(12);
    await handle.read(buf, 0, 12, 0);
    return buf.readUInt32LE(4) + 8 > size;
  } finally {
    await handle.close();
  }
}
