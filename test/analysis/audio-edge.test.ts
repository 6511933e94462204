// Edge cases on generated tones, noise and hand-made headers: the analyser answers with figures or a clear
// `failed` message, never a crash, a hang or a half-written peaks file.
import fs from 'node:fs';
import path from 'node:path';
import { analyseAudio, type AudioAnalysis, type AudioAnalysisResult } from '../../src/analysis';
import {
  convert,
  corrupted,
  rawWav,
  requireAudioTools,
  sox,
  soxFiles,
  speech,
  tempDir,
  truncated,
} from './audio-fixtures';

jest.setTimeout(60_000);

let dir: string;
let peaksPath: string;
let clip: { file: string; duration_s: number };

beforeAll(() => {
  requireAudioTools();
  dir = tempDir();
  peaksPath = path.join(dir, 'peaks.bin');
  clip = speech(dir, 'clip', 'please hold the line while I check your account details');
});

function analyse(file: string, timeLimitMs?: number): Promise<AudioAnalysisResult> {
  return analyseAudio(file, { agentChannel: 'left', deadAirMinS: 2, peaksPath, timeLimitMs });
}

async function analysed(file: string): Promise<AudioAnalysis> {
  const result = await analyse(file);
  if (!result.ok) throw new Error(`analysis failed: ${result.message}`);
  return result.analysis;
}

async function failed(file: string): Promise<string> {
  fs.writeFileSync(peaksPath, 'left over from an earlier run');
  const result = await analyse(file);
  if (result.ok) throw new Error(`expected a failed analysis, got ${JSON.stringify(result.analysis)}`);
  expect(fs.existsSync(peaksPath)).toBe(false);
  expect(fs.existsSync(`${peaksPath}.partial`)).toBe(false);
  return result.message;
}

/** A stereo file from two mono files (left, right). */
function stereo(name: string, left: string, right: string): string {
  return soxFiles(['-M', left, right], path.join(dir, name));
}

test('digital silence: no speech, no talk ratio, the whole call is dead air', async () => {
  const file = sox(dir, 'silence.wav', ['-c', '2', '-b', '16'], ['trim', '0', '5']);
  const a = await analysed(file);
  expect(a.speech).toEqual({ agent_s: 0, customer_s: 0, talk_ratio: null });
  expect(a.overtalk).toEqual({ total_s: 0, count: 0, segments: [] });
  expect(a.dead_air.segments).toEqual([{ start_s: 0, end_s: 5 }]);
});

test('steady line noise is the noise floor, not speech', async () => {
  const file = sox(dir, 'noise.wav', ['-c', '2', '-b', '16'], ['synth', '5', 'pinknoise', 'vol', '0.05']);
  const a = await analysed(file);
  expect(a.speech?.agent_s).toBe(0);
  expect(a.speech?.customer_s).toBe(0);
});

test('one side silent: all speech is the agent’s, no overtalk', async () => {
  const quiet = sox(dir, 'quiet.wav', ['-c', '1', '-b', '16'], ['trim', '0', String(clip.duration_s)]);
  const a = await analysed(stereo('one-side.wav', clip.file, quiet));
  expect(a.speech?.customer_s).toBe(0);
  expect(a.speech?.talk_ratio).toBe(1);
  expect(a.speech?.agent_s).toBeGreaterThan(clip.duration_s * 0.9);
  expect(a.overtalk?.count).toBe(0);
});

test('clipped (overdriven) speech is still measured as speech of the right length', async () => {
  const loud = soxFiles([clip.file], path.join(dir, 'clipped.wav'), ['gain', '24']);
  const a = await analysed(loud);
  expect(a.mono).toBe(true);
  expect(a.mono_speech_s).toBeGreaterThan(clip.duration_s * 0.9);
  expect(a.mono_speech_s).toBeLessThan(clip.duration_s * 1.1);
});

test('a DC offset is not sound, and does not hide speech', async () => {
  const offsetSilence = sox(dir, 'dc.wav', ['-c', '1', '-b', '16'], ['trim', '0', '4', 'dcshift', '0.3']);
  expect((await analysed(offsetSilence)).mono_speech_s).toBe(0);
  const offsetSpeech = soxFiles([clip.file], path.join(dir, 'dc-speech.wav'), ['dcshift', '0.2']);
  const a = await analysed(offsetSpeech);
  expect(a.mono_speech_s).toBeGreaterThan(clip.duration_s * 0.9);
});

test('mono: speech only; talk ratio and overtalk are absent (null), never 0', async () => {
  const a = await analysed(clip.file);
  expect(a).toMatchObject({ mono: true, channels: 1, speech: null, overtalk: null });
  expect(a.mono_speech_s).toBeGreaterThan(clip.duration_s * 0.9);
  expect(a.speech_segments.customer).toEqual([]);
});

test('very short calls: half a second, and less than one 20 ms frame', async () => {
  const half = sox(dir, 'half.wav', ['-c', '2', '-b', '16'], ['synth', '0.5', 'sine', '440', 'vol', '0.5']);
  const a = await analysed(half);
  expect(a.duration_s).toBeCloseTo(0.5, 2);
  expect(a.dead_air.segments).toEqual([]);
  const tiny = rawWav(path.join(dir, 'tiny.wav'), { channels: 2, dataBytes: 40 }, (i) => (i % 2 ? 9000 : -9000));
  const b = await analysed(tiny);
  expect(b.duration_s).toBeCloseTo(0.00125, 3);
  expect(b.speech_segments).toEqual({ agent: [], customer: [] });
  expect(b.speech?.talk_ratio).toBeNull();
});

test('8 channels are refused with a message', async () => {
  const file = rawWav(path.join(dir, 'eight.wav'), { channels: 8 });
  expect(await failed(file)).toMatch(/8 channels/);
});

test.each([0, 1_000_000])('a header sample rate of %i Hz is refused with a message', async (rate) => {
  const file = rawWav(path.join(dir, `rate-${rate}.wav`), { sampleRate: rate });
  expect(await failed(file)).toMatch(new RegExp(`${rate} Hz`));
});

test('zero-length audio and an empty file are refused', async () => {
  expect(await failed(rawWav(path.join(dir, 'zero.wav'), { dataBytes: 0 }))).toMatch(/no audio/);
  fs.writeFileSync(path.join(dir, 'empty.wav'), '');
  expect(await failed(path.join(dir, 'empty.wav'))).toMatch(/empty/);
});

test('a WAV header that claims more audio than the file holds is refused as cut off', async () => {
  const file = rawWav(path.join(dir, 'liar.wav'), { dataBytes: 1600, claimedDataBytes: 160_000 });
  expect(await failed(file)).toMatch(/cut off/);
});

test('a WAV whose sizes were never filled in (streamed) is read to its end', async () => {
  const file = rawWav(path.join(dir, 'streamed.wav'), { dataBytes: 16000, claimedDataBytes: 0xffffffff });
  expect((await analysed(file)).duration_s).toBe(1);
});

test('ADPCM and other codecs in WAV are refused by name', async () => {
  expect(await failed(rawWav(path.join(dir, 'gsm.wav'), { code: 0x31, bits: 0 }))).toMatch(/GSM 6\.10/);
});

test('M4A/AAC is refused: no well-kept JavaScript decoder', async () => {
  const m4a = convert(clip.file, path.join(dir, 'clip.m4a'), ['-c:a', 'aac']);
  expect(await failed(m4a)).toMatch(/M4A\/AAC can’t be analysed yet/);
});

test('WebM with audio in another codec than Opus is refused by name', async () => {
  const vorbis = convert(clip.file, path.join(dir, 'clip-vorbis.webm'), ['-c:a', 'libvorbis']);
  expect(await failed(vorbis)).toMatch(/VORBIS can’t be analysed yet/);
});

test('a file that is not audio is refused', async () => {
  fs.writeFileSync(path.join(dir, 'notes.txt'), 'these are not the recordings you are looking for');
  expect(await failed(path.join(dir, 'notes.txt'))).toMatch(/not in an audio format/);
});

const COMPRESSED: [string, string[]][] = [
  ['wav', []],
  ['flac', []],
  ['mp3', ['-b:a', '32k']],
  ['opus', ['-c:a', 'libopus']],
  ['webm', ['-c:a', 'libopus']],
];

test.each(COMPRESSED)('a truncated .%s is a failed analysis with a message', async (ext, codecArgs) => {
  const whole = convert(clip.file, path.join(dir, `whole.${ext}`), codecArgs);
  expect(await failed(truncated(whole, path.join(dir, `cut.${ext}`), 0.5))).toMatch(/cut off/);
});

test.each(COMPRESSED.filter(([ext]) => ext !== 'wav'))(
  'a .%s with garbage in its middle is a failed analysis with a message',
  async (ext, codecArgs) => {
    const whole = convert(clip.file, path.join(dir, `whole2.${ext}`), codecArgs);
    expect(await failed(corrupted(whole, path.join(dir, `garbage.${ext}`)))).toMatch(/damaged/);
  },
);

test('the time limit stops a long analysis and leaves no peaks file', async () => {
  const long = sox(dir, 'long.wav', ['-c', '2', '-b', '16'], ['synth', '600', 'pinknoise', 'vol', '0.1']);
  fs.writeFileSync(peaksPath, 'stale');
  const result = await analyse(long, 50);
  expect(result).toEqual({ ok: false, message: expect.stringMatching(/took longer/) });
  expect(fs.existsSync(peaksPath)).toBe(false);
});
