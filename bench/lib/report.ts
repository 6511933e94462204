import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import type { AppUnderTest } from './app';
import { PROJECT_ROOT } from './dataset';

export interface Environment {
  date: string;
  node: string;
  platform: string;
  cpus: number;
  cpuModel: string;
  memoryGiB: number;
  sqlite: string;
  autocannon: string | null;
  /** What was built and run: "working tree" or "commit abc1234". */
  app: string;
  commit: string | null;
  /** Working tree only: files changed against the commit when the run started (the build includes them). */
  uncommittedChanges: number | null;
}

function git(args: string[]): string | null {
  const result = spawnSync('git', args, { cwd: PROJECT_ROOT, encoding: 'utf8', timeout: 10_000 });
  return result.status === 0 ? result.stdout.trim() : null;
}

export function environment(app: AppUnderTest): Environment {
  const memory = new SQLite(':memory:');
  const sqlite = (memory.prepare('select sqlite_version() as v').get() as { v: string }).v;
  memory.close();
  let autocannon: string | null;
  try {
    autocannon = (
      JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, 'node_modules/autocannon/package.json'), 'utf8')) as {
        version: string;
      }
    ).version;
  } catch {
    autocannon = null;
  }
  const status = app.commit ? null : git(['status', '--porcelain']);
  return {
    date: new Date().toISOString(),
    node: process.version,
    platform: `${os.type()} ${os.release()} ${os.arch()}`,
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model ?? 'unknown',
    memoryGiB: Math.round(os.totalmem() / 1073741824),
    sqlite,
    autocannon,
    app: app.label,
    commit: app.commit ? app.commit.slice(0, 7) : git(['rev-parse', '--short', 'HEAD']),
    uncommittedChanges: status === null ? null : status.split('\n').filter(Boolean).length,
  };
}

export interface StoredResult {
  scenario: string;
  title: string;
  env: Environment;
  datasets: Array<{ calls: number; key: string; databaseBytes: number; generatedInMs: number; reused: boolean }>;
  checks: Array<{ target: string; measured: string; pass: boolean | null }>;
  /** Per scenario run: CPU share of other processes and of the bench itself (runner and servers). */
  conditions: Array<{
    scenario: string;
    calls: number;
    /** 1, or 2 for the rerun of a scenario whose first attempt ran on a busy machine. */
    attempt?: number;
    startedAt?: string;
    seconds?: number;
    /** Other processes used over 20% of the CPU meanwhile. */
    busy?: boolean;
    /** Which attempt's figures the results hold (only set when there was a rerun). */
    kept?: boolean;
    otherCpuShare: number;
    ownCpuShare: number;
    loadAvg1mBefore: number;
    loadAvg1mAfter: number;
  }>;
  markdown: string;
  error?: string;
  [key: string]: unknown;
}

/** Identifies the run that wrote a result: SUMMARY.md is written from one full run's results only. */
export interface RunInfo {
  id: string;
  /** Every scenario at every size (no --only). */
  full: boolean;
  startedAt: string;
  /** Wall time of the whole run, set when it ends. */
  seconds?: number;
}

/** Other processes' share of the machine's CPU during each scenario run (and its load average); over 20% is marked. */
function loadText(r: StoredResult): string {
  const conditions = (r.conditions ?? []).filter((c) => typeof c.otherCpuShare === 'number');
  if (!conditions.length) return '–';
  return conditions
    .map((c) => {
      const load = `load ${c.loadAvg1mBefore.toFixed(1)}→${c.loadAvg1mAfter.toFixed(1)}`;
      const marks = [c.busy ? '⚠ busy' : '', c.attempt === 2 ? 'rerun' : '', c.kept === false ? 'discarded' : '']
        .filter(Boolean)
        .join(', ');
      return `${Math.round(c.otherCpuShare * 100)}% (${load}${marks ? `; ${marks}` : ''})`;
    })
    .join(', ');
}

function datasetLines(stored: StoredResult[]): string[] {
  const byCalls = new Map<number, StoredResult['datasets'][number]>();
  for (const r of stored) for (const d of r.datasets) byCalls.set(d.calls, d);
  const lines = [
    '| dataset | generator time (measured when it was generated) | database | this run |',
    '|---|---|---|---|',
  ];
  for (const d of [...byCalls.values()].sort((a, b) => a.calls - b.calls)) {
    lines.push(
      `| ${d.calls.toLocaleString('en-US')} calls | ${(d.generatedInMs / 1000).toFixed(1)} s | ${Math.round(d.databaseBytes / 1048576)} MB | ${d.reused ? 'reused the cached dataset' : 'generated it'} |`,
    );
  }
  return lines;
}

/**
 * bench/results/SUMMARY.md from the results of one full run (`npm run bench`), saying which commit it measured;
 * a partial run (--only) writes SUMMARY.partial.md from its own results instead, so the summary never mixes runs.
 */
export function writeSummary(resultsDir: string, order: string[], run: RunInfo): string {
  const stored: StoredResult[] = [];
  for (const name of fs.readdirSync(resultsDir).filter((f) => f.endsWith('.json'))) {
    try {
      const r = JSON.parse(fs.readFileSync(path.join(resultsDir, name), 'utf8')) as StoredResult;
      if (order.includes(r.scenario) && (r.run as RunInfo | undefined)?.id === run.id) stored.push(r);
    } catch {
      // not one of ours
    }
  }
  stored.sort((a, b) => order.indexOf(a.scenario) - order.indexOf(b.scenario));
  const env = stored[0]?.env;
  const dirty = env?.uncommittedChanges ? ` + ${env.uncommittedChanges} uncommitted files` : '';
  const built = env ? (env.app === 'working tree' ? `working tree at ${env.commit ?? '?'}${dirty}` : env.app) : '?';
  const lines: string[] = ['# Callscore benchmark summary', ''];
  lines.push(
    `${run.full ? 'One full run' : 'A partial run (--only or --sizes: not the summary of record)'} of \`bench/run.ts\`, ` +
      `app built from **${built}**, started ${run.startedAt.slice(0, 16).replace('T', ' ')} UTC` +
      `${run.seconds ? `, ${Math.round(run.seconds / 60)} min in all` : ''}; ${env ? `${env.node}, ${env.cpus} × ${env.cpuModel}` : ''}. ` +
      'Every scenario ran on its own fresh copy of the dataset. See `bench/README.md` for what each figure means.',
    '',
  );
  lines.push(...datasetLines(stored), '');
  lines.push(
    `| scenario | run at | datasets | CPU used by other processes (load average; ⚠ over ${20}%: rerun once) |`,
    '|---|---|---|---|',
  );
  for (const r of stored) {
    const sets = r.datasets.map((d) => `${d.calls.toLocaleString('en-US')} calls`).join(', ');
    lines.push(`| \`${r.scenario}\` | ${r.env.date.slice(0, 16).replace('T', ' ')} UTC | ${sets} | ${loadText(r)} |`);
  }
  lines.push('', '## Targets', '', '| target | measured | result |', '|---|---|---|');
  for (const r of stored) {
    if (r.error) lines.push(`| \`${r.scenario}\` | failed: ${r.error.split('\n')[0]} | ❌ error |`);
    for (const c of r.checks) {
      lines.push(`| ${c.target} | ${c.measured} | ${c.pass === null ? '–' : c.pass ? '✅ pass' : '❌ miss'} |`);
    }
  }
  for (const r of stored) lines.push('', r.markdown);
  const text = `${lines.join('\n')}\n`;
  fs.writeFileSync(path.join(resultsDir, run.full ? 'SUMMARY.md' : 'SUMMARY.partial.md'), text);
  return text;
}
