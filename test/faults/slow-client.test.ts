// Issue 14: slow clients (slowloris headers, a trickled upload body, a download nobody reads) on a bounded number
// of sockets must not stop /healthz, reads or writes of other clients from answering fast.
import fs from 'node:fs';
import net from 'node:net';
import {
  call,
  callForm,
  evaluationBody,
  killAllStarted,
  prepareDataDir,
  sleep,
  startServer,
  wavRecording,
  type Fixture,
  type ServerProcess,
} from './harness';
import { partialUpload } from './raw-upload';

jest.setTimeout(90_000);

const SLOW_HEADERS = 20;
const SLOW_BODIES = 10;
const UNREAD_DOWNLOADS = 10;
const FAST_MS = 1_000;

let fixture: Fixture;
let server: ServerProcess;
const sockets: net.Socket[] = [];
const timers: NodeJS.Timeout[] = [];

beforeAll(async () => {
  fixture = await prepareDataDir();
  server = await startServer(fixture.dataDir);
});
afterAll(async () => {
  for (const timer of timers) clearInterval(timer);
  for (const socket of sockets) socket.destroy();
  await killAllStarted();
  if (fixture) fs.rmSync(fixture.dataDir, { recursive: true, force: true });
});

function connect(): Promise<net.Socket> {
  const { port, hostname } = new URL(server.baseUrl);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), hostname, () => resolve(socket));
    socket.on('error', () => undefined);
    socket.once('error', reject);
    sockets.push(socket);
  });
}

/** Sends a request's head one byte every 200 ms, never finishing it (slowloris). */
async function slowHeaders() {
  const socket = await connect();
  const head = Buffer.from(`GET /login HTTP/1.1\r\nHost: x\r\nX-Slow: ${'a'.repeat(500)}\r\n`);
  let sent = 0;
  timers.push(
    setInterval(() => {
      if (sent < head.length && !socket.destroyed) socket.write(head.subarray(sent, ++sent));
    }, 200),
  );
}

/** Asks for a recording and never reads the answer: the server's writes back up against a full socket. */
async function unreadDownload(callId: number) {
  const socket = await connect();
  socket.pause();
  socket.write(
    `GET /api/v1/calls/${callId}/recording HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${fixture.supervisorToken}\r\n\r\n`,
  );
}

test('slow clients on a bounded number of sockets leave /healthz, reads and writes fast', async () => {
  const token = fixture.supervisorToken;
  const big = await call(server.baseUrl, 'POST', '/api/v1/calls', {
    token,
    form: callForm(fixture.agent, wavRecording(1, 4 * 1024 * 1024)).form,
  });
  expect(big.status).toBe(201);
  const callId = (big.body as { id: number }).id;

  for (let i = 0; i < SLOW_HEADERS; i += 1) await slowHeaders();
  for (let i = 0; i < SLOW_BODIES; i += 1) {
    const upload = await partialUpload(server.baseUrl, token, fixture.agent, {
      externalId: `slow-${i}`,
      totalBytes: 1024 * 1024,
      sendBytes: 1000,
    });
    sockets.push(upload.socket);
    timers.push(setInterval(() => upload.more(10), 200));
  }
  for (let i = 0; i < UNREAD_DOWNLOADS; i += 1) await unreadDownload(callId);
  await sleep(1_500);

  const health = [];
  for (let i = 0; i < 5; i += 1) health.push(await call(server.baseUrl, 'GET', '/healthz', { timeoutMs: 10_000 }));
  const read = await call(server.baseUrl, 'GET', `/api/v1/calls/${callId}`, { token, timeoutMs: 10_000 });
  const write = await call(server.baseUrl, 'POST', '/api/v1/evaluations', {
    token,
    json: evaluationBody(fixture, callId),
    timeoutMs: 10_000,
  });
  const seen = {
    health: health.map((h) => `${h.status} in ${h.ms} ms`),
    read: `${read.status} in ${read.ms} ms`,
    write: `${write.status} in ${write.ms} ms`,
  };
  console.log(`with ${sockets.length} slow sockets open: ${JSON.stringify(seen)}`);
  for (const h of health) expect({ status: h.status, fast: h.ms < FAST_MS }).toEqual({ status: 200, fast: true });
  expect({ status: read.status, fast: read.ms < FAST_MS }).toEqual({ status: 200, fast: true });
  expect({ status: write.status, fast: write.ms < 2 * FAST_MS }).toEqual({ status: 201, fast: true });
});
