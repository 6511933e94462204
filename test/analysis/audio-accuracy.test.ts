// Accuracy on synthesized calls: espeak-ng speech placed at known times on each side of a stereo call, then the
// same call in every format the analyser reads. DOMAIN.md's tolerances: speech per side within ±10%, overtalk
// and dead air within ±0.3 s.
import path from 'node:path';
import { analyseAudio, type AudioAnalysis, type Segment } from '../../src/analysis';
import { convert, requireAudioTools, speech, stereoCall, tempDir, type Placement } from './audio-fixtures';

jest.setTimeout(120_000);

const CALL_S = 32;
let dir: string;
let call: string;
let agent: Placement[];
let customer: Placement[];

function spans(placements: Placement[]): Segment[] {
  return placements.map((p) => ({ start_s: p.at_s, end_s: p.at_s + p.clip.duration_s }));
}

function sum(segments: Segment[]): number {
  return segments.reduce((total, s) => total + s.end_s - s.start_s, 0);
}

/** What the placements say, worked out independently of the analyser. */
function expected(): { agent_s: number; customer_s: number; overtalk_s: number; deadAir: Segment[] } {
  const a = spans(agent);
  const c = spans(customer);
  let overtalk = 0;
  for (const x of a)
    for (const y of c) overtalk += Math.max(0, Math.min(x.end_s, y.end_s) - Math.max(x.start_s, y.start_s));
  const all = [...a, ...c].sort((x, y) => x.start_s - y.start_s);
  const deadAir: Segment[] = [];
  let cursor = 0;
  for (const s of all) {
    if (s.start_s - cursor >= 2) deadAir.push({ start_s: cursor, end_s: s.start_s });
    cursor = Math.max(cursor, s.end_s);
  }
  if (CALL_S - cursor >= 2) deadAir.push({ start_s: cursor, end_s: CALL_S });
  return { agent_s: sum(a), customer_s: sum(c), overtalk_s: overtalk, deadAir };
}

beforeAll(() => {
  requireAudioTools();
  dir = tempDir();
  const greet = speech(dir, 'greet', 'thank you for calling the support line my name is anna how can I help you today');
  const ask = speech(dir, 'ask', 'hi I was charged twice for my order last week', 'en-gb');
  const check = speech(dir, 'check', 'let me look that up for you one moment please');
  const interrupt = speech(dir, 'interrupt', 'it was the blue one the blue jacket', 'en-gb');
  const answer = speech(dir, 'answer', 'I can see both charges and I will refund the second one now');
  const thanks = speech(dir, 'thanks', 'great thank you so much', 'en-gb');
  // The customer talks over the agent once (check/interrupt); a long silence (dead air) after the agent's check.
  agent = [
    { clip: greet, at_s: 0.5 },
    { clip: check, at_s: 0.5 + greet.duration_s + 0.6 + ask.duration_s + 0.5 },
  ];
  const checkAt = agent[1].at_s;
  customer = [
    { clip: ask, at_s: 0.5 + greet.duration_s + 0.6 },
    { clip: interrupt, at_s: checkAt + check.duration_s - 1.2 },
  ];
  const answerAt = checkAt + check.duration_s - 1.2 + interrupt.duration_s + 4;
  agent.push({ clip: answer, at_s: answerAt });
  customer.push({ clip: thanks, at_s: answerAt + answer.duration_s + 0.8 });
  call = stereoCall(dir, agent, customer, CALL_S);
});

async function analyse(file: string, agentChannel: 'left' | 'right' = 'left'): Promise<AudioAnalysis> {
  const result = await analyseAudio(file, { agentChannel, deadAirMinS: 2, peaksPath: path.join(dir, 'peaks.bin') });
  if (!result.ok) throw new Error(`analysis failed: ${result.message}`);
  return result.analysis;
}

function expectAccurate(analysis: AudioAnalysis): void {
  const want = expected();
  expect(analysis.mono).toBe(false);
  expect(analysis.duration_s).toBeCloseTo(CALL_S, 0);
  expect(analysis.speech?.agent_s).toBeGreaterThanOrEqual(want.agent_s * 0.9);
  expect(analysis.speech?.agent_s).toBeLessThanOrEqual(want.agent_s * 1.1);
  expect(analysis.speech?.customer_s).toBeGreaterThanOrEqual(want.customer_s * 0.9);
  expect(analysis.speech?.customer_s).toBeLessThanOrEqual(want.customer_s * 1.1);
  expect(Math.abs((analysis.overtalk?.total_s ?? -1) - want.overtalk_s)).toBeLessThanOrEqual(0.3);
  expect(analysis.overtalk?.count).toBe(1);
  expect(analysis.dead_air.segments).toHaveLength(want.deadAir.length);
  expect(Math.abs(analysis.dead_air.total_s - sum(want.deadAir))).toBeLessThanOrEqual(0.3);
  const longest = Math.max(...want.deadAir.map((s) => s.end_s - s.start_s));
  expect(Math.abs(analysis.dead_air.longest_s - longest)).toBeLessThanOrEqual(0.3);
}

test('a 16-bit PCM WAV call: speech per side within 10%, overtalk and dead air within 0.3 s', async () => {
  const analysis = await analyse(call);
  expectAccurate(analysis);
  const want = expected();
  expect(analysis.speech?.talk_ratio).toBeCloseTo(want.agent_s / (want.agent_s + want.customer_s), 1);
  expect(analysis.dead_air.segments.length).toBeGreaterThanOrEqual(2);
});

test('agent on the right channel swaps the sides', async () => {
  const left = await analyse(call, 'left');
  const right = await analyse(call, 'right');
  expect(right.speech?.agent_s).toBe(left.speech?.customer_s);
  expect(right.speech?.customer_s).toBe(left.speech?.agent_s);
  expect(right.speech_segments.agent).toEqual(left.speech_segments.customer);
});

const FORMATS: [string, string, string[]][] = [
  ['8-bit unsigned PCM WAV', 'u8.wav', ['-c:a', 'pcm_u8']],
  ['24-bit PCM WAV', 's24.wav', ['-c:a', 'pcm_s24le']],
  ['32-bit PCM WAV', 's32.wav', ['-c:a', 'pcm_s32le']],
  ['32-bit float WAV', 'f32.wav', ['-c:a', 'pcm_f32le']],
  ['64-bit float WAV', 'f64.wav', ['-c:a', 'pcm_f64le']],
  ['µ-law WAV (G.711)', 'mulaw.wav', ['-c:a', 'pcm_mulaw']],
  ['A-law WAV (G.711)', 'alaw.wav', ['-c:a', 'pcm_alaw']],
  ['FLAC', 'call.flac', []],
  ['MP3', 'call.mp3', ['-b:a', '32k']],
  ['Ogg/Opus', 'call.opus', ['-c:a', 'libopus', '-b:a', '24k']],
  ['WebM/Opus', 'call.webm', ['-c:a', 'libopus', '-b:a', '24k']],
];

test.each(FORMATS)('the same call as %s measures the same', async (_name, file, codecArgs) => {
  expectAccurate(await analyse(convert(call, path.join(dir, file), codecArgs)));
});
