import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import type { Express } from 'express';
import { PASSWORD } from '../helpers/builders';
import type { TestContext } from '../helpers/app';

export const SAMPLES_DIR = path.join(__dirname, '..', '..', 'samples', 'calls');

/** A sample file from samples/calls (8 kHz mono WAV recordings and their WebVTT transcripts). */
export function sample(name: string): Buffer {
  return fs.readFileSync(path.join(SAMPLES_DIR, name));
}

export function sha256(bytes: Buffer): string {
  return crypto.createHash('sha256').update(bytes).digest('hex');
}

/** A valid 16-bit PCM WAV with a 440 Hz tone, built in memory. */
export function wav({ seconds = 1, sampleRate = 8000, channels = 1 } = {}): Buffer {
  const frames = Math.round(seconds * sampleRate);
  const dataBytes = frames * channels * 2;
  const buf = Buffer.alloc(44 + dataBytes);
  buf.write('RIFF', 0, 'latin1');
  buf.writeUInt32LE(36 + dataBytes, 4);
  buf.write('WAVE', 8, 'latin1');
  buf.write('fmt ', 12, 'latin1');
  buf.writeUInt32LE(16, 16);
  buf.writeUInt16LE(1, 20); // PCM
  buf.writeUInt16LE(channels, 22);
  buf.writeUInt32LE(sampleRate, 24);
  buf.writeUInt32LE(sampleRate * channels * 2, 28);
  buf.writeUInt16LE(channels * 2, 32);
  buf.writeUInt16LE(16, 34);
  buf.write('data', 36, 'latin1');
  buf.writeUInt32LE(dataBytes, 40);
  for (let i = 0; i < frames; i += 1) {
    const value = Math.round(8000 * Math.sin((2 * Math.PI * 440 * i) / sampleRate));
    for (let c = 0; c < channels; c += 1) buf.writeInt16LE(value, 44 + (i * channels + c) * 2);
  }
  return buf;
}

/** A FLAC stream header (signature + STREAMINFO) announcing `seconds` of 16-bit mono audio. */
export function flac({ seconds = 2, sampleRate = 8000 } = {}): Buffer {
  const buf = Buffer.alloc(8 + 34);
  buf.write('fLaC', 0, 'latin1');
  buf[4] = 0x80; // last metadata block, type STREAMINFO
  buf.writeUIntBE(34, 5, 3);
  buf.writeUInt16BE(4096, 8);
  buf.writeUInt16BE(4096, 10);
  const total = BigInt(Math.round(seconds * sampleRate));
  buf.writeBigUInt64BE((BigInt(sampleRate) << 44n) | (0n << 41n) | (15n << 36n) | total, 18);
  return buf;
}

/** RIFF/WAVE magic with a consistent size field, followed by bytes that are not a WAV body. */
export function riffWithGarbage(bodyBytes = 4096): Buffer {
  const garbage = crypto.randomBytes(bodyBytes);
  const header = Buffer.alloc(12);
  header.write('RIFF', 0, 'latin1');
  header.writeUInt32LE(4 + bodyBytes, 4);
  header.write('WAVE', 8, 'latin1');
  return Buffer.concat([header, garbage]);
}

export const NOT_AUDIO: Record<string, Buffer> = {
  HTML: Buffer.from('<!doctype html><html><body><script>alert(1)</script></body></html>\n'.repeat(20)),
  PNG: Buffer.concat([Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex'), crypto.randomBytes(2000)]),
  'ELF executable': Buffer.concat([Buffer.from('7f454c46020101000000000000000000', 'hex'), crypto.randomBytes(2000)]),
};

export const VTT = [
  'WEBVTT',
  '',
  '00:00:00.000 --> 00:00:02.500',
  '<v Agent>Thanks for calling, this is Dana.',
  '',
  '00:00:02.500 --> 00:00:05.000',
  '<v Customer>My lamp arrived broken.',
  '',
].join('\n');

/** A personal access token through the API, as a script gets one. */
export async function tokenFor(app: Express, username: string): Promise<string> {
  const res = await request(app)
    .post('/api/v1/tokens')
    .set('Accept', 'application/json')
    .send({ username, password: PASSWORD, name: 'calls tests' });
  if (res.status !== 201) throw new Error(`token for ${username}: ${res.status} ${res.text}`);
  return (res.body as { token: string }).token;
}

export type CallFieldValues = Record<string, string>;

let serial = 0;

/** Form fields of one call; a fresh external id unless given. */
export function callFields(agent: string, overrides: CallFieldValues = {}): CallFieldValues {
  serial += 1;
  return {
    external_id: `ext-${serial}`,
    agent,
    started_at: '2026-11-20T10:00:00Z',
    direction: 'inbound',
    category: 'returns',
    queue_wait_s: '12',
    hold_s: '0',
    duration_s: '43.7',
    csat: '5',
    ...overrides,
  };
}

export interface Attachment {
  field: string;
  bytes: Buffer;
  filename: string;
  contentType?: string;
}

/** POST /api/v1/calls as the phone system sends it: multipart with a bearer token. */
export function pushCall(app: Express, token: string, fields: CallFieldValues, files: Attachment[] = []) {
  let req = request(app).post('/api/v1/calls').set('Authorization', `Bearer ${token}`);
  for (const [name, value] of Object.entries(fields)) req = req.field(name, value);
  for (const file of files) {
    req = req.attach(file.field, file.bytes, {
      filename: file.filename,
      contentType: file.contentType ?? 'application/octet-stream',
    });
  }
  return req;
}

export function recordingFile(bytes: Buffer, filename = 'call.wav', contentType = 'audio/wav'): Attachment {
  return { field: 'recording', bytes, filename, contentType };
}

/**
 * A multipart body written byte for byte, for file names a form library would refuse or clean up
 * (NUL, CR/LF, path separators).
 */
export function rawMultipart(
  fields: CallFieldValues,
  file: { field: string; rawFilename: Buffer; bytes: Buffer; contentType: string },
): { body: Buffer; contentType: string } {
  const boundary = `----callscore${crypto.randomBytes(8).toString('hex')}`;
  const parts: Buffer[] = [];
  for (const [name, value] of Object.entries(fields)) {
    parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`));
  }
  parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${file.field}"; filename="`));
  parts.push(file.rawFilename);
  parts.push(Buffer.from(`"\r\nContent-Type: ${file.contentType}\r\n\r\n`));
  parts.push(file.bytes);
  parts.push(Buffer.from(`\r\n--${boundary}--\r\n`));
  return { body: Buffer.concat(parts), contentType: `multipart/form-data; boundary=${boundary}` };
}

/** Files in the recordings folder (not staging), in the staging folder, and rows in calls. */
export async function storageState(ctx: TestContext) {
  const { recordingsDir, stagingDir } = ctx.deps.storage;
  const recordings = fs
    .readdirSync(recordingsDir, { withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => e.name)
    .sort();
  const staged = fs.readdirSync(stagingDir).sort();
  const calls = (await ctx.deps.db.selectFrom('calls').select('id').execute()).length;
  return { recordings, staged, calls };
}

export const GENERATED_FILE = /^[a-f0-9]{32}\.[a-z0-9]{2,5}$/;

/** Waits until `check` holds or the time is up; returns whether it held. */
export async function eventually(check: () => boolean | Promise<boolean>, timeoutMs = 2000): Promise<boolean> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return true;
    if (Date.now() > until) return false;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

export async function callRow(ctx: TestContext, id: number) {
  return ctx.deps.db.selectFrom('calls').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
}

export async function auditActions(ctx: TestContext, action: string) {
  return ctx.deps.db.selectFrom('audit_log').selectAll().where('action', '=', action).execute();
}
