import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Manifest } from '../lib/dataset';
import { uploadMultipart, type MultipartUploadResult } from '../lib/http';
import { TELEPHONY, writeLargeWav } from '../lib/wav';
import type { ScenarioContext } from './types';

export interface LargeRecording {
  path: string;
  bytes: number;
  sha256: string;
  durationS: number;
}

/** The large WAV (default 200 MiB) in the cache folder, made once; its SHA-256 is cached beside it. */
export async function largeRecording(ctx: ScenarioContext): Promise<LargeRecording> {
  const bytes = ctx.options.largeRecordingBytes;
  const file = path.join(ctx.options.cacheDir, `large-${bytes}.wav`);
  const started = performance.now();
  writeLargeWav(file, bytes);
  const sidecar = `${file}.sha256`;
  let sha256 = '';
  try {
    const [hash, mtime] = fs.readFileSync(sidecar, 'utf8').trim().split(' ');
    if (Number(mtime) === Math.round(fs.statSync(file).mtimeMs)) sha256 = hash;
  } catch {
    // not computed yet
  }
  if (!sha256) {
    const hash = crypto.createHash('sha256');
    await pipeline(fs.createReadStream(file), hash);
    sha256 = hash.digest('hex');
    fs.writeFileSync(sidecar, `${sha256} ${Math.round(fs.statSync(file).mtimeMs)}\n`);
  }
  const ms = Math.round(performance.now() - started);
  if (ms > 1000) ctx.log(`  large recording ready in ${ms} ms: ${file}`);
  return { path: file, bytes, sha256, durationS: (bytes - 44) / (TELEPHONY.sampleRate * 2) };
}

export interface UploadedCall extends MultipartUploadResult {
  callId: number | null;
  json: Record<string, unknown> | null;
}

/** POST /api/v1/calls with the recording, as the phone system's push would send it. */
export async function uploadCall(
  baseUrl: string,
  token: string,
  manifest: Manifest,
  recording: LargeRecording,
  externalId: string,
): Promise<UploadedCall> {
  const result = await uploadMultipart(
    baseUrl,
    '/api/v1/calls',
    { authorization: `Bearer ${token}` },
    {
      external_id: externalId,
      agent: manifest.samples.agentInSupervisorTeam,
      started_at: `${manifest.period.to}T10:00:00Z`,
      direction: 'inbound',
      category: 'billing',
      queue_wait_s: '20',
      hold_s: '0',
      duration_s: recording.durationS.toFixed(1),
    },
    { field: 'recording', path: recording.path, filename: `${externalId}.wav`, contentType: 'audio/wav' },
  );
  let json: Record<string, unknown> | null;
  try {
    json = JSON.parse(result.body) as Record<string, unknown>;
  } catch {
    json = null;
  }
  const callId = typeof json?.id === 'number' ? json.id : null;
  return { ...result, callId, json };
}
