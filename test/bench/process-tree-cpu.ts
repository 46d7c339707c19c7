import fs from "node:fs";
import { CLOCK_TICKS_PER_SECOND, statFields } from "./proc-usage";

interface ProcStat {
  pid: number;
  ppid: number;
  /** utime + stime of the process itself. */
  ownTicks: number;
  /** cutime + cstime: children that ended and were waited for. */
  childTicks: number;
}

/**
 * CPU seconds of a process and all its descendants, alive or ended and waited for: what a
 * PostgreSQL postmaster and its backends, or an agent and its helpers, used together.
 */
export function treeCpuSeconds(rootPid: number): number {
  const stats = readAll();
  const byParent = new Map<number, ProcStat[]>();
  for (const stat of stats.values()) {
    const siblings = byParent.get(stat.ppid) ?? [];
    siblings.push(stat);
    byParent.set(stat.ppid, siblings);
  }

  let ticks = 0;
  const stack = [stats.get(rootPid)].filter((s): s is ProcStat => s !== undefined);
  while (stack.length > 0) {
    const stat = stack.pop()!;
    ticks += stat.ownTicks + stat.childTicks;
    stack.push(...(byParent.get(stat.pid) ?? []));
  }
  return ticks / CLOCK_TICKS_PER_SECOND;
}

function readAll(): Map<number, ProcStat> {
  const stats = new Map<number, ProcStat>();
  for (const entry of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const f = statFields(fs.readFileSync(`/proc/${entry}/stat`, "utf8"));
      stats.set(Number(entry), {
        pid: Number(entry),
        ppid: Number(f[1]),
        ownTicks: Number(f[11]) + Number(f[12]),
        childTicks: Number(f[13]) + Number(f[14]),
      });
    } catch {
      // The process ended while /proc was read.
    }
  }
  return stats;
}
