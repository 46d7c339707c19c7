import fs from "node:fs";
import path from "node:path";
import type { Logger } from "../../shared/log";

/** File beside the cluster naming the process that started it. */
const OWNER_FILE = "owner.pid";
/** How long a left-behind postmaster gets for its fast shutdown. */
const LEFT_BEHIND_STOP_MS = 30_000;

/**
 * Makes this process the owner of the embedded cluster in dataDir before it starts. PostgreSQL
 * does not die with the process that started it: a server killed with SIGKILL (or by the OOM
 * killer) leaves its postmaster running, and the next start failed on postmaster.pid. Such a
 * postmaster, whose owner is gone, is asked for a fast shutdown (open transactions roll back,
 * nothing committed is lost) and waited for. A postmaster whose owner still runs belongs to
 * another server on the same data directory: that is refused.
 */
export async function takeOverCluster(
  dataDir: string,
  clusterDir: string,
  log: Logger,
): Promise<void> {
  const postmaster = runningPid(path.join(clusterDir, "postmaster.pid"));
  const owner = runningPid(path.join(dataDir, OWNER_FILE));
  if (postmaster !== null && owner !== null && owner !== process.pid) {
    throw new Error(
      `another process (pid ${owner}) runs the embedded PostgreSQL in ${dataDir}; stop it ` +
        `first, or give this server its own data directory`,
    );
  }

  if (postmaster !== null) {
    log.warn({ pid: postmaster, dataDir }, "stopping the embedded PostgreSQL a killed server left");
    process.kill(postmaster, "SIGINT");
    await waitForExit(postmaster, LEFT_BEHIND_STOP_MS);
  }
  fs.writeFileSync(path.join(dataDir, OWNER_FILE), `${process.pid}\n`);
}

/** The pid on the first line of a pid file, if that process is alive. */
function runningPid(file: string): number | null {
  let pid: number;
  try {
    pid = Number(fs.readFileSync(file, "utf8").split("\n")[0]);
  } catch {
    return null;
  }
  return Number.isInteger(pid) && pid > 0 && alive(pid) ? pid : null;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    // EPERM: it exists but belongs to another user (the "postgres" user when we are root).
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
  return !zombie(pid);
}

/** An ended process nobody has reaped yet (an init that does not reap leaves them). */
function zombie(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2).startsWith("Z");
  } catch {
    // No /proc (macOS): the signal check above is all there is.
    return false;
  }
}

async function waitForExit(pid: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (alive(pid)) {
    if (Date.now() > deadline) {
      throw new Error(`the embedded PostgreSQL left running (pid ${pid}) did not stop in time`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
