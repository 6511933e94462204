// Reads an audio file's format in a separate process, so a malformed file can only hurt this process:
// the parent kills it after a time limit and caps its memory. Prints one line of JSON.
import { parseFile } from 'music-metadata';

const file = process.argv[2];
try {
  const { format } = await parseFile(file, { duration: true, skipCovers: true });
  process.stdout.write(
    JSON.stringify({
      ok: true,
      container: format.container ?? null,
      codec: format.codec ?? null,
      channels: format.numberOfChannels ?? null,
      sample_rate: format.sampleRate ?? null,
      duration_s: Number.isFinite(format.duration) ? format.duration : null,
    }),
  );
} catch (err) {
  process.stdout.write(JSON.stringify({ ok: false, message: err instanceof Error ? err.message : String(err) }));
}
