// The waveform peaks file: its format round-trips, damaged files are refused, and the analyser writes the
// agent's lane first.
import fs from 'node:fs';
import path from 'node:path';
import { analyseAudio, decodePeaks, encodePeaks, PEAKS_PER_SECOND } from '../../src/analysis';
import { PeaksBuilder } from '../../src/analysis/audio/peaks';
import { requireAudioTools, sox, tempDir } from './audio-fixtures';

test('encode and decode round-trip, header first', () => {
  const data = Int8Array.from([-5, 7, -128, 127, 0, 0, -1, 1]);
  const buf = encodePeaks({ channels: 2, peaksPerSecond: 10, count: 2, data });
  expect(buf.toString('latin1', 0, 4)).toBe('CSPK');
  expect(buf.length).toBe(12 + 8);
  expect(decodePeaks(buf)).toEqual({ channels: 2, peaksPerSecond: 10, count: 2, data });
});

test('a file with the wrong magic, version or length is refused', () => {
  const good = encodePeaks({ channels: 1, peaksPerSecond: 10, count: 1, data: Int8Array.from([-1, 1]) });
  expect(() => decodePeaks(Buffer.from('XXXX' + good.toString('latin1', 4), 'latin1'))).toThrow(/magic/);
  const future = Buffer.from(good);
  future[4] = 9;
  expect(() => decodePeaks(future)).toThrow(/version/);
  expect(() => decodePeaks(good.subarray(0, good.length - 1))).toThrow(/length/);
  expect(() => decodePeaks(good.subarray(0, 5))).toThrow(/header/);
});

test('the builder keeps min and max per tenth of a second, a last partial peak included', () => {
  const rate = 8000;
  const builder = new PeaksBuilder(1, rate);
  const samples = new Float32Array(Math.round(rate * 0.25));
  samples[10] = 0.5; // peak 0
  samples[900] = -1; // peak 1 (800..1599)
  samples[1700] = 2; // peak 2, the partial one: clamped to full scale
  // Fed in uneven slices, as decoders hand them over.
  builder.add([samples.subarray(0, 333)], 333);
  builder.add([samples.subarray(333)], samples.length - 333);
  const peaks = builder.finish();
  expect(peaks.count).toBe(3);
  expect(Array.from(peaks.data)).toEqual([0, 64, -127, 0, 0, 127]);
});

test('the analyser writes about ten peaks a second, the agent’s lane first', async () => {
  requireAudioTools();
  const dir = tempDir();
  // Left: a loud tone; right: silence. With the agent on the right, lane 0 is the silent one.
  const file = sox(
    dir,
    'lanes.wav',
    ['-c', '2', '-b', '16'],
    ['synth', '3', 'sine', '300', 'sine', '300', 'remix', '1', '0'],
  );
  const peaksPath = path.join(dir, 'lanes.peaks');
  const result = await analyseAudio(file, { agentChannel: 'right', deadAirMinS: 2, peaksPath });
  expect(result.ok).toBe(true);
  const peaks = decodePeaks(fs.readFileSync(peaksPath));
  expect(peaks).toMatchObject({ channels: 2, peaksPerSecond: PEAKS_PER_SECOND, count: 30 });
  for (let i = 0; i < peaks.count; i++) {
    expect([peaks.data[i * 4], peaks.data[i * 4 + 1]]).toEqual([0, 0]);
    expect(peaks.data[i * 4 + 3]).toBeGreaterThan(100);
    expect(peaks.data[i * 4 + 2]).toBeLessThan(-100);
  }
});
