// Real audio made in the test set-up: speech from espeak-ng, tones and noise from sox, other formats from ffmpeg.
// No binaries are committed; each test file makes what it needs in a temporary folder.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const TOOLS = ['espeak-ng', 'sox', 'ffmpeg'];

/** Fails (never skips) when a tool is missing, saying how to install it. */
export function requireAudioTools(): void {
  for (const tool of TOOLS) {
    try {
      execFileSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' });
    } catch {
      throw new Error(
        `${tool} is not installed; the audio tests need it: apt-get install -y espeak-ng sox libsox-fmt-all ffmpeg (.ci/run does this).`,
      );
    }
  }
}

export function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'callscore-audio-'));
}

function run(command: string, args: string[]): void {
  execFileSync(command, args, { stdio: ['ignore', 'ignore', 'pipe'] });
}

export function duration(file: string): number {
  return Number(execFileSync('soxi', ['-D', file]).toString().trim());
}

export interface Clip {
  file: string;
  duration_s: number;
}

/** A sentence spoken by espeak-ng at 8 kHz mono, with its leading and trailing silence cut off. */
export function speech(dir: string, name: string, text: string, voice = 'en-us'): Clip {
  const raw = path.join(dir, `${name}.raw.wav`);
  const file = path.join(dir, `${name}.wav`);
  // -g 2: short gaps between words, so no pause inside a sentence reaches 0.3 s.
  run('espeak-ng', ['-v', voice, '-s', '160', '-g', '2', '-w', raw, text]);
  const trim = ['silence', '1', '0.02', '0.5%', 'reverse', 'silence', '1', '0.02', '0.5%', 'reverse'];
  run('sox', [raw, '-r', '8000', '-b', '16', file, 'gain', '-n', '-3', ...trim]);
  return { file, duration_s: duration(file) };
}

export interface Placement {
  clip: Clip;
  at_s: number;
}

/** One side of a call: the clips placed at their times over `length_s` of quiet line noise. */
function side(dir: string, name: string, placements: Placement[], length_s: number, noiseDb: number): string {
  const parts = placements.map((p, i) => {
    const out = path.join(dir, `${name}-${i}.wav`);
    run('sox', [p.clip.file, out, 'pad', String(p.at_s), '0']);
    return out;
  });
  const noise = path.join(dir, `${name}-noise.wav`);
  const amplitude = 10 ** (noiseDb / 20);
  run('sox', [
    '-n',
    '-r',
    '8000',
    '-b',
    '16',
    '-c',
    '1',
    noise,
    'synth',
    String(length_s),
    'pinknoise',
    'vol',
    String(amplitude),
  ]);
  const file = path.join(dir, `${name}.wav`);
  const inputs = parts.length > 0 ? ['-m', noise, ...parts] : [noise];
  run('sox', [...inputs, file, 'trim', '0', String(length_s)]);
  return file;
}

/** A stereo call: agent on the left, customer on the right, 8 kHz 16-bit, with line noise at `noiseDb` dBFS. */
export function stereoCall(
  dir: string,
  agent: Placement[],
  customer: Placement[],
  length_s: number,
  noiseDb = -60,
): string {
  const left = side(dir, 'agent', agent, length_s, noiseDb);
  const right = side(dir, 'customer', customer, length_s, noiseDb);
  const file = path.join(dir, 'call.wav');
  run('sox', ['-M', left, right, file]);
  return file;
}

/** Any file sox can make from a synth expression, e.g. tone(dir, 'a.wav', ['-c', '2'], ['synth', '1', 'sine', '440']). */
export function sox(dir: string, name: string, formatArgs: string[], effect: string[]): string {
  const file = path.join(dir, name);
  run('sox', ['-n', '-r', '8000', ...formatArgs, file, ...effect]);
  return file;
}

/** sox from files to a file: `soxFiles(['-M', left, right], out)` or `soxFiles([in], out, ['gain', '24'])`. */
export function soxFiles(inputs: string[], output: string, effects: string[] = []): string {
  run('sox', [...inputs, output, ...effects]);
  return output;
}

/** The same audio in another format, by ffmpeg (codec args such as ['-c:a', 'libopus']). */
export function convert(input: string, output: string, codecArgs: string[] = []): string {
  run('ffmpeg', ['-loglevel', 'error', '-y', '-i', input, ...codecArgs, output]);
  return output;
}

export interface WavHeader {
  code?: number;
  channels?: number;
  sampleRate?: number;
  bits?: number;
  dataBytes?: number;
  /** What the header claims, when it lies. */
  claimedDataBytes?: number;
}

/** A WAV written byte by byte, for headers no tool would write (0 Hz, 8 channels, a lying length). */
export function rawWav(file: string, header: WavHeader, fill: (i: number) => number = () => 0): string {
  const { code = 1, channels = 1, sampleRate = 8000, bits = 16, dataBytes = 16000 } = header;
  const blockAlign = (channels * bits) / 8;
  const buf = Buffer.alloc(44 + dataBytes);
  buf.write('RIFF', 0, 'latin1');
  buf.writeUInt32LE(Math.min(0xffffffff, 36 + (header.claimedDataBytes ?? dataBytes)), 4);
  buf.write('WAVEfmt ', 8, 'latin1');
  buf.writeUInt32LE(16, 16);
  buf.writeUInt16LE(code, 20);
  buf.writeUInt16LE(channels, 22);
  buf.writeUInt32LE(sampleRate, 24);
  buf.writeUInt32LE(sampleRate * blockAlign, 28);
  buf.writeUInt16LE(blockAlign, 32);
  buf.writeUInt16LE(bits, 34);
  buf.write('data', 36, 'latin1');
  buf.writeUInt32LE(header.claimedDataBytes ?? dataBytes, 40);
  if (bits === 16) for (let i = 0; i + 1 < dataBytes; i += 2) buf.writeInt16LE(fill(i / 2), 44 + i);
  fs.writeFileSync(file, buf);
  return file;
}

/** The first `fraction` of a file's bytes, as a transfer cut short would leave it. */
export function truncated(input: string, output: string, fraction: number): string {
  const bytes = fs.readFileSync(input);
  fs.writeFileSync(output, bytes.subarray(0, Math.floor(bytes.length * fraction)));
  return output;
}

/** The file with its middle fifth overwritten by garbage (header and ending intact). */
export function corrupted(input: string, output: string): string {
  const bytes = Buffer.from(fs.readFileSync(input));
  for (let i = Math.floor(bytes.length * 0.4); i < bytes.length * 0.6; i++) bytes[i] = (i * 7919) & 0xff;
  fs.writeFileSync(output, bytes);
  return output;
}
