/**
 * The data for bench/backfill.ts: a generated dataset whose newest `recordings` stored calls each get their own
 * recording file (hard links of one real 8 kHz stereo WAV made with sox), and no other call keeps one, so the
 * admin's backfill queues exactly that many analyses.
 */
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { generateDataset } from '../generator/dataset';
import { DATABASE_FILE, DEFAULT_OPTIONS, RECORDINGS_DIR, type Manifest } from './dataset';

export interface CallWav {
  file: string;
  bytes: number;
  sha256: string;
  seconds: number;
}

function sox(args: string[]): void {
  execFileSync('sox', args, { stdio: ['ignore', 'ignore', 'inherit'] });
}

/**
 * A call of `seconds`: on each side a 300/450 Hz tone mixed with pink noise, switched on and off in 2 s bursts
 * every 4 s, the sides a quarter period apart (so they overlap 1 s in 4 and leave gaps), as in bench/analysis.ts.
 */
export function makeCallWav(dir: string, seconds: number): CallWav {
  const file = path.join(dir, `backfill-call-${seconds}s.wav`);
  if (!fs.existsSync(file)) {
    const side = (name: string, hz: number, phasePercent: number) => {
      const out = path.join(dir, `backfill-${name}-${seconds}.wav`);
      const tone = ['synth', String(seconds), 'sine', String(hz), 'synth', 'pinknoise', 'mix', 'vol', '0.3'];
      const gate = ['synth', 'square', 'amod', '0.25', '0', String(phasePercent)];
      sox(['-n', '-r', '8000', '-b', '16', '-c', '1', out, ...tone, ...gate]);
      return out;
    };
    sox(['-M', side('agent', 300, 25), side('customer', 450, 0), file]);
  }
  const body = fs.readFileSync(file);
  return {
    file,
    bytes: body.length,
    sha256: crypto.createHash('sha256').update(body).digest('hex'),
    seconds,
  };
}

/** Generates the dataset into `dir` (replacing what was there) and gives `recordings` calls their own file. */
export async function prepareBackfillData(
  dir: string,
  calls: number,
  recordings: number,
  wav: CallWav,
): Promise<{ manifest: Manifest; callIds: number[] }> {
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  // Recordings over the whole year, so even a small dataset has enough stored calls to pick from.
  const options = { ...DEFAULT_OPTIONS, calls, recordingDays: 365, recordedShare: 0.9 };
  const { manifest } = await generateDataset(options, dir);
  const sqlite = new SQLite(path.join(dir, DATABASE_FILE));
  try {
    const ids = (
      sqlite
        .prepare("select id from calls where recording_status = 'stored' order by id desc limit ?")
        .all(recordings) as Array<{ id: number }>
    ).map((r) => r.id);
    if (ids.length < recordings) throw new Error(`only ${ids.length} calls with a recording; raise --calls`);
    const cols = [
      'recording_status', 'recording_file', 'recording_original_name', 'recording_mime', 'recording_bytes',
      'recording_sha256', 'recording_codec', 'recording_channels', 'recording_sample_rate', 'recording_duration_s',
    ]; // prettier-ignore
    const setRecording = sqlite.prepare(`update calls set ${cols.map((c) => `${c} = ?`).join(', ')} where id = ?`);
    const apply = sqlite.transaction(() => {
      sqlite.prepare(`update calls set ${cols.map((c) => `${c} = null`).join(', ')}`).run();
      for (const id of ids) {
        const name = `${crypto.randomBytes(16).toString('hex')}.wav`;
        fs.linkSync(wav.file, path.join(dir, RECORDINGS_DIR, name));
        setRecording.run([
          'stored',
          name,
          `call-${id}.wav`,
          'audio/wav',
          wav.bytes,
          wav.sha256,
          'PCM',
          2,
          8000,
          wav.seconds,
          id,
        ]);
      }
    });
    apply();
    fs.rmSync(path.join(dir, RECORDINGS_DIR, manifest.sharedRecording.file), { force: true });
    return { manifest, callIds: ids };
  } finally {
    sqlite.close();
  }
}

export interface QueueCounts {
  pending: number;
  running: number;
  done: number;
  failed: number;
  other: number;
  /** Audio seconds of the calls analysed (done). */
  audioS: number;
}

/** The analysis queue as the database has it (a read-only connection beside the server's). */
export function queueCounts(dir: string): QueueCounts {
  const sqlite = new SQLite(path.join(dir, DATABASE_FILE), { readonly: true, fileMustExist: true });
  try {
    const rows = sqlite
      .prepare('select status, count(*) as n, coalesce(sum(duration_s), 0) as s from call_analyses group by status')
      .all() as Array<{ status: string; n: number; s: number }>;
    const counts: QueueCounts = { pending: 0, running: 0, done: 0, failed: 0, other: 0, audioS: 0 };
    for (const r of rows) {
      if (r.status === 'pending' || r.status === 'running' || r.status === 'done' || r.status === 'failed') {
        counts[r.status] += r.n;
      } else counts.other += r.n;
      if (r.status === 'done') counts.audioS = r.s;
    }
    return counts;
  } finally {
    sqlite.close();
  }
}
