// Issue 17: several app processes on one DATA_DIR (a shared volume). Each stages uploads in a folder of its own,
// .staging/<host>-<pid>-<random>, and holds a lease on it in the database. A process that starts takes over only
// dead processes' folders (lease given back or run out, or pid gone on this machine), never a live one's, however
// old its files are.
import fs from 'node:fs';
import type net from 'node:net';
import path from 'node:path';
import {
  call,
  callForm,
  diskState,
  killAllStarted,
  prepareDataDir,
  sleep,
  startServer,
  wavRecording,
  type Fixture,
  type ServerProcess,
} from './harness';
import { partialUpload } from './raw-upload';

jest.setTimeout(150_000);

let fixture: Fixture;
const sockets: net.Socket[] = [];
const HOUR = 3_600_000;

beforeAll(async () => {
  fixture = await prepareDataDir();
});
afterAll(async () => {
  for (const socket of sockets) socket.destroy();
  await killAllStarted();
  if (fixture) fs.rmSync(fixture.dataDir, { recursive: true, force: true });
});

const stagingRoot = () => path.join(fixture.dataDir, 'recordings', '.staging');

function stagingDirOf(server: ServerProcess): string {
  const name = fs.readdirSync(stagingRoot()).find((entry) => entry.includes(`-${server.pid}-`));
  if (!name) throw new Error(`no staging folder for pid ${server.pid}`);
  return path.join(stagingRoot(), name);
}

/** Waits (bounded) until the server logged that its start-up reconcile of the recordings is done. */
async function reconciled(server: ServerProcess): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (!server.logs().includes('recording storage reconciled') && Date.now() < deadline) await sleep(100);
  expect(server.logs()).toContain('recording storage reconciled');
}

function backdate(dir: string, ms: number): void {
  const when = new Date(Date.now() - ms);
  for (const name of fs.readdirSync(dir)) fs.utimesSync(path.join(dir, name), when, when);
}

test("a process starting beside live ones leaves their staging alone; a killed one's is taken over", async () => {
  const a = await startServer(fixture.dataDir);
  const b = await startServer(fixture.dataDir);
  const aDir = stagingDirOf(a);
  const bDir = stagingDirOf(b);
  expect(aDir).not.toBe(bDir);

  // Uploads under way in A (cut short: they stay in A's staging as long as A lives).
  const cut = ['live-1', 'live-2'];
  for (const externalId of cut) {
    const upload = await partialUpload(a.baseUrl, fixture.supervisorToken, fixture.agent, {
      externalId,
      totalBytes: 2 * 1024 * 1024,
      sendBytes: 300 * 1024,
    });
    sockets.push(upload.socket);
  }
  const deadline = Date.now() + 15_000;
  while (fs.readdirSync(aDir).length < cut.length && Date.now() < deadline) await sleep(100);
  const aStaged = fs.readdirSync(aDir).sort();
  expect(aStaged).toHaveLength(cut.length);
  // A file in B's folder two hours old (a long import or upload): age alone never makes a live folder's file go.
  fs.writeFileSync(path.join(bDir, 'a'.repeat(32)), 'a long upload under way in B');
  backdate(aDir, 2 * HOUR);
  backdate(bDir, 2 * HOUR);

  // C starts on the same data folder and runs its start-up reconcile: A's and B's staging stay as they were.
  const c = await startServer(fixture.dataDir, { LOG_LEVEL: 'info' });
  await reconciled(c);
  expect(fs.readdirSync(aDir).sort()).toEqual(aStaged);
  expect(fs.readdirSync(bDir)).toEqual(['a'.repeat(32)]);
  // Every process still takes uploads, and they land in the shared recordings folder.
  for (const server of [a, b, c]) {
    const { form } = callForm(fixture.agent, wavRecording(server.pid));
    const res = await call(server.baseUrl, 'POST', '/api/v1/calls', { token: fixture.supervisorToken, form });
    expect(res.status).toBe(201);
  }
  expect(fs.readdirSync(aDir).sort()).toEqual(aStaged);

  // A dies mid-upload. D starts: A's pid is gone on this machine, so its folder is taken over at once and its
  // cut uploads removed; B's folder (B alive) is still left alone.
  await a.kill9();
  for (const socket of sockets) socket.destroy();
  const d = await startServer(fixture.dataDir, { LOG_LEVEL: 'info' });
  await reconciled(d);
  expect(fs.existsSync(aDir)).toBe(false);
  expect(fs.readdirSync(stagingDirOf(d))).toEqual([]);
  expect(fs.readdirSync(bDir)).toEqual(['a'.repeat(32)]);
  expect(d.logs()).toContain("dead processes' staging taken over");

  // B stops cleanly (its lease given back): the next process to start takes its folder over, file and all.
  await b.stop();
  await c.stop();
  const e = await startServer(fixture.dataDir, { LOG_LEVEL: 'info' });
  await reconciled(e);
  expect(fs.existsSync(bDir)).toBe(false);
  await d.stop();
  await e.stop();

  const disk = diskState(fixture.dataDir);
  expect(disk.rows.filter((r) => cut.includes(r.external_id))).toEqual([]);
  expect(disk.rows).toHaveLength(3);
  expect(disk.files.sort()).toEqual(disk.rows.map((r) => r.recording_file).sort());
  expect(disk.staged).toEqual([]);
  expect(disk.integrity).toEqual(['ok']);
});
