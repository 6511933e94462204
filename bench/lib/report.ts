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
    otherCpuShare: number;
    ownCpuShare: number;
    loadAvg1mBefore: number;
    loadAvg1mAfter: number;
  }>;
  markdown: string;
  error?: string;
  [key: string]: unknown;
}

/** Other processes' share of the machine's CPU during each scenario run; over 10% is flagged. */
function loadText(r: StoredResult): string {
  const values = (r.conditions ?? []).map((c) => c.otherCpuShare).filter((v) => typeof v === 'number');
  if (!values.length) {
    // Results written before the CPU accounting existed only have the load average (bench included).
    const loads = (r.conditions ?? []).flatMap((c) => [c.loadAvg1mBefore, c.loadAvg1mAfter]);
    return loads.length
      ? `not measured (1-min load average ${Math.min(...loads).toFixed(1)}–${Math.max(...loads).toFixed(1)}, bench included)`
      : '–';
  }
  const busy = Math.max(...values) > 0.1 ? ' ⚠ busy machine: figures skewed' : '';
  return `${values.map((v) => `${Math.round(v * 100)}%`).join(', ')}${busy}`;
}

/** bench/results/SUMMARY.md from every <scenario>.json present, so a partial run keeps the others' figures. */
export function writeSummary(resultsDir: string, order: string[]): string {
  const stored: StoredResult[] = [];
  for (const name of fs.readdirSync(resultsDir).filter((f) => f.endsWith('.json'))) {
    try {
      stored.push(JSON.parse(fs.readFileSync(path.join(resultsDir, name), 'utf8')) as StoredResult);
    } catch {
      // not one of ours
    }
  }
  stored.sort((a, b) => order.indexOf(a.scenario) - order.indexOf(b.scenario));
  const lines: string[] = ['# Callscore benchmark summary', ''];
  lines.push('Written by `bench/run.ts`; see `bench/README.md` for what each figure means and how to run it.', '');
  lines.push(
    '| scenario | run at | app built from | Node | CPUs | datasets | CPU used by other processes |',
    '|---|---|---|---|---|---|---|',
  );
  for (const r of stored) {
    const dirty = r.env.uncommittedChanges ? ` + ${r.env.uncommittedChanges} uncommitted files` : '';
    const built = r.env.app === 'working tree' ? `working tree at ${r.env.commit ?? '?'}${dirty}` : r.env.app;
    const sets = r.datasets.map((d) => `${d.calls.toLocaleString('en-US')} calls`).join(', ');
    lines.push(
      `| \`${r.scenario}\` | ${r.env.date.slice(0, 16).replace('T', ' ')} UTC | ${built} | ${r.env.node} | ${r.env.cpus} × ${r.env.cpuModel} | ${sets} | ${loadText(r)} |`,
    );
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
  fs.writeFileSync(path.join(resultsDir, 'SUMMARY.md'), text);
  return text;
}
