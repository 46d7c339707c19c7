import { describeActivity } from "./agent-activity";
import { readStatusFile, statusFilePath, STATUS_STALE_MS, type AgentStatus } from "./status-file";

/** Exit code of `status` when no agent is running (the LSB code for "program is not running"). */
export const EXIT_NOT_RUNNING = 3;

export interface StatusVerdict {
  running: boolean;
  line: string;
}

/** The one line `tracker-agent status` prints, from the status file a running agent keeps. */
export function describeStatus(
  status: AgentStatus | null,
  file: string,
  nowMs: number,
  isAlive: (pid: number) => boolean,
): StatusVerdict {
  if (!status) {
    return { running: false, line: `no agent is running: no status file at ${file}` };
  }

  const version = `version ${status.version}`;
  if (status.stoppedAtMs !== null) {
    const when = formatTime(status.stoppedAtMs);
    const done = `${status.batchesToday} batches on ${status.day}`;
    return { running: false, line: `no agent is running: the last one stopped ${when}, ${done}` };
  }

  const fresh = nowMs - status.updatedAtMs <= STATUS_STALE_MS;
  if (!fresh || !isAlive(status.pid)) {
    const when = formatTime(status.updatedAtMs);
    const last = `the last one (pid ${status.pid}, ${version}) was last seen ${when}`;
    return { running: false, line: `no agent is running: ${last}` };
  }

  const activity = describeActivity(status, status.server);
  return { running: true, line: `running: ${activity}, ${version} (pid ${status.pid})` };
}

/** True when a process with this id exists, also one of another user (EPERM). */
export function processIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** `tracker-agent status`: prints the line, returns the exit code. */
export function runStatusCommand(dataDir: string, out: NodeJS.WritableStream): number {
  const file = statusFilePath(dataDir);
  const verdict = describeStatus(readStatusFile(dataDir), file, Date.now(), processIsAlive);
  out.write(`${verdict.line}\n`);
  return verdict.running ? 0 : EXIT_NOT_RUNNING;
}

function formatTime(ms: number): string {
  const iso = new Date(ms).toISOString();
  return `at ${iso.slice(0, 10)} ${iso.slice(11, 19)} UTC`;
}
