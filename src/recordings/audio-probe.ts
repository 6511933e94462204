import { execFile } from 'node:child_process';
import path from 'node:path';

export interface AudioFormat {
  container: string | null;
  codec: string | null;
  channels: number | null;
  sample_rate: number | null;
  duration_s: number | null;
}

export type ProbeResult = { ok: true; format: AudioFormat } | { ok: false; message: string };

const WORKER = path.join(__dirname, 'audio-probe.worker.mjs');
const TIME_LIMIT_MS = 15_000;

/**
 * Reads duration, codec, channels and sample rate in a child process with a time and memory limit, so a
 * malformed file can neither hang nor crash the server.
 */
export function probeAudio(file: string, timeLimitMs = TIME_LIMIT_MS): Promise<ProbeResult> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--max-old-space-size=128', WORKER, file],
      { timeout: timeLimitMs, maxBuffer: 64 * 1024, killSignal: 'SIGKILL', env: {} },
      (err, stdout) => {
        if (err && (err.killed || err.signal)) {
          return resolve({ ok: false, message: 'Reading the recording took too long; the file looks damaged.' });
        }
        try {
          const parsed = JSON.parse(stdout) as { ok: boolean; message?: string } & AudioFormat;
          if (!parsed.ok)
            return resolve({ ok: false, message: 'The recording could not be read as audio; it looks damaged.' });
          const { container, codec, channels, sample_rate, duration_s } = parsed;
          resolve({ ok: true, format: { container, codec, channels, sample_rate, duration_s } });
        } catch {
          resolve({ ok: false, message: 'The recording could not be read as audio; it looks damaged.' });
        }
      },
    );
  });
}
