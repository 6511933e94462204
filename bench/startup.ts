/**
 * Start-up to the first 200 from /healthz (issue 21), and what the start-up spends its time loading.
 *
 *   npm run build && npm run bench:startup -- --label after [--runs 5] [--app-dir DIR] [--data DATASET]
 *
 * Starts the built server (`node dist/src/server.js`, NODE_ENV=production) on a fresh DATA_DIR in a temp
 * folder, empty or a copy of a generated dataset (`--data`, e.g. 1,000,000 calls with their recordings, so the
 * reconciler has every recording to check): one untimed start runs the migrations, then `--runs` timed starts, each from spawn to the first
 * 200 from /healthz (polled every 5 ms), with the process's own CPU time (user + system) up to that answer and
 * its RSS then. A last start is preloaded with `bench/lib/preload-require-timing.js` (bench-only) for the
 * self time of every require() per package. `--app-dir` times another built copy (a `git archive` of an older
 * commit with node_modules linked, built there), so a before/after pair can run back to back at the same load. The figures, with `os.loadavg()` before and after, go under
 * `--label` in bench/results/startup.json (other labels already there are kept).
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { numberArg, parseArgs } from './lib/args';
import { processJiffies } from './lib/cpu';
import { copyDataset, PROJECT_ROOT, readManifest } from './lib/dataset';
import { freePort } from './lib/server';
import { median } from './lib/stats';

interface Start {
  startupMs: number;
  cpuMs: number;
  rssMb: number;
}

function healthy(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const req = http.get({ host: '127.0.0.1', port, path: '/healthz', timeout: 1000 }, (res) => {
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

function rssMb(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return Math.round(kb / 102.4) / 10;
}

let appDir = PROJECT_ROOT;

async function startOnce(dataDir: string, env: Record<string, string> = {}, nodeArgs: string[] = []): Promise<Start> {
  const port = await freePort();
  const entry = path.join(appDir, 'dist', 'src', 'server.js');
  const started = performance.now();
  const child = spawn(process.execPath, [...nodeArgs, entry], {
    cwd: appDir,
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: process.env.HOME ?? '/tmp',
      NODE_ENV: 'production',
      HOST: '127.0.0.1',
      PORT: String(port),
      DATA_DIR: dataDir,
      LOG_LEVEL: 'warn',
      SCRYPT_LOG_N: '10',
      ...env,
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  let exited = false;
  const exit = new Promise<void>((resolve) => child.on('exit', () => ((exited = true), resolve())));
  try {
    for (;;) {
      if (exited) throw new Error(`server exited during start-up:\n${stderr}`);
      if (await healthy(port)) break;
      if (performance.now() - started > 120_000) throw new Error(`no /healthz in 120 s:\n${stderr}`);
      await new Promise((r) => setTimeout(r, 5));
    }
    const startupMs = Math.round(performance.now() - started);
    // /proc/<pid>/stat counts in clock ticks (100 per second on Linux).
    return { startupMs, cpuMs: processJiffies(child.pid!) * 10, rssMb: rssMb(child.pid!) };
  } finally {
    child.kill('SIGTERM');
    await exit;
  }
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const runs = numberArg(args, 'runs', 5);
  const label = args.get('label') ?? 'current';
  appDir = path.resolve(args.get('app-dir') ?? PROJECT_ROOT);
  const resultsDir = args.get('results') ?? path.join(PROJECT_ROOT, 'bench', 'results');
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'callscore-startup-'));
  const dataset = args.get('data');
  if (dataset) await copyDataset(path.resolve(dataset), dataDir);
  const loadBefore = os.loadavg().map((l) => Math.round(l * 100) / 100);
  try {
    await startOnce(dataDir); // migrations on the empty folder, untimed
    const starts: Start[] = [];
    for (let i = 0; i < runs; i += 1) {
      starts.push(await startOnce(dataDir));
      console.log(`start ${i + 1}: ${JSON.stringify(starts[i])}`);
    }
    const timingFile = path.join(dataDir, 'require-timing.json');
    const preload = path.join(PROJECT_ROOT, 'bench', 'lib', 'preload-require-timing.js');
    await startOnce(dataDir, { REQUIRE_TIMING_OUT: timingFile }, ['--require', preload]);
    const timing = JSON.parse(fs.readFileSync(timingFile, 'utf8')) as {
      rows: Array<{ pkg: string; selfMs: number }>;
      packages: Array<{ pkg: string; inclusiveMs: number }>;
    };
    const loadAfter = os.loadavg().map((l) => Math.round(l * 100) / 100);
    const sorted = (pick: (s: Start) => number) => starts.map(pick).sort((a, b) => a - b);
    const result = {
      measuredAt: new Date().toISOString(),
      app: appDir === PROJECT_ROOT ? 'working tree' : appDir,
      dataset: dataset ? { dir: path.resolve(dataset), counts: readManifest(path.resolve(dataset))?.counts } : 'empty',
      node: process.version,
      cpus: os.cpus().length,
      runs,
      medianStartupMs: median(sorted((s) => s.startupMs)),
      medianCpuMs: median(sorted((s) => s.cpuMs)),
      medianRssMb: median(sorted((s) => s.rssMb)),
      starts,
      loadavgBefore: loadBefore,
      loadavgAfter: loadAfter,
      requireSelfMsTop: timing.rows.slice(0, 20),
      packagesRequiredByAppInclusiveMsTop: timing.packages.slice(0, 15),
      requireSelfMsTotal: Math.round(timing.rows.reduce((sum, r) => sum + r.selfMs, 0)),
    };
    console.log(JSON.stringify({ ...result, starts: undefined }, null, 1));
    const file = path.join(resultsDir, 'startup.json');
    const existing = fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>) : {};
    fs.writeFileSync(file, `${JSON.stringify({ ...existing, [label]: result }, null, 2)}\n`);
  } finally {
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
