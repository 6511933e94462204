// Entry point of the analysis child process (bundled by scripts/build-static.js into build/workers/): argv is the
// recording's path and the options as JSON; stdout gets one JSON AudioAnalysisResult.
import { measureFile } from './measure-file';
import type { AudioAnalysisOptions } from './types';

async function main(): Promise<void> {
  const [file, optionsJson] = process.argv.slice(2);
  if (!file || !optionsJson) throw new Error('usage: analyse-audio <file> <options-json>');
  const options = JSON.parse(optionsJson) as AudioAnalysisOptions;
  const result = await measureFile(file, options);
  process.stdout.write(JSON.stringify(result));
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
