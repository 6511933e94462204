import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { commandTranscribe } from './command';
import { pocketsphinxTranscribe } from './pocketsphinx';
import { splitCommand } from './process';
import { SpeechError, type SpeechConfig, type TranscribeOptions, type TranscriptLine } from './types';

/**
 * The speech-to-text settings from the environment (operator-configured: a command line is code execution,
 * so it is never a web setting). STT_ENGINE off (default) | pocketsphinx | command; STT_COMMAND; STT_TIMEOUT_S
 * (default 600, per process run); STT_MAX_OUTPUT_MB (default 20). A bad value is a SpeechError naming it.
 */
export function loadSpeechConfig(env: NodeJS.ProcessEnv = process.env): SpeechConfig {
  const engine = (env.STT_ENGINE ?? 'off').trim() || 'off';
  if (engine !== 'off' && engine !== 'pocketsphinx' && engine !== 'command') {
    throw new SpeechError(`STT_ENGINE must be off, pocketsphinx or command (was "${engine}").`);
  }
  const number = (name: string, fallback: number, max: number) => {
    const value = Number(env[name] ?? fallback);
    if (!Number.isInteger(value) || value < 1 || value > max) {
      throw new SpeechError(`${name} must be a whole number from 1 to ${max}.`);
    }
    return value;
  };
  const command = splitCommand(env.STT_COMMAND ?? '');
  if (engine === 'command' && !command.some((arg) => arg.includes('{file}'))) {
    throw new SpeechError(
      'STT_COMMAND must name the audio as {file}, e.g. whisper-cli -m MODEL -f {file} -oj -of {out}.',
    );
  }
  return Object.freeze({
    engine,
    command,
    timeoutMs: number('STT_TIMEOUT_S', 600, 86_400) * 1000,
    maxOutputBytes: number('STT_MAX_OUTPUT_MB', 20, 1024) * 1024 * 1024,
  });
}

/**
 * Whether a call should be transcribed by the engine: one is configured, the call has a stored recording,
 * and it has no transcript yet (a transcript from the phone system always wins).
 */
export function shouldTranscribe(
  call: { recording_status: string | null; transcript: string | null },
  config: SpeechConfig,
): boolean {
  return config.engine !== 'off' && call.recording_status === 'stored' && call.transcript === null;
}

/** The lines the configured engine hears in an audio file, per side on stereo; its temporary files removed. */
export async function transcribe(
  file: string,
  options: TranscribeOptions,
  config: SpeechConfig,
): Promise<TranscriptLine[]> {
  if (config.engine === 'off') throw new SpeechError('No speech-to-text engine is configured (STT_ENGINE).');
  const workDir = await fsp.mkdtemp(path.join(os.tmpdir(), 'callscore-stt-'));
  try {
    const engine = config.engine === 'pocketsphinx' ? pocketsphinxTranscribe : commandTranscribe;
    return await engine(file, options, config, workDir);
  } finally {
    await fsp.rm(workDir, { recursive: true, force: true });
  }
}
