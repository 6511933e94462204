import fsp from 'node:fs/promises';
import path from 'node:path';
import { channelSides, extractChannel } from './audio';
import { runProcess } from './process';
import { SpeechError, type SpeechConfig, type TranscribeOptions, type TranscriptLine } from './types';

/**
 * whisper.cpp's JSON (`whisper-cli -oj`): `{"transcription": [{"timestamps": {...}, "offsets": {"from": ms,
 * "to": ms}, "text": " words"}]}`. Anything else is refused with a message naming the engine's output.
 */
export function parseWhisperJson(output: string): Array<{ start_s: number; end_s: number; text: string }> {
  let data: unknown;
  try {
    data = JSON.parse(output);
  } catch {
    throw new SpeechError('The speech-to-text command did not write JSON.');
  }
  const segments = (data as { transcription?: unknown } | null)?.transcription;
  if (!Array.isArray(segments)) {
    throw new SpeechError('The speech-to-text JSON has no "transcription" array (whisper.cpp -oj format).');
  }
  return segments.flatMap((segment: unknown) => {
    const s = segment as { offsets?: { from?: unknown; to?: unknown }; text?: unknown };
    const from = s.offsets?.from;
    const to = s.offsets?.to;
    if (typeof from !== 'number' || typeof to !== 'number' || typeof s.text !== 'string' || to < from) {
      throw new SpeechError('A speech-to-text segment lacks offsets.from/to (ms) or text.');
    }
    const text = s.text.trim();
    return text ? [{ start_s: from / 1000, end_s: to / 1000, text }] : [];
  });
}

/**
 * The operator's command (STT_COMMAND), run once per channel on a 16 kHz mono WAV: `{file}` is that WAV,
 * `{out}` a path prefix the engine writes `{out}.json` to (whisper-cli's -of); without `{out}` the JSON is
 * read from standard output.
 */
export async function commandTranscribe(
  file: string,
  options: TranscribeOptions,
  config: SpeechConfig,
  workDir: string,
): Promise<TranscriptLine[]> {
  if (config.command.length === 0) throw new SpeechError('STT_ENGINE=command needs STT_COMMAND.');
  const lines: TranscriptLine[] = [];
  for (const [index, { channel, side }] of channelSides(options).entries()) {
    const wav = path.join(workDir, `ch${index}.wav`);
    const out = path.join(workDir, `ch${index}-out`);
    await extractChannel(file, channel, wav, config);
    const argv = config.command.map((arg) => arg.replaceAll('{file}', wav).replaceAll('{out}', out));
    const stdout = await runProcess(argv, config);
    const usesOut = config.command.some((arg) => arg.includes('{out}'));
    const json = usesOut ? await readOutput(`${out}.json`, config.maxOutputBytes) : stdout;
    for (const segment of parseWhisperJson(json)) lines.push({ speaker: side, ...segment });
  }
  return lines.sort((a, b) => a.start_s - b.start_s);
}

async function readOutput(file: string, maxBytes: number): Promise<string> {
  const stat = await fsp.stat(file).catch(() => null);
  if (!stat) throw new SpeechError(`The speech-to-text command wrote no ${path.basename(file)}.`);
  if (stat.size > maxBytes) throw new SpeechError(`The speech-to-text output is larger than ${maxBytes} bytes.`);
  return fsp.readFile(file, 'utf8');
}
