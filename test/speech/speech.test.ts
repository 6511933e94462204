import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  loadSpeechConfig,
  parseWhisperJson,
  shouldTranscribe,
  splitCommand,
  transcribe,
  wordErrorRate,
  type SpeechConfig,
} from '../../src/speech';

const FAKE_WHISPER = path.join(__dirname, '..', 'fixtures', 'speech', 'fake-whisper.js');
let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'speech-test-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function requireTools(...tools: string[]) {
  const missing = tools.filter((tool) => spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0);
  if (missing.length > 0) {
    throw new Error(`missing ${missing.join(', ')}: install pocketsphinx pocketsphinx-en-us espeak-ng sox`);
  }
}

describe('word error rate', () => {
  test.each([
    ['thank you for calling', 'thank you for calling', 0],
    ['thank you for calling', 'Thank you, for calling!', 0],
    ['thank you for calling', 'thank you for', 0.25],
    ['thank you for calling', 'thank you for pulling', 0.25],
    ['thank you for calling', 'thank you so much for calling', 0.5],
    ['thank you', 'no', 1],
    ['', '', 0],
  ])('"%s" heard as "%s" is %d', (reference, heard, expected) => {
    expect(wordErrorRate(reference, heard)).toBeCloseTo(expected, 10);
  });
});

describe('configuration', () => {
  test('STT_COMMAND is split like a shell would, without a shell', () => {
    expect(splitCommand(`whisper-cli -m "/models/ggml base.bin" -f {file} -oj -of {out} --prompt 'a b'`)).toEqual([
      'whisper-cli',
      '-m',
      '/models/ggml base.bin',
      '-f',
      '{file}',
      '-oj',
      '-of',
      '{out}',
      '--prompt',
      'a b',
    ]);
    expect(splitCommand('echo $(rm -rf /) ; x')).toEqual(['echo', '$(rm', '-rf', '/)', ';', 'x']);
  });

  test.each([
    [{ STT_ENGINE: 'whisper' }, /STT_ENGINE must be/],
    [{ STT_ENGINE: 'command' }, /STT_COMMAND must name the audio as \{file\}/],
    [{ STT_ENGINE: 'command', STT_COMMAND: 'x -f "{file}' }, /unclosed quote/],
    [{ STT_ENGINE: 'pocketsphinx', STT_TIMEOUT_S: '0' }, /STT_TIMEOUT_S must be/],
  ])('%j is refused with a message naming the variable', (env, message) => {
    expect(() => loadSpeechConfig(env)).toThrow(message);
  });

  test('off unless configured; a phone-system transcript always wins', () => {
    const off = loadSpeechConfig({});
    const on = loadSpeechConfig({ STT_ENGINE: 'pocketsphinx' });
    const call = { recording_status: 'stored', transcript: null };
    expect(off.engine).toBe('off');
    expect(shouldTranscribe(call, off)).toBe(false);
    expect(shouldTranscribe(call, on)).toBe(true);
    expect(shouldTranscribe({ ...call, transcript: 'WEBVTT' }, on)).toBe(false);
    expect(shouldTranscribe({ ...call, recording_status: 'deleted' }, on)).toBe(false);
  });
});

describe('the command engine on a real process writing whisper.cpp JSON', () => {
  let stereo: string;
  beforeAll(() => {
    requireTools('sox');
    const loud = path.join(dir, 'loud.wav');
    const quiet = path.join(dir, 'quiet.wav');
    execFileSync('sox', ['-n', '-r', '8000', '-b', '16', '-c', '1', loud, 'synth', '3', 'sine', '440', 'vol', '0.5']);
    execFileSync('sox', ['-n', '-r', '8000', '-b', '16', '-c', '1', quiet, 'synth', '3', 'sine', '440', 'vol', '0.02']);
    stereo = path.join(dir, 'stereo.wav');
    execFileSync('sox', ['-M', quiet, loud, stereo]);
  });

  function config(extra: string, env: Record<string, string> = {}): SpeechConfig {
    const command = `${process.execPath} ${FAKE_WHISPER} -f {file} ${extra}`;
    return loadSpeechConfig({ STT_ENGINE: 'command', STT_COMMAND: command, ...env });
  }

  test('runs once per channel and gives each side its lines, from {out}.json or standard output', async () => {
    const expected = [
      { speaker: 'agent', start_s: 0.5, end_s: 2, text: 'Thank you for calling.' },
      { speaker: 'customer', start_s: 2.25, end_s: 3.75, text: 'I have a question.' },
    ];
    // The loud tone is on the right channel: with the agent on the right, the agent's line is the loud one.
    const options = { channels: 2, agentChannel: 'right' as const };
    expect(await transcribe(stereo, options, config('-oj -of {out}'))).toEqual(expected);
    expect(await transcribe(stereo, options, config(''))).toEqual(expected);
    const left = await transcribe(stereo, { channels: 2, agentChannel: 'left' }, config(''));
    expect(left.map((l) => [l.speaker, l.text])).toEqual([
      ['customer', 'Thank you for calling.'],
      ['agent', 'I have a question.'],
    ]);
  });

  test.each([
    ['--mode garbage', {}, 'The speech-to-text command did not write JSON.'],
    ['--mode fail', {}, /failed \(exit 3\): model not found/],
    ['--mode hang', { STT_TIMEOUT_S: '1' }, /took longer than 1 s/],
    ['-of {out} --mode garbage', {}, /wrote no ch0-out.json/],
  ])('%s is a clear error, temporary files removed', async (extra, env, message) => {
    const before = fs.readdirSync(os.tmpdir()).filter((n) => n.startsWith('callscore-stt-')).length;
    await expect(transcribe(stereo, { channels: 2, agentChannel: 'left' }, config(extra, env))).rejects.toThrow(
      message,
    );
    expect(fs.readdirSync(os.tmpdir()).filter((n) => n.startsWith('callscore-stt-')).length).toBe(before);
  });

  test('whisper.cpp JSON without offsets is refused', () => {
    expect(() => parseWhisperJson('{"transcription": [{"text": "hi"}]}')).toThrow(/offsets/);
    expect(() => parseWhisperJson('{"result": {}}')).toThrow(/"transcription"/);
  });
});
