// Asterisk CDR import against our CSV import, per call: `npm run bench:pbx -- [--legs 200000] [--runs 3]`.
// Writes bench/results/pbx-import.json with the medians and the machine's load when measured.
// `--only asterisk|callscore` times one format and writes nothing (for profiling one with node --cpu-prof).
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { AnalysisJobs, analyseAudio } from '../src/analysis';
import { LoginThrottle } from '../src/auth/throttle';
import { loadConfig } from '../src/config';
import { openDatabase } from '../src/db/database';
import { migrateToLatest } from '../src/db/migrate';
import type { AppDeps } from '../src/deps';
import { ImportJobs, importCallsFile } from '../src/imports';
import { saveDepartment, saveTeam } from '../src/org/org.service';
import { RecordingStorage } from '../src/recordings/storage';
import { createUser } from '../src/users/users.service';
import { numberArg, parseArgs } from './lib/args';

const AGENTS = 50;

async function freshDeps(): Promise<{ deps: AppDeps; close: () => Promise<void> }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pbx-bench-'));
  const config = loadConfig({ NODE_ENV: 'test', DATA_DIR: dir, LOG_LEVEL: 'silent', SCRYPT_LOG_N: '10' });
  const database = openDatabase(config.databaseFile);
  await migrateToLatest(database.db);
  const clock = { now: () => new Date() };
  const deps: AppDeps = {
    db: database.db,
    config,
    clock,
    logger: pino({ level: 'silent' }),
    throttle: new LoginThrottle(database.db, clock),
    storage: new RecordingStorage(config.recordingsDir),
    imports: new ImportJobs(),
    analysis: new AnalysisJobs(analyseAudio),
    sessionSecret: crypto.randomBytes(16).toString('hex'),
  };
  return { deps, close: () => database.close() };
}

async function seed(deps: AppDeps) {
  const password = 'a quiet lighthouse at dawn 42';
  const admin = await createUser(deps, null, { username: 'admin', display_name: 'A', password, role: 'admin' });
  const actor = { id: admin.id, role: 'admin' as const };
  const department_id = await saveDepartment(deps, actor, { name: 'Care' });
  const team_id = await saveTeam(deps, actor, { name: 'T', department_id, supervisors: [] });
  for (let i = 0; i < AGENTS; i += 1) {
    await createUser(deps, null, {
      username: `agent${i}`,
      display_name: `Agent ${i}`,
      password,
      role: 'csr',
      team_id,
      extension: String(1000 + i),
    });
  }
  return actor;
}

const stamp = (ms: number) => new Date(ms).toISOString().slice(0, 19).replace('T', ' ');

/**
 * Two legs per call (one ring leg not answered, one answered), as a 21-column Master.csv: each leg its own
 * uniqueid, both with the call's linkedid (as Asterisk writes them), so every leg is kept for the inbox.
 */
function asteriskFile(file: string, legs: number) {
  const out: string[] = [];
  const base = Date.parse('2026-10-01T08:00:00Z');
  for (let c = 0; c < legs / 2; c += 1) {
    const start = base + c * 20_000;
    const linkedid = `17900${c}.1`;
    const ext = 1000 + (c % AGENTS);
    const leg = (dst: string, answer: string, billsec: number, disp: string, uniqueid: string) =>
      `"","5551234","600","from-trunk","""Caller"" <5551234>","SIP/trunk-${c.toString(16)}","${dst}","Dial","","${stamp(start)}",${answer},"${stamp(start + 60_000)}",60,${billsec},"${disp}","DOCUMENTATION","${uniqueid}","","","${linkedid}",1`;
    out.push(leg(`PJSIP/${ext + 1}-0001`, '', 0, 'NO ANSWER', `17900${c}.2`));
    out.push(leg(`PJSIP/${ext}-0002`, `"${stamp(start + 9000)}"`, 51, 'ANSWERED', `17900${c}.3`));
  }
  fs.writeFileSync(file, `${out.join('\n')}\n`);
}

function callscoreFile(file: string, calls: number) {
  const out = ['external_id,agent,started_at,direction,duration_s,queue_wait_s'];
  const base = Date.parse('2026-10-01T08:00:00Z');
  for (let c = 0; c < calls; c += 1) {
    out.push(`c${c},agent${c % AGENTS},${new Date(base + c * 20_000).toISOString()},inbound,51,9`);
  }
  fs.writeFileSync(file, `${out.join('\n')}\n`);
}

/** Wall time and this process's CPU time (user + system: less swayed by a busy machine) of one import. */
async function timeImport(
  format: 'callscore' | 'asterisk',
  file: string,
): Promise<{ ms: number; cpuMs: number; created: number }> {
  const { deps, close } = await freshDeps();
  const actor = await seed(deps);
  const started = performance.now();
  const cpu = process.cpuUsage();
  const summary = await importCallsFile(deps, actor, file, { format, pauseMs: 0 });
  const used = process.cpuUsage(cpu);
  const ms = performance.now() - started;
  await close();
  if (summary.errors.length) throw new Error(`${format}: ${summary.errors.length} errors`);
  return { ms, cpuMs: (used.user + used.system) / 1000, created: summary.created };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const legs = numberArg(args, 'legs', 200_000);
  const runs = numberArg(args, 'runs', 3);
  const only = args.get('only');
  if (only !== undefined && only !== 'asterisk' && only !== 'callscore') throw new Error('--only asterisk|callscore');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pbx-files-'));
  const ast = path.join(dir, 'Master.csv');
  const ours = path.join(dir, 'calls.csv');
  asteriskFile(ast, legs);
  callscoreFile(ours, legs / 2);
  const results: Record<string, { ms_per_call: number[]; cpu_ms_per_call: number[]; load: number[] }> = {
    asterisk: { ms_per_call: [], cpu_ms_per_call: [], load: [] },
    callscore: { ms_per_call: [], cpu_ms_per_call: [], load: [] },
  };
  for (let r = 0; r < runs; r += 1) {
    for (const [format, file] of [
      ['asterisk', ast],
      ['callscore', ours],
    ] as const) {
      if (only !== undefined && format !== only) continue;
      const { ms, cpuMs, created } = await timeImport(format, file);
      results[format]?.ms_per_call.push(ms / created);
      results[format]?.cpu_ms_per_call.push(cpuMs / created);
      results[format]?.load.push(os.loadavg()[0] ?? 0);
    }
  }
  const summary = {
    legs,
    calls: legs / 2,
    runs,
    asterisk_ms_per_call_median: median(results.asterisk?.ms_per_call ?? []),
    callscore_ms_per_call_median: median(results.callscore?.ms_per_call ?? []),
    ratio_asterisk_to_callscore:
      median(results.asterisk?.ms_per_call ?? []) / median(results.callscore?.ms_per_call ?? []),
    asterisk_cpu_ms_per_call_median: median(results.asterisk?.cpu_ms_per_call ?? []),
    callscore_cpu_ms_per_call_median: median(results.callscore?.cpu_ms_per_call ?? []),
    cpu_ratio_asterisk_to_callscore:
      median(results.asterisk?.cpu_ms_per_call ?? []) / median(results.callscore?.cpu_ms_per_call ?? []),
    load_1min: results,
    cpus: os.cpus().length,
    measured_at: new Date().toISOString(),
  };
  if (only !== undefined) {
    console.log(JSON.stringify({ only, ...results[only], load_now: os.loadavg() }));
    return;
  }
  fs.mkdirSync(path.join(__dirname, 'results'), { recursive: true });
  fs.writeFileSync(path.join(__dirname, 'results', 'pbx-import.json'), `${JSON.stringify(summary, null, 2)}\n`);
  console.log(JSON.stringify(summary, null, 2));
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
