// The speech detector and the interval arithmetic on made-up frame levels: each rule of docs/ANALYSIS.md.
import { BRIDGE_S, detectSpeech, gaps, intersect, measure, MIN_SPEECH_DB } from '../../src/analysis/audio/metrics';

const FRAME_S = 0.02;

/** Frame levels from runs of [seconds, dB]. */
function levels(...runs: [number, number][]): Float32Array {
  const out: number[] = [];
  for (const [seconds, db] of runs) for (let i = 0; i < Math.round(seconds / FRAME_S); i++) out.push(db);
  return Float32Array.from(out);
}

test('speech starts 12 dB over the learned floor and pauses under 0.3 s are bridged', () => {
  const l = levels([2, -70], [1, -40], [0.2, -70], [1, -40], [2, -70]);
  expect(detectSpeech({ levels: l, frameS: FRAME_S })).toEqual([{ start_s: 2, end_s: 4.2 }]);
});

test('a pause of 0.3 s or more splits speech', () => {
  const l = levels([2, -70], [1, -40], [BRIDGE_S + 0.04, -70], [1, -40], [2, -70]);
  expect(detectSpeech({ levels: l, frameS: FRAME_S })).toHaveLength(2);
});

test('hysteresis: once started, speech continues down to 6 dB under the start threshold', () => {
  // Floor -45 → start at -33, keep down to -39.
  const l = levels([3, -45], [0.5, -30], [1, -37], [0.5, -40], [3, -45]);
  expect(detectSpeech({ levels: l, frameS: FRAME_S })).toEqual([{ start_s: 3, end_s: 4.5 }]);
});

test('nothing quieter than the absolute minimum is speech, whatever the floor', () => {
  const l = levels([3, -100], [1, MIN_SPEECH_DB - 1], [3, -100]);
  expect(detectSpeech({ levels: l, frameS: FRAME_S })).toEqual([]);
});

test('a blip under 0.15 s is not speech', () => {
  const l = levels([3, -70], [0.1, -20], [3, -70]);
  expect(detectSpeech({ levels: l, frameS: FRAME_S })).toEqual([]);
});

test('intersect and gaps', () => {
  const a = [
    { start_s: 0, end_s: 2 },
    { start_s: 5, end_s: 8 },
  ];
  const b = [{ start_s: 1, end_s: 6 }];
  expect(intersect(a, b)).toEqual([
    { start_s: 1, end_s: 2 },
    { start_s: 5, end_s: 6 },
  ]);
  expect(gaps([a, b], 10)).toEqual([{ start_s: 8, end_s: 10 }]);
  expect(gaps([[], []], 3)).toEqual([{ start_s: 0, end_s: 3 }]);
});

test('measure: dead air counts leading and trailing silence, only stretches of at least the setting', () => {
  const agent = levels([2.5, -90], [1, -30], [1.9, -90], [1, -30], [3, -90]);
  const customer = levels([9.4, -90]);
  const a = measure({
    channels: [
      { levels: agent, frameS: FRAME_S },
      { levels: customer, frameS: FRAME_S },
    ],
    duration_s: 9.4,
    sample_rate: 8000,
    sourceChannels: 2,
    deadAirMinS: 2,
  });
  expect(a.dead_air.segments).toEqual([
    { start_s: 0, end_s: 2.5 },
    { start_s: 6.4, end_s: 9.4 },
  ]);
  expect(a.dead_air).toMatchObject({ total_s: 5.5, longest_s: 3 });
  expect(a.speech).toEqual({ agent_s: 2, customer_s: 0, talk_ratio: 1 });
});

test('measure: overtalk under 0.1 s is not counted', () => {
  const agent = levels([1, -90], [1, -30], [3, -90]);
  const customer = levels([1.96, -90], [1, -30], [2.04, -90]);
  const a = measure({
    channels: [
      { levels: agent, frameS: FRAME_S },
      { levels: customer, frameS: FRAME_S },
    ],
    duration_s: 5,
    sample_rate: 8000,
    sourceChannels: 2,
    deadAirMinS: 2,
  });
  expect(a.overtalk).toEqual({ total_s: 0, count: 0, segments: [] });
});
