import { round } from './stats';

// A V8 CPU profile (`node --cpu-prof`) read back: self time per function and per file, within a time window.

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}

export interface CpuProfile {
  nodes: ProfileNode[];
  /** µs on the machine's monotonic clock, the one `process.hrtime` reads in any process. */
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface SelfTimes {
  /** Sampled time inside the window, ms (idle included). */
  windowMs: number;
  samples: number;
  byFunction: Array<[string, number]>;
  byFile: Array<[string, number]>;
}

/** Now on the monotonic clock a CPU profile's timestamps use, in µs. */
export function monotonicMicros(): number {
  return Number(process.hrtime.bigint() / 1000n);
}

function fileKeyOf(url: string, functionName: string): string {
  const where = url.replace(/^file:\/\//, '');
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(where)?.[1];
  if (pkg) return `npm:${pkg}`;
  if (where.includes('/dist/')) return where.slice(where.indexOf('/dist/') + 1);
  return where || `(${functionName})`;
}

/**
 * Self time per function and per file (a package under node_modules counts as one), in ms, of the samples taken
 * in [fromUs, toUs] (monotonic µs; the whole profile without them), each divided by `per` (per submit, say).
 */
export function selfTimes(
  profile: CpuProfile,
  window: { fromUs?: number; toUs?: number; per?: number } = {},
): SelfTimes {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const fn = new Map<string, number>();
  const file = new Map<string, number>();
  const from = window.fromUs ?? -Infinity;
  const to = window.toUs ?? Infinity;
  const per = window.per ?? 1;
  let at = profile.startTime;
  let windowMs = 0;
  let samples = 0;
  profile.samples.forEach((id, i) => {
    const delta = profile.timeDeltas[i] ?? 0;
    at += delta;
    const node = byId.get(id);
    if (!node || at < from || at > to) return;
    const ms = delta / 1000 / per;
    windowMs += ms;
    samples += 1;
    const { functionName, url, lineNumber } = node.callFrame;
    const fileKey = fileKeyOf(url, functionName);
    const fnKey = `${functionName || '(anonymous)'} ${fileKey}:${lineNumber + 1}`;
    fn.set(fnKey, (fn.get(fnKey) ?? 0) + ms);
    file.set(fileKey, (file.get(fileKey) ?? 0) + ms);
  });
  const sorted = (m: Map<string, number>) =>
    [...m.entries()].sort((a, b) => b[1] - a[1]).map(([k, v]) => [k, round(v, 3)] as [string, number]);
  return { windowMs: round(windowMs, 3), samples, byFunction: sorted(fn), byFile: sorted(file) };
}
