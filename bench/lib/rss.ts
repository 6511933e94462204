import fs from 'node:fs';

export interface MemoryReading {
  /** Resident set size now, in bytes (VmRSS). */
  rss: number;
  /** Peak resident set size since the process started, in bytes (VmHWM). */
  hwm: number;
}

function kbField(status: string, name: string): number {
  const match = new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status);
  return match ? Number(match[1]) * 1024 : 0;
}

/** Reads /proc/<pid>/status; null once the process is gone. */
export function readMemory(pid: number): MemoryReading | null {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    return { rss: kbField(status, 'VmRSS'), hwm: kbField(status, 'VmHWM') };
  } catch {
    return null;
  }
}

/** Pids whose parent is `pid` (the app's audio-probe worker, for instance). */
export function childPids(pid: number): number[] {
  const children: number[] = [];
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${name}/stat`, 'utf8');
      // The command name is in parentheses and may hold spaces; fields after it are space-separated.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[1]) === pid) children.push(Number(name));
    } catch {
      // the process ended while we looked
    }
  }
  return children;
}

export interface RssTrace {
  samples: number;
  intervalMs: number;
  first: number;
  min: number;
  max: number;
  last: number;
  /** Largest sum of the children's RSS seen in one sample (only when children were sampled). */
  childrenMax: number;
  /** [ms since start, rss bytes] every sample, for plotting. */
  series: Array<[number, number]>;
}

/** Samples a process's VmRSS every `intervalMs` until stopped. */
export class RssSampler {
  private timer: NodeJS.Timeout | undefined;
  private readonly started = performance.now();
  private readonly values: Array<[number, number]> = [];
  private childrenMax = 0;

  constructor(
    private readonly pid: number,
    readonly intervalMs = 50,
    private readonly withChildren = false,
  ) {
    this.sample();
    this.timer = setInterval(() => this.sample(), intervalMs);
  }

  private sample(): void {
    const reading = readMemory(this.pid);
    if (!reading) return;
    this.values.push([Math.round(performance.now() - this.started), reading.rss]);
    if (this.withChildren) {
      let sum = 0;
      for (const child of childPids(this.pid)) sum += readMemory(child)?.rss ?? 0;
      this.childrenMax = Math.max(this.childrenMax, sum);
    }
  }

  stop(): RssTrace {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.sample();
    const rss = this.values.map((v) => v[1]);
    return {
      samples: rss.length,
      intervalMs: this.intervalMs,
      first: rss[0] ?? 0,
      min: Math.min(...rss),
      max: Math.max(...rss),
      last: rss.at(-1) ?? 0,
      childrenMax: this.childrenMax,
      series: this.values,
    };
  }
}
