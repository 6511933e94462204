import fsp from 'node:fs/promises';
import path from 'node:path';
import { channelSides, extractChannel, speechStretches } from './audio';
import { runProcess } from './process';
import type { SpeechConfig, TranscribeOptions, TranscriptLine } from './types';

/**
 * Debian's pocketsphinx (0.8, `pocketsphinx_batch` with the en-us model): each channel on its own, at 16 kHz,
 * cut into stretches of speech, each decoded as one utterance with its normalisation computed over it (the
 * live normalisation of `pocketsphinx_continuous` misses the first seconds badly). One line per stretch.
 */
export async function pocketsphinxTranscribe(
  file: string,
  options: TranscribeOptions,
  config: SpeechConfig,
  workDir: string,
): Promise<TranscriptLine[]> {
  const lines: TranscriptLine[] = [];
  for (const [index, { channel, side }] of channelSides(options).entries()) {
    const name = `ch${index}`;
    const raw = path.join(workDir, `${name}.raw`);
    await extractChannel(file, channel, raw, config);
    const stretches = await speechStretches(raw);
    if (stretches.length === 0) continue;
    const ctl = stretches.map((s, i) => `${name} ${s.startFrame} ${s.endFrame} u${i}`).join('\n') + '\n';
    await fsp.writeFile(path.join(workDir, `${name}.ctl`), ctl);
    const hyp = path.join(workDir, `${name}.hyp`);
    await runProcess(
      [
        'pocketsphinx_batch',
        '-adcin',
        'yes',
        '-cepdir',
        workDir,
        '-cepext',
        '.raw',
        '-ctl',
        path.join(workDir, `${name}.ctl`),
        '-hyp',
        hyp,
        '-logfn',
        '/dev/null',
      ],
      config,
    );
    for (const row of (await fsp.readFile(hyp, 'utf8')).split('\n')) {
      const match = /^(.*)\(u(\d+)\s+-?\d+\)\s*$/.exec(row);
      const stretch = stretches[Number(match?.[2])];
      const text = match?.[1]?.trim().replace(/\(\d+\)/g, '') ?? '';
      if (!stretch || !text) continue;
      lines.push({ speaker: side, start_s: stretch.startFrame / 100, end_s: stretch.endFrame / 100, text });
    }
  }
  return lines.sort((a, b) => a.start_s - b.start_s);
}
