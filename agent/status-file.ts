import fs from "node:fs";
import path from "node:path";
import type { ActivitySnapshot } from "./agent-activity";

export const STATUS_FILE_NAME = "status.json";
/** How often a running agent rewrites its status file. */
export const STATUS_INTERVAL_MS = 5_000;
/** A status file older than this belongs to an agent that is not running (or is hung). */
export const STATUS_STALE_MS = 30_000;

/** The status file: the activity snapshot plus what identifies the running agent. */
export interface AgentStatus extends ActivitySnapshot {
  pid: number;
  version: string;
  server: string;
  startedAtMs: number;
  updatedAtMs: number;
  /** Set by an agent that stopped cleanly. */
  stoppedAtMs: number | null;
  logFile: string;
}

export function statusFilePath(dataDir: string): string {
  return path.join(dataDir, STATUS_FILE_NAME);
}

/** Writes then renames, so `status` never reads half a file. */
export function writeStatusFile(dataDir: string, status: AgentStatus): void {
  const file = statusFilePath(dataDir);
  const temporary = `${file}.${process.pid}.tmp`;
  fs.mkdirSync(dataDir, { recursive: true });
  fs.writeFileSync(temporary, `${JSON.stringify(status)}\n`);
  fs.renameSync(temporary, file);
}

/** The status file's content; null when there is none, an error for one that is unreadable. */
export function readStatusFile(dataDir: string): AgentStatus | null {
  let text: string;
  try {
    text = fs.readFileSync(statusFilePath(dataDir), "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw err;
  }
  return JSON.parse(text) as AgentStatus;
}
