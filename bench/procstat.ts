import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

/**
 * CPU and memory from /proc (Linux): where the machine's time went during one measured run,
 * split between the server under test, the load generator (this process), PostgreSQL's
 * processes and everything else on the machine (other users' work, on a shared box).
 */
const CLK_TCK = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;
  } catch {
    return 100;
  }
})();

/** utime + stime of a process, in seconds; undefined once it is gone. */
export function processCpuSeconds(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name may contain spaces and parentheses: fields start after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLK_TCK;
  } catch {
    return undefined;
  }
}

export function rssMb(pid: number): number | undefined {
  try {
    const m = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** Busy and total CPU seconds of the whole machine (all cores) since boot. */
export function machineCpuSeconds(): { busy: number; total: number } {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0]!;
  const [user, nice, system, idle, iowait, irq, softirq, steal] = line
    .trim()
    .split(/\s+/)
    .slice(1)
    .map(Number);
  const busy = user! + nice! + system! + irq! + softirq! + (steal ?? 0);
  return { busy: busy / CLK_TCK, total: (busy + idle! + iowait!) / CLK_TCK };
}

/**
 * PostgreSQL processes, by their titles: backends (and autovacuum workers) of the bench
 * database, and the server-wide background processes. Backends of other databases (other
 * people's test suites) are neither: they count as "other".
 */
export function postgresProcesses(database: string): { bench: number[]; background: number[] } {
  const bench: number[] = [];
  const background: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let cmdline: string;
    try {
      cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8').replace(/\0/g, ' ');
    } catch {
      continue;
    }
    const pid = Number(entry);
    if (/(^|\/)postgres -D /.test(cmdline)) background.push(pid);
    else if (cmdline.startsWith('postgres: ')) {
      if (cmdline.includes(` ${database} `)) bench.push(pid);
      else if (
        /checkpointer|background writer|walwriter|autovacuum launcher|logical replication|stats/.test(cmdline)
      )
        background.push(pid);
    }
  }
  return { bench, background };
}

export const cpuCores = () => Number(execFileSync('nproc').toString().trim());
