// Memory and CPU of a process (tree) from Linux /proc, read at a moment.
import { readdirSync, readFileSync } from 'node:fs';

const CLOCK_TICKS_PER_SECOND = 100;

function statusField(pid: number, field: string): number {
  const text = readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = new RegExp(`^${field}:\\s+(\\d+) kB$`, 'm').exec(text);
  if (!match) throw new Error(`/proc/${pid}/status has no ${field}`);
  return Number(match[1]);
}

/** Resident set size in KiB. */
export function rssKiB(pid: number): number {
  return statusField(pid, 'VmRSS');
}

/** Proportional set size in KiB: shared pages split between their sharers, so forked children are not counted twice. */
export function pssKiB(pid: number): number {
  const text = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
  const match = /^Pss:\s+(\d+) kB$/m.exec(text);
  if (!match) throw new Error(`/proc/${pid}/smaps_rollup has no Pss`);
  return Number(match[1]);
}

/** User plus system CPU time consumed so far, in milliseconds; with `reaped`, also that of children it has waited for. */
export function cpuMs(pid: number, options: { reaped?: boolean } = {}): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name (field 2) may contain spaces and parentheses; fields resume after the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ').map(Number);
  const [utime, stime, cutime, cstime] = [fields[11], fields[12], fields[13], fields[14]];
  if (![utime, stime, cutime, cstime].every((n) => Number.isFinite(n))) throw new Error(`cannot read CPU times from /proc/${pid}/stat`);
  const ticks = utime! + stime! + (options.reaped ? cutime! + cstime! : 0);
  return (ticks * 1000) / CLOCK_TICKS_PER_SECOND;
}

/** Busy CPU time of the whole machine so far (all cores), in milliseconds. */
export function machineBusyMs(): number {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
  const [user, nice, system, , , irq, softirq, steal] = line.trim().split(/\s+/).slice(1).map(Number);
  return (((user ?? 0) + (nice ?? 0) + (system ?? 0) + (irq ?? 0) + (softirq ?? 0) + (steal ?? 0)) * 1000) / CLOCK_TICKS_PER_SECOND;
}

/**
 * Other people's load: how many cores were busy, on average since `since`,
 * with processes outside this process's tree (those it has reaped included in
 * it). On a shared machine this is what makes two runs differ.
 */
export class ForeignLoad {
  private last = this.sample();

  private sample(): { at: number; machine: number; ours: number } {
    let ours = 0;
    for (const pid of processTree(process.pid)) {
      try {
        ours += cpuMs(pid, { reaped: true });
      } catch {
        // gone
      }
    }
    return { at: performance.now(), machine: machineBusyMs(), ours };
  }

  /** Average cores busy outside this run since the previous call (or construction). */
  next(): number {
    const now = this.sample();
    const cores = (now.machine - this.last.machine - (now.ours - this.last.ours)) / (now.at - this.last.at);
    this.last = now;
    return Math.max(0, cores);
  }
}

/** The process and all its descendants that are alive now. */
export function processTree(pid: number): number[] {
  const out = [pid];
  for (let i = 0; i < out.length; i++) {
    const parent = out[i]!;
    let tasks: string[];
    try {
      tasks = readdirSync(`/proc/${parent}/task`);
    } catch {
      continue;
    }
    for (const task of tasks) {
      try {
        const children = readFileSync(`/proc/${parent}/task/${task}/children`, 'utf8').trim();
        if (children) out.push(...children.split(/\s+/).map(Number));
      } catch {
        // the task ended while we looked
      }
    }
  }
  return out;
}

export interface TreeUsage {
  processes: number;
  rssKiB: number;
  pssKiB: number;
  cpuMs: number;
}

/** Sums over a process tree, skipping processes that end while being read. */
export function treeUsage(pid: number): TreeUsage {
  const usage: TreeUsage = { processes: 0, rssKiB: 0, pssKiB: 0, cpuMs: 0 };
  for (const p of processTree(pid)) {
    try {
      const rss = rssKiB(p);
      const pss = pssKiB(p);
      const cpu = cpuMs(p);
      usage.processes++;
      usage.rssKiB += rss;
      usage.pssKiB += pss;
      usage.cpuMs += cpu;
    } catch {
      // gone
    }
  }
  return usage;
}

/** CPU time (user + system) of a process tree so far, in milliseconds: cheap enough to read around every measurement. */
export function treeCpuMs(pid: number): number {
  return sumOverTree(pid, (p) => cpuMs(p));
}

/** Resident set size of a process tree, in KiB: cheap enough to sample during a measurement. */
export function treeRssKiB(pid: number): number {
  return sumOverTree(pid, rssKiB);
}

/**
 * How long the threads of a process have waited, runnable, for a CPU
 * (`/proc/<pid>/task/<tid>/schedstat`, second field), in milliseconds: time a
 * busy machine added to whatever the process was doing.
 */
export function runQueueWaitMs(pid: number): number {
  let ns = 0;
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      ns += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[1]);
    } catch {
      // the thread ended
    }
  }
  return ns / 1e6;
}

/** `runQueueWaitMs` over a process tree. */
export function treeRunQueueWaitMs(pid: number): number {
  return sumOverTree(pid, runQueueWaitMs);
}

function sumOverTree(pid: number, read: (pid: number) => number): number {
  let sum = 0;
  for (const p of processTree(pid)) {
    try {
      sum += read(p);
    } catch {
      // gone
    }
  }
  return sum;
}
