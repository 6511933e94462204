// Speech-to-text settings are read and checked with the rest of the configuration at start-up: a bad one stops
// start-up with a ConfigError naming it, a good one is carried in config.speech.
import { ConfigError, loadConfig } from '../../src/config';

const base = { NODE_ENV: 'test', DATA_DIR: '/tmp/callscore-config-test' };

test.each([
  [{ STT_ENGINE: 'whisper' }, /STT_ENGINE must be off, pocketsphinx or command \(was "whisper"\)/],
  [{ STT_ENGINE: 'command' }, /STT_COMMAND must name the audio as \{file\}/],
  [{ STT_ENGINE: 'command', STT_COMMAND: 'whisper-cli -m model.bin -oj' }, /STT_COMMAND must name the audio/],
  [{ STT_ENGINE: 'command', STT_COMMAND: 'whisper-cli -f "{file}' }, /STT_COMMAND has an unclosed quote/],
  [{ STT_ENGINE: 'pocketsphinx', STT_TIMEOUT_S: '0' }, /STT_TIMEOUT_S must be a whole number/],
  [{ STT_ENGINE: 'pocketsphinx', STT_MAX_OUTPUT_MB: 'lots' }, /STT_MAX_OUTPUT_MB must be a whole number/],
])('%j stops start-up with a message naming the setting', (env, message) => {
  const load = () => loadConfig({ ...base, ...env });
  expect(load).toThrow(ConfigError);
  expect(load).toThrow(message);
});

test('speech-to-text is off unless configured', () => {
  expect(loadConfig(base).speech.engine).toBe('off');
});

test('a good command line is carried in the configuration, split without a shell and frozen', () => {
  const config = loadConfig({
    ...base,
    STT_ENGINE: 'command',
    STT_COMMAND: "whisper-cli -m '/models/ggml base.bin' -f {file} -oj -of {out}",
    STT_TIMEOUT_S: '120',
  });
  expect(config.speech).toEqual({
    engine: 'command',
    command: ['whisper-cli', '-m', '/models/ggml base.bin', '-f', '{file}', '-oj', '-of', '{out}'],
    timeoutMs: 120_000,
    maxOutputBytes: 20 * 1024 * 1024,
  });
  expect(Object.isFrozen(config.speech)).toBe(true);
});
