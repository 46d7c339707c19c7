import fs from "node:fs";
import path from "node:path";

/** Written before handing over to a new version; removed by that version once it works. */
export const PENDING_FILE = "update-pending.json";
/** Versions this agent refused or rolled back, never tried again. */
export const REFUSED_FILE = "update-refused.json";

export interface PendingUpdate {
  from: string;
  to: string;
  /** The executable that was replaced; `${executable}.old` is the previous version. */
  executable: string;
  /** Unix ms by which the new version must have confirmed. */
  deadlineMs: number;
}

export function writePending(home: string, pending: PendingUpdate): void {
  fs.mkdirSync(home, { recursive: true, mode: 0o700 });
  const file = path.join(home, PENDING_FILE);
  fs.writeFileSync(`${file}.tmp`, JSON.stringify(pending), { mode: 0o600 });
  fs.renameSync(`${file}.tmp`, file);
}

export function readPending(home: string): PendingUpdate | null {
  try {
    return JSON.parse(fs.readFileSync(path.join(home, PENDING_FILE), "utf8")) as PendingUpdate;
  } catch {
    return null;
  }
}

export function clearPending(home: string): void {
  fs.rmSync(path.join(home, PENDING_FILE), { force: true });
}

export function readRefused(home: string): Set<string> {
  try {
    return new Set(JSON.parse(fs.readFileSync(path.join(home, REFUSED_FILE), "utf8")) as string[]);
  } catch {
    return new Set();
  }
}

export function addRefused(home: string, version: string): void {
  const refused = readRefused(home);
  refused.add(version);
  fs.mkdirSync(home, { recursive: true, mode: 0o700 });
  fs.writeFileSync(path.join(home, REFUSED_FILE), JSON.stringify([...refused]), { mode: 0o600 });
}
