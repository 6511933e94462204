// Very long recordings (issue 15, bad input): a 10-hour file is refused with a readable message before any
// decoding when its header says how long it is, and as the audio streams past when it does not, so memory and
// time stay bounded; a header claiming 10 hours over a short body is a cut-off file. Never a crash.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { analyseAudio, type AudioAnalysisResult } from '../../src/analysis';
import { tempDir } from './audio-fixtures';

jest.setTimeout(60_000);

let dir: string;
let peaksPath: string;
beforeAll(() => {
  dir = tempDir();
  peaksPath = path.join(dir, 'peaks.bin');
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function analyse(file: string, maxDurationS?: number): Promise<AudioAnalysisResult> {
  fs.writeFileSync(peaksPath, 'left over from an earlier run');
  return analyseAudio(file, { agentChannel: 'left', deadAirMinS: 2, peaksPath, maxDurationS });
}

/** A WAV header for 8 kHz 8-bit mono PCM; `dataBytes` of audio follow (a sparse file: no disk is written). */
function sparseWav(file: string, declaredBytes: number, actualBytes: number): string {
  const header = Buffer.alloc(44);
  header.write('RIFF', 0, 'latin1');
  header.writeUInt32LE(Math.min(0xffffffff, 36 + declaredBytes), 4);
  header.write('WAVEfmt ', 8, 'latin1');
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(1, 20);
  header.writeUInt16LE(1, 22);
  header.writeUInt32LE(8000, 24);
  header.writeUInt32LE(8000, 28);
  header.writeUInt16LE(1, 32);
  header.writeUInt16LE(8, 34);
  header.write('data', 36, 'latin1');
  header.writeUInt32LE(declaredBytes, 40);
  fs.writeFileSync(file, header);
  fs.truncateSync(file, 44 + actualBytes);
  return file;
}

const TEN_HOURS_BYTES = 10 * 3600 * 8000;

test('a real 10-hour WAV (288 MB, sparse) is refused at once from its header, with a readable message', async () => {
  const file = sparseWav(path.join(dir, 'ten-hours.wav'), TEN_HOURS_BYTES, TEN_HOURS_BYTES);
  expect(fs.statSync(file).size).toBe(44 + TEN_HOURS_BYTES);
  const started = Date.now();
  const result = await analyse(file);
  expect(result).toEqual({
    ok: false,
    message: 'The recording says it is 10 hours long, more than the 6 hours the analyser reads; it was not analysed.',
  });
  // Refused from the header, not after decoding 10 hours of audio.
  expect(Date.now() - started).toBeLessThan(20_000);
  expect(fs.existsSync(peaksPath)).toBe(false);
});

test('a header claiming 10 hours over a one-second body is a cut-off file, not a 10-hour analysis', async () => {
  const file = sparseWav(path.join(dir, 'lying.wav'), TEN_HOURS_BYTES, 8000);
  const result = await analyse(file);
  expect(result).toEqual({
    ok: false,
    message: `The WAV file is ${TEN_HOURS_BYTES - 8000} bytes shorter than its header says; it was cut off.`,
  });
});

test('a file that does not say its length is stopped once the audio passes the limit', async () => {
  // An MP3 without a Xing/Info frame count: its length is known only by decoding it. 3 minutes; limit 2.
  const file = path.join(dir, 'open.mp3');
  const noise = ['-f', 'lavfi', '-i', 'anoisesrc=d=180:r=8000:a=0.1', '-ac', '1', '-b:a', '32k', '-write_xing', '0'];
  execFileSync('ffmpeg', ['-loglevel', 'error', '-y', ...noise, file]);
  const result = await analyse(file, 120);
  expect(result).toEqual({
    ok: false,
    message: 'The recording is longer than the 2 minutes the analyser reads; it was not analysed.',
  });
  expect(fs.existsSync(peaksPath)).toBe(false);
  // Under the limit the same file is analysed.
  const within = await analyse(file, 240);
  expect(within.ok && Math.round(within.analysis.duration_s)).toBe(180);
});
