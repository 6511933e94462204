// Issue 14: kill -9 during uploads and scorecard submits, FAULT_CYCLES times (default 10; 200 for a long run).
// Every write the server acknowledged (201/200 received) must be there after the restart, byte for byte, the
// database must pass integrity_check, and no recording may lack its row nor a stored row its file.
import fs from 'node:fs';
import path from 'node:path';
import {
  call,
  callForm,
  diskState,
  evaluationBody,
  killAllStarted,
  prepareDataDir,
  seededRandom,
  sha256,
  sleep,
  startServer,
  wavRecording,
  type Fixture,
  type ServerProcess,
} from './harness';

const CYCLES = Number(process.env.FAULT_CYCLES ?? 10);
const SEED = Number(process.env.FAULT_SEED ?? Date.now() % 1_000_000);
const WRITERS = 3;
const FIRST_ACK_BOUND_MS = 20_000;

jest.setTimeout(Math.max(150_000, CYCLES * 15_000));

interface Acknowledged {
  calls: Map<number, { externalId: string; sha: string }>;
  evaluations: Map<number, number>;
}

/** Uploads a call with a recording, then submits a scorecard on it, until the server goes away. */
async function writer(
  server: ServerProcess,
  fixture: Fixture,
  acked: Acknowledged,
  salt: () => number,
  onAck: () => void,
) {
  for (;;) {
    const recording = wavRecording(salt(), 4000 + (salt() % 8) * 1000);
    const { form, externalId } = callForm(fixture.agent, recording);
    let callId: number;
    try {
      const res = await call(server.baseUrl, 'POST', '/api/v1/calls', { token: fixture.supervisorToken, form });
      if (res.status !== 201) throw new Error(`upload answered ${res.status}: ${JSON.stringify(res.body)}`);
      callId = (res.body as { id: number }).id;
      acked.calls.set(callId, { externalId, sha: sha256(recording) });
      onAck();
    } catch (err) {
      if (isCut(err)) return;
      throw err;
    }
    try {
      const res = await call(server.baseUrl, 'POST', '/api/v1/evaluations', {
        token: fixture.supervisorToken,
        json: evaluationBody(fixture, callId),
      });
      if (res.status !== 201) throw new Error(`submit answered ${res.status}: ${JSON.stringify(res.body)}`);
      acked.evaluations.set((res.body as { id: number }).id, callId);
      onAck();
    } catch (err) {
      if (isCut(err)) return;
      throw err;
    }
  }
}

/** The connection died with the server (reset, refused, or our bound ran out): the write was not acknowledged. */
function isCut(err: unknown): boolean {
  const e = err as { name?: string; message?: string; cause?: { code?: string } };
  return e.name === 'TimeoutError' || e.message === 'fetch failed' || Boolean(e.cause?.code);
}

let fixture: Fixture;

beforeAll(async () => {
  fixture = await prepareDataDir();
});
afterAll(async () => {
  await killAllStarted();
  if (fixture) fs.rmSync(fixture.dataDir, { recursive: true, force: true });
});

test(`every acknowledged upload and submit survives ${CYCLES} kill -9 cycles, with integrity and no orphans`, async () => {
  console.log(`fault suite kill -9: ${CYCLES} cycles, FAULT_SEED=${SEED}`);
  const random = seededRandom(SEED);
  const salt = () => Math.floor(random() * 1_000_000);
  const acked: Acknowledged = { calls: new Map(), evaluations: new Map() };
  const checked: Acknowledged = { calls: new Map(), evaluations: new Map() };
  let server = await startServer(fixture.dataDir);
  for (let cycle = 0; cycle < CYCLES; cycle += 1) {
    // The kill lands at a random moment after the cycle's first acknowledged write (uploads and submits then
    // overlap), so every cycle has something to lose; a first write never acknowledged fails the test instead.
    const killAfterMs = Math.floor(random() * 1500);
    let firstAck: () => void = () => undefined;
    const acknowledged = new Promise<void>((resolve) => (firstAck = resolve));
    const writers = Array.from({ length: WRITERS }, () => writer(server, fixture, acked, salt, firstAck));
    let bound: NodeJS.Timeout | undefined;
    await Promise.race([acknowledged, new Promise((resolve) => (bound = setTimeout(resolve, FIRST_ACK_BOUND_MS)))]);
    clearTimeout(bound);
    await sleep(killAfterMs);
    await server.kill9();
    await Promise.all(writers);
    server = await startServer(fixture.dataDir);
    // The writes of this cycle through the API; every earlier one is checked on disk at the end.
    await expectAcknowledgedWritesServed(server, acked, checked, cycle);
  }
  await server.stop();
  expect(acked.calls.size).toBeGreaterThan(0);
  expect(acked.evaluations.size).toBeGreaterThan(0);
  console.log(`acknowledged: ${acked.calls.size} uploads, ${acked.evaluations.size} submits`);

  const disk = diskState(fixture.dataDir);
  expect(disk.integrity).toEqual(['ok']);
  const rowsByFile = new Map(disk.rows.map((r) => [r.recording_file, r]));
  // No recording file without its row; no stored row pointing at a missing file.
  expect(disk.files.filter((f) => !rowsByFile.has(f))).toEqual([]);
  const missing = disk.rows.filter((r) => !fs.existsSync(path.join(disk.recordingsDir, r.recording_file)));
  expect(missing).toEqual([]);
  expect(disk.rows.filter((r) => r.recording_status !== 'stored')).toEqual([]);
  for (const [id, { sha }] of acked.calls) {
    const row = disk.rows.find((r) => r.id === id);
    expect(row).toBeDefined();
    expect(sha256(fs.readFileSync(path.join(disk.recordingsDir, row!.recording_file)))).toBe(sha);
  }
  const evaluationIds = new Set(disk.evaluations.map((e) => e.id));
  expect([...acked.evaluations.keys()].filter((id) => !evaluationIds.has(id))).toEqual([]);
});

/** After a restart, the API serves every acknowledged call (with its exact recording) and scorecard. */
async function expectAcknowledgedWritesServed(
  server: ServerProcess,
  acked: Acknowledged,
  checked: Acknowledged,
  cycle: number,
) {
  const token = fixture.supervisorToken;
  for (const [id, { externalId, sha }] of acked.calls) {
    if (checked.calls.has(id)) continue;
    checked.calls.set(id, { externalId, sha });
    const res = await call(server.baseUrl, 'GET', `/api/v1/calls/${id}`, { token });
    expect({ cycle, id, status: res.status }).toEqual({ cycle, id, status: 200 });
    expect((res.body as { external_id: string }).external_id).toBe(externalId);
    const audio = await fetch(`${server.baseUrl}/api/v1/calls/${id}/recording`, {
      headers: { Authorization: `Bearer ${token}` },
      signal: AbortSignal.timeout(10_000),
    });
    expect({ cycle, id, recording: audio.status }).toEqual({ cycle, id, recording: 200 });
    expect(sha256(Buffer.from(await audio.arrayBuffer()))).toBe(sha);
  }
  for (const [id, callId] of acked.evaluations) {
    if (checked.evaluations.has(id)) continue;
    checked.evaluations.set(id, callId);
    const res = await call(server.baseUrl, 'GET', `/api/v1/evaluations/${id}`, { token });
    expect({ cycle, id, status: res.status }).toEqual({ cycle, id, status: 200 });
    expect((res.body as { call_id: number }).call_id).toBe(callId);
  }
}
