// Entry point of the analysis child process (bundled by scripts/build-static.js into dist/workers/). Two modes:
// - forked with an IPC channel (the pool, ./pool.ts): a long-lived worker that analyses one recording per
//   message, `{ id, file, options }`, and answers `{ id, result, rssBytes }`; it exits when the channel closes
//   (the server stopped or died), so it never outlives the server;
// - without one: argv is the recording's path and the options as JSON; stdout gets one JSON AudioAnalysisResult.
import { measureFile } from './measure-file';
import type { AudioAnalysisOptions } from './types';

interface Job {
  id: number;
  file: string;
  options: AudioAnalysisOptions;
}

function collectGarbage(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

function serve(send: NonNullable<typeof process.send>): void {
  let queue = Promise.resolve();
  process.on('message', (job: Job) => {
    // The pool sends one job at a time; the chain keeps them in order if it ever did not.
    queue = queue.then(async () => {
      const result = await measureFile(job.file, job.options);
      // What one call left behind (decoder buffers, levels) goes before the next, so RSS is this call's.
      collectGarbage();
      send({ id: job.id, result, rssBytes: process.memoryUsage.rss() });
    });
  });
  process.on('disconnect', () => process.exit(0));
}

async function once(): Promise<void> {
  const [file, optionsJson] = process.argv.slice(2);
  if (!file || !optionsJson) throw new Error('usage: analyse-audio <file> <options-json>');
  const options = JSON.parse(optionsJson) as AudioAnalysisOptions;
  const result = await measureFile(file, options);
  process.stdout.write(JSON.stringify(result));
}

if (process.send) {
  serve(process.send.bind(process));
} else {
  once().catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  });
}
