// Starts the compiled server (dist/src/server.js, built by `npm run build`) as a child process on a free
// loopback port with a fresh data folder, waits until GET /healthz answers, and stops it with SIGTERM.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import { freePort } from '../../helpers/ports';
import path from 'node:path';

export const PROJECT_ROOT = path.resolve(__dirname, '../../..');
const SERVER_JS = path.join(PROJECT_ROOT, 'dist/src/server.js');
const START_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 15_000;

export interface RunningServer {
  /** http://127.0.0.1:<port>, without a trailing slash. */
  readonly baseUrl: string;
  readonly dataDir: string;
  /** Everything the server wrote to stdout and stderr so far (warnings and errors at LOG_LEVEL=warn). */
  logs(): string;
  /** SIGTERM, wait for a clean exit (SIGKILL after 15 s), then remove the data folder. Safe to call twice. */
  stop(): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export { freePort } from '../../helpers/ports';

function exited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

function waitForExit(child: ChildProcess, timeoutMs: number) {
  return new Promise<{ code: number | null; signal: NodeJS.Signals | null } | null>((resolve) => {
    if (exited(child)) return resolve({ code: child.exitCode, signal: child.signalCode });
    const timer = setTimeout(() => resolve(null), timeoutMs);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal });
    });
  });
}

export interface StartOptions {
  /** Extra environment for the server (overrides the defaults below). */
  env?: Record<string, string>;
  /** Also copy the server's output to this file (e.g. under test-results/e2e/). */
  logFile?: string;
  /** Listen on this port (from freePort()) when the environment must name it, e.g. PUBLIC_URL. */
  port?: number;
}

export async function startServer(options: StartOptions = {}): Promise<RunningServer> {
  if (!fs.existsSync(SERVER_JS)) {
    throw new Error(`${path.relative(PROJECT_ROOT, SERVER_JS)} is missing: run \`npm run build\` first.`);
  }
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'callscore-e2e-'));
  const port = options.port ?? (await freePort());
  const env: NodeJS.ProcessEnv = { ...process.env };
  // Nothing from the developer's shell may point the server at another database or recordings folder.
  for (const key of ['DATABASE_FILE', 'RECORDINGS_DIR', 'TRUST_PROXY', 'PORT', 'HOST']) delete env[key];
  Object.assign(env, {
    NODE_ENV: 'production', // Jest sets NODE_ENV=test; run the server the way it is deployed.
    HOST: '127.0.0.1',
    PORT: String(port),
    DATA_DIR: dataDir,
    LOG_LEVEL: 'warn',
    SCRYPT_LOG_N: '12', // fast password hashing for tests only
    ...options.env,
  });

  let output = '';
  if (options.logFile) {
    fs.mkdirSync(path.dirname(options.logFile), { recursive: true });
    fs.writeFileSync(options.logFile, '');
  }
  const record = (chunk: Buffer | string) => {
    output += chunk.toString();
    if (options.logFile) fs.appendFileSync(options.logFile, chunk);
  };
  const child = spawn(process.execPath, [SERVER_JS], { cwd: PROJECT_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout?.on('data', record);
  child.stderr?.on('data', record);

  const baseUrl = `http://127.0.0.1:${port}`;
  let stopped: Promise<{ code: number | null; signal: NodeJS.Signals | null }> | null = null;
  const server: RunningServer = {
    baseUrl,
    dataDir,
    logs: () => output,
    stop() {
      stopped ??= (async () => {
        if (!exited(child)) child.kill('SIGTERM');
        let result = await waitForExit(child, STOP_TIMEOUT_MS);
        if (!result) {
          child.kill('SIGKILL');
          result = (await waitForExit(child, 5_000)) ?? { code: null, signal: 'SIGKILL' };
          record(`\n[e2e harness] the server ignored SIGTERM for ${STOP_TIMEOUT_MS} ms and was killed\n`);
        }
        fs.rmSync(dataDir, { recursive: true, force: true });
        return result;
      })();
      return stopped;
    },
  };

  const deadline = Date.now() + START_TIMEOUT_MS;
  let lastProblem = 'no answer yet';
  while (Date.now() < deadline) {
    if (exited(child)) {
      await server.stop();
      throw new Error(
        `The server exited during start-up (code ${child.exitCode}, signal ${child.signalCode}):\n${output}`,
      );
    }
    try {
      const res = await fetch(`${baseUrl}/healthz`, { signal: AbortSignal.timeout(2_000) });
      const body = (await res.json().catch(() => null)) as { status?: string } | null;
      if (res.ok && body?.status === 'ok') return server;
      lastProblem = `GET /healthz answered ${res.status}`;
    } catch (err) {
      lastProblem = (err as Error).message;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  await server.stop();
  throw new Error(`The server did not become healthy within ${START_TIMEOUT_MS} ms (${lastProblem}):\n${output}`);
}

/** Stops the server and fails unless it exited cleanly (code 0) on SIGTERM; for afterAll. */
export async function stopServerCleanly(server: RunningServer | undefined): Promise<void> {
  if (!server) return;
  const exit = await server.stop();
  if (exit.code !== 0) {
    throw new Error(
      `The server did not shut down cleanly on SIGTERM (code ${exit.code}, signal ${exit.signal}):\n${server.logs()}`,
    );
  }
}
