import { randomUUID } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

const APP_DIR = "battle-tracker";
const AGENT_ID_FILE = "agent-id";

/**
 * The per-OS config directory of the agent. TRACKER_AGENT_HOME overrides it (tests, portable
 * installs).
 */
export function agentHomeDir(
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
  homeDir: string = os.homedir(),
): string {
  if (env.TRACKER_AGENT_HOME) return env.TRACKER_AGENT_HOME;

  if (platform === "win32") {
    return path.win32.join(env.APPDATA ?? path.win32.join(homeDir, "AppData", "Roaming"), APP_DIR);
  }
  if (platform === "darwin") return path.join(homeDir, "Library", "Application Support", APP_DIR);
  return path.join(env.XDG_CONFIG_HOME || path.join(homeDir, ".config"), APP_DIR);
}

/**
 * The per-OS directory for what the agent writes while it runs: the rotating log and the status
 * file that `tracker-agent status` reads. TRACKER_AGENT_DATA overrides it, then
 * TRACKER_AGENT_HOME (one directory for everything).
 */
export function agentDataDir(
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
  homeDir: string = os.homedir(),
): string {
  if (env.TRACKER_AGENT_DATA) return env.TRACKER_AGENT_DATA;
  if (env.TRACKER_AGENT_HOME) return env.TRACKER_AGENT_HOME;

  // Local, not roaming: logs should not follow a Windows profile to other machines.
  if (platform === "win32") {
    const local = env.LOCALAPPDATA ?? path.win32.join(homeDir, "AppData", "Local");
    return path.win32.join(local, APP_DIR);
  }
  if (platform === "darwin") return path.join(homeDir, "Library", "Logs", APP_DIR);
  return path.join(env.XDG_STATE_HOME || path.join(homeDir, ".local", "state"), APP_DIR);
}

/** Reads the agent id kept in `dir`, or makes one and keeps it there for the next run. */
export function loadOrCreateAgentId(dir: string): string {
  const file = path.join(dir, AGENT_ID_FILE);
  try {
    const kept = fs.readFileSync(file, "utf8").trim();
    if (kept !== "") return kept;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
  }

  const agentId = randomUUID();
  fs.mkdirSync(dir, { recursive: true });
  // Write then rename, so a crash never leaves a half-written id behind.
  const temporary = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(temporary, `${agentId}\n`, { mode: 0o600 });
  fs.renameSync(temporary, file);
  return agentId;
}
