// Issue 14: uploads cut by kill -9 leave their half-written files in the staging folder. Nothing can finish them
// after a restart, so the next start empties that data folder's staging at once (today it keeps files younger
// than an hour), and none of the cut uploads becomes a call.
import fs from 'node:fs';
import path from 'node:path';
import type net from 'node:net';
import {
  diskState,
  killAllStarted,
  prepareDataDir,
  sleep,
  startServer,
  type Fixture,
  type ServerProcess,
} from './harness';
import { partialUpload } from './raw-upload';

jest.setTimeout(90_000);

let fixture: Fixture;
const sockets: net.Socket[] = [];

beforeAll(async () => {
  fixture = await prepareDataDir();
});
afterAll(async () => {
  for (const socket of sockets) socket.destroy();
  await killAllStarted();
  if (fixture) fs.rmSync(fixture.dataDir, { recursive: true, force: true });
});

/** A server's own staging folder, .staging/<host>-<pid>-<random> (each app process names its own at start). */
function stagingDirOf(dataDir: string, server: ServerProcess): string {
  const root = path.join(dataDir, 'recordings', '.staging');
  const name = fs.readdirSync(root).find((entry) => entry.includes(`-${server.pid}-`));
  if (!name) throw new Error(`no staging folder for pid ${server.pid} in ${fs.readdirSync(root).join(', ')}`);
  return path.join(root, name);
}

test('after kill -9 during uploads, the next start empties the staging folder right away', async () => {
  const server = await startServer(fixture.dataDir);
  const stagingDir = stagingDirOf(fixture.dataDir, server);
  const externalIds = ['cut-1', 'cut-2', 'cut-3'];
  for (const externalId of externalIds) {
    const upload = await partialUpload(server.baseUrl, fixture.supervisorToken, fixture.agent, {
      externalId,
      totalBytes: 2 * 1024 * 1024,
      sendBytes: 300 * 1024,
    });
    sockets.push(upload.socket);
  }
  // The server streams each upload into staging as it arrives; wait (bounded) until all three are there.
  const deadline = Date.now() + 15_000;
  while (fs.readdirSync(stagingDir).length < externalIds.length && Date.now() < deadline) await sleep(100);
  const stagedBeforeKill = fs.readdirSync(stagingDir);
  expect(stagedBeforeKill).toHaveLength(externalIds.length);

  await server.kill9();
  for (const socket of sockets) socket.destroy();
  const restarted = await startServer(fixture.dataDir);
  // The new process has a folder of its own; the killed one's pid is gone on this machine, so before listening
  // it takes that folder over (its files moved into its own, the folder removed), and the reconciler, right after
  // listening in the background, removes every file that was in staging before listening. Wait (bounded), look.
  expect(fs.existsSync(stagingDir)).toBe(false);
  const ownDir = stagingDirOf(fixture.dataDir, restarted);
  const emptied = Date.now() + 15_000;
  while (fs.readdirSync(ownDir).length > 0 && Date.now() < emptied) await sleep(100);
  const stagedAfterRestart = fs.readdirSync(ownDir);
  await restarted.stop();
  console.log(`staged before kill -9: ${stagedBeforeKill.join(', ')}; after restart: ${stagedAfterRestart.join(', ')}`);
  expect(stagedAfterRestart).toEqual([]);
  const disk = diskState(fixture.dataDir);
  expect(disk.rows.filter((r) => externalIds.includes(r.external_id))).toEqual([]);
  expect(disk.files).toEqual([]);
  expect(disk.integrity).toEqual(['ok']);
});
