// Issue 17 (several processes behind a load balancer): an idle keep-alive connection stays open longer than the
// balancer's own idle timeout (60 s for nginx's upstream keepalive and AWS's ALB), so the app never closes a
// connection the balancer is about to reuse. With Node's default (5 s) a request sent on such a connection met a
// reset: the engines bench hit it as ECONNRESET, behind nginx it is a 502 for a submit.
import fs from 'node:fs';
import net from 'node:net';
import { KEEP_ALIVE_MS } from '../../src/startup';
import { killAllStarted, prepareDataDir, sleep, startServer, type Fixture, type ServerProcess } from './harness';

jest.setTimeout(60_000);

let fixture: Fixture;
let server: ServerProcess;

beforeAll(async () => {
  fixture = await prepareDataDir();
  server = await startServer(fixture.dataDir);
});
afterAll(async () => {
  await killAllStarted();
  if (fixture) fs.rmSync(fixture.dataDir, { recursive: true, force: true });
});

/** Sends one keep-alive GET /healthz on the socket and resolves with the response head's status line. */
function healthz(socket: net.Socket): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    const onData = (chunk: Buffer) => {
      text += chunk.toString('latin1');
      const end = text.indexOf('\r\n\r\n');
      const length = /content-length: (\d+)/i.exec(text);
      if (end >= 0 && length && text.length >= end + 4 + Number(length[1])) {
        socket.off('data', onData);
        socket.off('close', onClose);
        resolve(text.split('\r\n')[0]);
      }
    };
    const onClose = () => reject(new Error(`the server closed the connection (after: ${JSON.stringify(text)})`));
    socket.on('data', onData);
    socket.once('close', onClose);
    socket.write('GET /healthz HTTP/1.1\r\nHost: app\r\nConnection: keep-alive\r\n\r\n');
  });
}

test('the idle timeout outlasts a load balancer’s 60 s', () => {
  expect(KEEP_ALIVE_MS).toBeGreaterThan(60_000);
});

test('a keep-alive connection idle for longer than Node’s default 5 s still carries the next request', async () => {
  const { hostname, port } = new URL(server.baseUrl);
  const socket = net.connect(Number(port), hostname);
  socket.on('error', () => undefined);
  await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
  try {
    expect(await healthz(socket)).toBe('HTTP/1.1 200 OK');
    await sleep(6_500);
    expect(socket.destroyed).toBe(false);
    expect(await healthz(socket)).toBe('HTTP/1.1 200 OK');
  } finally {
    socket.destroy();
  }
});
