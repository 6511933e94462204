import net from 'node:net';

// A port for a server a test spawns, which binds it seconds later. A port the kernel hands out for `listen(0)` is
// from the ephemeral range (32768–60999 on Linux), which every supertest request, every outgoing connection and
// every other test's `listen(0)` draws from too: in the seconds before the spawned server binds, one of them can
// take it, and a test app listening there answered the harness's /healthz in its place (a kill -9 cycle then got
// 401 from a stranger's database). Ports below that range are never handed out by the kernel.

const LOW = 20_000;
const HIGH = 32_000;

function bindable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = net.createServer();
    probe.unref();
    probe.once('error', () => resolve(false));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
  });
}

/** A loopback port nobody listens on now, below the kernel's ephemeral range. */
export async function freePort(): Promise<number> {
  for (let tries = 0; tries < 200; tries += 1) {
    const port = LOW + Math.floor(Math.random() * (HIGH - LOW));
    if (await bindable(port)) return port;
  }
  throw new Error(`no free port between ${LOW} and ${HIGH} after 200 tries`);
}
