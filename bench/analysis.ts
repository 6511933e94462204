/**
 * The audio analyser's speed and memory (issue 15), on its own: no server, no dataset.
 *
 *   node_modules/.bin/tsx bench/analysis.ts [--minutes 60] [--results bench/results]   # or: npm run bench:analysis
 *
 * Makes an hour of 8 kHz stereo call audio with sox (speech-like bursts of noise on each side), the same as
 * MP3, Ogg/Opus, WebM/Opus and FLAC with ffmpeg, and a one-minute WAV; runs analyseAudio (the real worker) on
 * each, sampling the worker's peak RSS; and times `sox FILE -t raw /dev/null` on the same file as the physical
 * reference. Writes bench/results/analysis.json and prints a Markdown table. Run `npm run build` first.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { analyseAudio } from '../src/analysis';
import { numberArg, parseArgs } from './lib/args';
import { childPids, readMemory } from './lib/rss';

interface Row {
  format: string;
  audio_s: number;
  bytes: number;
  analyse_s: number;
  times_real_time: number;
  worker_peak_rss_mb: number;
  reference: string | null;
  reference_decode_s: number | null;
  ratio_to_reference: number | null;
  target: string;
  pass: boolean;
}

function sh(command: string, args: string[]): void {
  execFileSync(command, args, { stdio: ['ignore', 'ignore', 'inherit'] });
}

/** One side: noise in 2 s bursts every 4 s, a quarter period apart per side, so they overlap by 1 s. */
function makeCall(dir: string, seconds: number): string {
  const file = path.join(dir, `call-${seconds}s.wav`);
  if (fs.existsSync(file)) return file;
  const side = (name: string, phasePercent: number) => {
    const out = path.join(dir, `${name}-${seconds}.wav`);
    const noise = ['synth', String(seconds), 'pinknoise', 'vol', '0.25'];
    const shape = [...noise, 'synth', 'square', 'amod', '0.25', '0', String(phasePercent)];
    sh('sox', ['-n', '-r', '8000', '-b', '16', '-c', '1', out, ...shape]);
    return out;
  };
  sh('sox', ['-M', side('agent', 25), side('customer', 0), file]);
  return file;
}

function encode(wav: string, ext: string, codecArgs: string[]): string {
  const out = wav.replace(/\.wav$/, `.${ext}`);
  if (!fs.existsSync(out)) sh('ffmpeg', ['-loglevel', 'error', '-y', '-i', wav, ...codecArgs, out]);
  return out;
}

/** Polls this process's children (the worker) for their peak RSS while `work` runs. */
async function withPeakRss<T>(work: () => Promise<T>): Promise<{ result: T; peakBytes: number }> {
  let peakBytes = 0;
  const timer = setInterval(() => {
    for (const pid of childPids(process.pid)) peakBytes = Math.max(peakBytes, readMemory(pid)?.hwm ?? 0);
  }, 20);
  try {
    return { result: await work(), peakBytes };
  } finally {
    clearInterval(timer);
  }
}

/** sox's own decode of the file; ffmpeg's where this sox has no reader for the format (Opus). */
function referenceDecode(file: string): { tool: string; seconds: number } | null {
  const tools: [string, string[]][] = [
    ['sox', [file, '-t', 'raw', '/dev/null']],
    ['ffmpeg', ['-loglevel', 'error', '-threads', '1', '-i', file, '-f', 'null', '-']],
  ];
  for (const [tool, args] of tools) {
    const started = performance.now();
    const run = spawnSync(tool, args, { stdio: 'ignore' });
    if (run.status === 0) return { tool, seconds: (performance.now() - started) / 1000 };
  }
  return null;
}

async function measure(format: string, file: string, audioS: number, minTimes: number, dir: string): Promise<Row> {
  const started = performance.now();
  const { result, peakBytes } = await withPeakRss(() =>
    analyseAudio(file, {
      agentChannel: 'left',
      deadAirMinS: 2,
      peaksPath: path.join(dir, 'bench.peaks'),
      timeLimitMs: 3_600_000,
    }),
  );
  const analyseS = (performance.now() - started) / 1000;
  if (!result.ok) throw new Error(`${format}: ${result.message}`);
  const reference = referenceDecode(file);
  const times = audioS / analyseS;
  const rssMb = peakBytes / 1024 / 1024;
  return {
    format,
    audio_s: audioS,
    bytes: fs.statSync(file).size,
    analyse_s: round(analyseS),
    times_real_time: round(times),
    worker_peak_rss_mb: round(rssMb),
    reference: reference?.tool ?? null,
    reference_decode_s: reference ? round(reference.seconds) : null,
    ratio_to_reference: reference ? round(analyseS / reference.seconds) : null,
    target: minTimes > 0 ? `≥ ${minTimes}× real time, RSS < 100 MB` : 'RSS < 100 MB',
    pass: times >= minTimes && rssMb < 100,
  };
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}

function table(rows: Row[]): string {
  const head =
    '| format | audio | analyse | × real time | worker peak RSS | reference decode | ours ÷ reference | target | pass |\n|---|---|---|---|---|---|---|---|---|';
  const lines = rows.map(
    (r) =>
      `| ${r.format} | ${r.audio_s} s | ${r.analyse_s} s | ${r.times_real_time}× | ${r.worker_peak_rss_mb} MB | ${r.reference ? `${r.reference} ${r.reference_decode_s} s` : '–'} | ${r.ratio_to_reference ?? '–'} | ${r.target} | ${r.pass ? 'yes' : 'NO'} |`,
  );
  return [head, ...lines].join('\n');
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const seconds = numberArg(args, 'minutes', 60) * 60;
  const resultsDir = args.get('results') ?? path.join(__dirname, 'results');
  const dir = path.join(process.env.BENCH_CACHE_DIR ?? '/tmp/callscore-bench', 'analysis');
  fs.mkdirSync(dir, { recursive: true });
  const wav = makeCall(dir, seconds);
  const short = makeCall(dir, 60);
  const loadBefore = os.loadavg();
  const rows = [
    // A minute is mostly the worker's start-up (about 0.5 s): here only the memory is the point.
    await measure('WAV 16-bit, 1 min', short, 60, 0, dir),
    await measure('WAV 16-bit', wav, seconds, 100, dir),
    await measure('WAV µ-law', encode(wav, 'mulaw.wav', ['-c:a', 'pcm_mulaw']), seconds, 100, dir),
    await measure('FLAC', encode(wav, 'flac', []), seconds, 20, dir),
    await measure('MP3 32 kb/s', encode(wav, 'mp3', ['-b:a', '32k']), seconds, 20, dir),
    await measure('Ogg/Opus 24 kb/s', encode(wav, 'opus', ['-c:a', 'libopus', '-b:a', '24k']), seconds, 20, dir),
    await measure('WebM/Opus 24 kb/s', encode(wav, 'webm', ['-c:a', 'libopus', '-b:a', '24k']), seconds, 20, dir),
  ];
  const conditions = {
    loadavg_before: loadBefore,
    loadavg_after: os.loadavg(),
    cpus: os.cpus().length,
    node: process.version,
  };
  fs.mkdirSync(resultsDir, { recursive: true });
  fs.writeFileSync(
    path.join(resultsDir, 'analysis.json'),
    `${JSON.stringify({ date: new Date().toISOString(), conditions, rows }, null, 2)}\n`,
  );
  console.log(table(rows));
  console.log(
    `\nload average before ${loadBefore.map(round).join(' / ')}, after ${os.loadavg().map(round).join(' / ')} (1/5/15 min) on ${os.cpus().length} cores, node ${process.version}`,
  );
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
