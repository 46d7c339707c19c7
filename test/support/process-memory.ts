import fs from "node:fs";

/** Resident memory of a process in MB now (VmRSS) and at its peak so far (VmHWM), from /proc. */
export function residentMb(pid: number): { rssMb: number; peakMb: number } {
  const status = fs.readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = (field: string) => {
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(status);
    return Number(match?.[1] ?? 0);
  };
  return { rssMb: Math.round(kb("VmRSS") / 1024), peakMb: Math.round(kb("VmHWM") / 1024) };
}

/** Samples a process's resident memory every periodMs until stopped; keeps the highest. */
export function sampleMemory(pid: number, periodMs = 200): { stop(): number } {
  let highest = 0;
  const sample = () => {
    try {
      highest = Math.max(highest, residentMb(pid).rssMb);
    } catch {
      // The process is gone; the samples so far stand.
    }
  };
  sample();
  const timer = setInterval(sample, periodMs);
  return {
    stop() {
      clearInterval(timer);
      sample();
      return highest;
    },
  };
}
