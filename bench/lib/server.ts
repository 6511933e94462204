import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import type { AppUnderTest } from './app';
import { DATABASE_FILE } from './dataset';

const live = new Set<ChildProcess>();
let exitHooked = false;

/** Servers still running when the runner dies are killed with it, never left behind. */
function hookExit(): void {
  if (exitHooked) return;
  exitHooked = true;
  const killAll = () => {
    for (const child of live) child.kill('SIGKILL');
  };
  process.on('exit', killAll);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.on(signal, () => {
      killAll();
      process.exit(130);
    });
  }
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export interface ServerHandle {
  pid: number;
  port: number;
  baseUrl: string;
  /** From spawn to the first 200 from /healthz (migrations, listen; the storage reconcile and retention run after, in the background). */
  startupMs: number;
  /**
   * After /healthz, until the start-up catch-up had brought every report roll-up up to date (see settled()); 0 on
   * PostgreSQL or with `settle: false`.
   */
  settleMs: number;
  /** Warnings and errors the server logged (LOG_LEVEL=warn), newest last, at most 200. */
  logLines: string[];
  stop(): Promise<{ code: number | null; signal: NodeJS.Signals | null; cleanShutdown: boolean }>;
}

function healthy(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const req = http.get({ host: '127.0.0.1', port, path: '/healthz', timeout: 2000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('error', () => resolve(false));
    req.on('timeout', () => {
      req.destroy();
      resolve(false);
    });
  });
}

export interface StartOptions {
  app: AppUnderTest;
  dataDir: string;
  scryptLogN: number;
  env?: Record<string, string>;
  /** Extra node flags before the entry point (--cpu-prof, say). */
  nodeArgs?: string[];
  startTimeoutMs?: number;
  /** Wait for the start-up roll-up catch-up after /healthz (default true; SQLite only). */
  settle?: boolean;
}

/**
 * Waits until the server's start-up catch-up has recomputed every stale report roll-up day: the steady state of
 * a running installation. A generated dataset starts with every day of its year stale (the bulk load's triggers
 * mark them) and the catch-up runs in the background after listening, on the request's event loop; a case
 * measured beside it pays for it. Read on a read-only connection; a schema without rollup_dirty is settled.
 */
async function settled(dbFile: string, deadline: number, logLines: string[]): Promise<number> {
  const started = performance.now();
  if (!fs.existsSync(dbFile)) return 0;
  const db = new SQLite(dbFile, { readonly: true, fileMustExist: true });
  try {
    const exists = db.prepare("select 1 from sqlite_master where type = 'table' and name = 'rollup_dirty'").get();
    if (!exists) return 0;
    const stale = db.prepare('select count(*) as n from rollup_dirty');
    while (Number((stale.get() as { n: number }).n) > 0) {
      if (performance.now() > deadline)
        throw new Error(`the start-up roll-up catch-up did not finish in time:\n${logLines.join('\n')}`);
      await new Promise((r) => setTimeout(r, 250));
    }
    return Math.round(performance.now() - started);
  } finally {
    db.close();
  }
}

/** Starts `node dist/src/server.js` on a free loopback port and waits until /healthz answers. */
export async function startServer(options: StartOptions): Promise<ServerHandle> {
  hookExit();
  const entry = path.join(options.app.dir, 'dist', 'src', 'server.js');
  if (!fs.existsSync(entry)) throw new Error(`${entry} is missing: run npm run build`);
  const port = await freePort();
  const started = performance.now();
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), entry], {
    cwd: options.app.dir,
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: process.env.HOME ?? '/tmp',
      NODE_ENV: 'production',
      HOST: '127.0.0.1',
      PORT: String(port),
      DATA_DIR: options.dataDir,
      LOG_LEVEL: 'warn',
      SCRYPT_LOG_N: String(options.scryptLogN),
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  live.add(child);
  const logLines: string[] = [];
  const keep = (chunk: Buffer) => {
    for (const line of chunk.toString('utf8').split('\n')) {
      if (!line.trim()) continue;
      logLines.push(line.length > 2000 ? `${line.slice(0, 2000)}…` : line);
      if (logLines.length > 200) logLines.shift();
    }
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  let exited: { code: number | null; signal: NodeJS.Signals | null } | null = null;
  const exitPromise = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on('exit', (code, signal) => {
      exited = { code, signal };
      live.delete(child);
      resolve(exited);
    });
  });

  const deadline = started + (options.startTimeoutMs ?? 180_000);
  for (;;) {
    if (exited) throw new Error(`server exited during start-up (${JSON.stringify(exited)}):\n${logLines.join('\n')}`);
    if (await healthy(port)) break;
    if (performance.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`server did not answer /healthz in time:\n${logLines.join('\n')}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  const startupMs = Math.round(performance.now() - started);
  const settleMs =
    options.settle === false || options.env?.DATABASE_URL
      ? 0
      : await settled(path.join(options.dataDir, DATABASE_FILE), started + 3_600_000, logLines);

  return {
    pid: child.pid!,
    port,
    baseUrl: `http://127.0.0.1:${port}`,
    startupMs,
    settleMs,
    logLines,
    async stop() {
      if (!exited) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
        await exitPromise;
        clearTimeout(timer);
      }
      const result = (await exitPromise) ?? { code: null, signal: null };
      return { ...result, cleanShutdown: result.code === 0 };
    },
  };
}
