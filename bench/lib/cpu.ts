import fs from 'node:fs';

/** Jiffies the whole machine spent busy and in total, from the first line of /proc/stat. */
export function machineJiffies(): { busy: number; total: number } {
  const fields = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal guest guest_nice (guest time is already in user)
  const [user, nice, system, idle, iowait, irq, softirq, steal] = fields;
  const busy = user + nice + system + irq + softirq + (steal ?? 0);
  return { busy, total: busy + idle + iowait };
}

/** CPU jiffies of a process and its waited-for children (utime + stime + cutime + cstime); 0 once gone. */
export function processJiffies(pid: number): number {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // fields[0] is the state (field 3); utime..cstime are fields 14..17
    return Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14]);
  } catch {
    return 0;
  }
}

/**
 * How much of the machine other work used while a scenario ran: the machine's busy time minus the
 * runner's and the servers' own, as a share of all CPU time. Anything well above zero means the figures
 * were measured on a shared, busy box.
 */
export class CpuWatch {
  private readonly start = machineJiffies();
  private readonly selfStart = processJiffies(process.pid);
  private servers = 0;

  /** Call with a server's jiffies just before it stops (its whole life falls inside the scenario). */
  addServer(jiffies: number): void {
    this.servers += jiffies;
  }

  stop(): { otherShare: number; ownShare: number } {
    const end = machineJiffies();
    const total = end.total - this.start.total || 1;
    const own = processJiffies(process.pid) - this.selfStart + this.servers;
    const other = Math.max(0, end.busy - this.start.busy - own);
    return { otherShare: Math.round((other / total) * 1000) / 1000, ownShare: Math.round((own / total) * 1000) / 1000 };
  }
}
