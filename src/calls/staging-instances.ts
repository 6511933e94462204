import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import { releaseLease, renewLease, takeLease } from '../db/exclusive';
import type { AppDeps } from '../deps';
import { deleteStagingLease, stagingLeases, type StagingLeaseRow } from './maintenance.queries';

// Several app processes may share one DATA_DIR (a shared volume). Each stages uploads in its own folder,
// `.staging/<instance>`, named at start (host, pid and a random part), and holds a lease `staging:<instance>` in
// job_runs, renewed every STAGING_LEASE_MS / 5 while it runs. Another process's folder is a dead process's
// leftovers (and is taken over) only when its lease ran out or was given back at shutdown, or when its holder ran
// on this same machine (same kernel and pid namespace) and its pid is gone; a live process's folder is never
// touched, however old its files.

/** How long a staging lease holds without renewal: a process whose database is away longer is taken for dead. */
export const STAGING_LEASE_MS = 5 * 60_000;
const PREFIX = 'staging:';

/** A new process's instance name: `<host>-<pid>-<random>` (letters, digits, `_` and `-` only). */
export function newInstanceId(): string {
  const host =
    os
      .hostname()
      .replace(/[^A-Za-z0-9_-]/g, '_')
      .slice(0, 40) || 'host';
  return `${host}-${process.pid}-${crypto.randomBytes(3).toString('hex')}`;
}

let machine: string | undefined;

/** Which kernel and pid namespace this process runs in: processes with the same key see each other's pids. */
function machineKey(): string {
  if (machine !== undefined) return machine;
  try {
    const boot = fs.readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
    machine = `${boot}/${fs.readlinkSync('/proc/self/ns/pid')}`;
  } catch {
    machine = `host:${os.hostname()}`;
  }
  return machine;
}

function holderOf(): string {
  return `${machineKey()}|${process.pid}`;
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Whether the process that held this lease is gone (lease run out or given back, or its pid gone here). */
export function leaseIsDead(row: StagingLeaseRow, nowMs: number): boolean {
  if (row.lease_until === null || Date.parse(row.lease_until) < nowMs) return true;
  const at = (row.holder ?? '').lastIndexOf('|');
  if (at < 0 || row.holder?.slice(0, at) !== machineKey()) return false;
  const pid = Number(row.holder.slice(at + 1));
  return Number.isInteger(pid) && pid > 0 && pid !== process.pid && !pidAlive(pid);
}

export interface InstanceLease {
  stop(): Promise<void>;
}

/** Takes this process's staging lease and renews it until `stop` (at shutdown), which gives it back. */
export async function startInstanceLease(deps: AppDeps): Promise<InstanceLease> {
  const name = `${PREFIX}${deps.storage.instance}`;
  const holder = holderOf();
  const until = () => new Date(deps.clock.now().getTime() + STAGING_LEASE_MS);
  await takeLease(deps.db, name, holder, deps.clock.now().getTime(), STAGING_LEASE_MS);
  const tick = async () => {
    // Lost (the database was away longer than the lease, and another process took the folder over): taken
    // again, and the folder made again, so uploads keep working.
    const other = await takeLease(deps.db, name, holder, deps.clock.now().getTime(), STAGING_LEASE_MS);
    if (other === null) {
      deps.logger.warn({ instance: deps.storage.instance }, 'staging lease had run out; taken again');
      deps.storage.ensureDirs();
    } else {
      await renewLease(deps.db, name, holder, until());
    }
  };
  const timer = setInterval(() => {
    tick().catch((err: unknown) => deps.logger.warn({ err }, 'staging lease not renewed'));
  }, STAGING_LEASE_MS / 5);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await releaseLease(deps.db, name, holder).catch(() => undefined);
    },
  };
}

/** Live processes' instance names (their staging folders are never touched) and dead processes' leases. */
async function leases(deps: AppDeps): Promise<{ live: Set<string>; dead: StagingLeaseRow[] }> {
  const now = deps.clock.now().getTime();
  const live = new Set<string>();
  const dead: StagingLeaseRow[] = [];
  for (const row of await stagingLeases(deps.db, PREFIX)) {
    if (leaseIsDead(row, now)) dead.push(row);
    else live.add(row.name.slice(PREFIX.length));
  }
  return { live, dead };
}

/** The staging folders of live processes (by their lease): left alone by every clean-up. */
export async function liveInstances(deps: AppDeps): Promise<Set<string>> {
  return (await leases(deps)).live;
}

/**
 * Takes over the staging folders of dead processes: their files move into this process's folder (to be promoted
 * or removed like its own leftovers) and their leases are forgotten. Returns the files moved (name → mtime).
 */
export async function adoptDeadStaging(deps: AppDeps): Promise<Map<string, number>> {
  const { dead } = await leases(deps);
  const adopted = new Map<string, number>();
  const folders = new Set(await deps.storage.otherStagingFolders());
  for (const row of dead) {
    const instance = row.name.slice(PREFIX.length);
    if (instance === deps.storage.instance) continue;
    if (folders.has(instance)) {
      for (const file of await deps.storage.adoptStaging(instance)) adopted.set(file.name, file.mtimeMs);
    }
    await deleteStagingLease(deps.db, row);
  }
  if (adopted.size > 0) deps.logger.info({ files: adopted.size }, "dead processes' staging taken over");
  return adopted;
}
