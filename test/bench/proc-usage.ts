import fs from "node:fs";

/** Clock ticks per second of /proc/<pid>/stat times; 100 on every Linux we target. */
export const CLOCK_TICKS_PER_SECOND = 100;

/** CPU time and memory of one process as the kernel counts them. */
export interface ProcUsage {
  /** User plus system CPU seconds since the process started. */
  cpuSeconds: number;
  /** Resident set size now, bytes. */
  rssBytes: number;
  /** Peak resident set size (VmHWM), bytes. */
  peakRssBytes: number;
}

/** Reads /proc/<pid>/stat and /proc/<pid>/status; the process must be alive. */
export function procUsage(pid: number): ProcUsage {
  const fields = statFields(fs.readFileSync(`/proc/${pid}/stat`, "utf8"));
  const ticks = Number(fields[11]) + Number(fields[12]);

  const status = fs.readFileSync(`/proc/${pid}/status`, "utf8");
  return {
    cpuSeconds: ticks / CLOCK_TICKS_PER_SECOND,
    rssBytes: statusKb(status, "VmRSS") * 1024,
    peakRssBytes: statusKb(status, "VmHWM") * 1024,
  };
}

/** The fields of /proc/<pid>/stat after the command name (field 3, the state, comes first). */
export function statFields(stat: string): string[] {
  // The command name may itself hold spaces and parentheses: it ends at the last ")".
  return stat.slice(stat.lastIndexOf(")") + 2).split(" ");
}

function statusKb(status: string, field: string): number {
  const match = new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(status);
  return match ? Number(match[1]) : 0;
}

/** Samples a process's RSS every periodMs and keeps the highest, for processes we cannot read at exit. */
export class RssSampler {
  peakRssBytes = 0;
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly pid: number,
    periodMs = 200,
  ) {
    this.timer = setInterval(() => this.sample(), periodMs);
    this.sample();
  }

  sample(): ProcUsage | null {
    try {
      const usage = procUsage(this.pid);
      this.peakRssBytes = Math.max(this.peakRssBytes, usage.peakRssBytes, usage.rssBytes);
      return usage;
    } catch {
      return null;
    }
  }

  stop(): void {
    clearInterval(this.timer);
  }
}

export function mb(bytes: number): number {
  return Math.round((bytes / (1024 * 1024)) * 10) / 10;
}
