import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { buildAgents } from "../../agent/build/build-agents";
import { AGENT_TARGETS } from "../../agent/build/targets";
import { repoRoot } from "../../shared/repo-root";

const LINUX_X64 = AGENT_TARGETS.filter((target) => target.name === "linux-x64");

/**
 * Builds the linux-x64 agent executable of the working sources with the given version into
 * `outDir` (named tracker-agent-linux-x64, as a release directory wants it).
 */
export async function buildLinuxAgent(version: string, outDir: string): Promise<string> {
  const repoDir = repoRoot();
  const cacheDir = path.join(repoDir, "build", "node-bases");
  const [built] = await buildAgents({ repoDir, targets: LINUX_X64, outDir, cacheDir, version });
  return built.file;
}

export function sha256Of(file: string): string {
  return createHash("sha256").update(fs.readFileSync(file)).digest("hex");
}

/** Starts an executable detached from the test's pipes, its output appended to `logFile`. */
export function startExecutable(file: string, args: string[], env: NodeJS.ProcessEnv, logFile: string): void {
  const out = fs.openSync(logFile, "a");
  const child = spawn(file, args, { env: { ...process.env, ...env }, stdio: ["ignore", out, out], detached: true });
  child.unref();
  fs.closeSync(out);
}

/** Pids of running processes whose executable lives in `dir`: the agent and what it handed to. */
export function processesIn(dir: string): number[] {
  const pids: number[] = [];
  for (const entry of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const argv0 = fs.readFileSync(`/proc/${entry}/cmdline`, "utf8").split("\0")[0];
      if (argv0.startsWith(dir + path.sep)) pids.push(Number(entry));
    } catch {
      // The process ended while we looked.
    }
  }
  return pids;
}

/** SIGTERM to each, then SIGKILL to any still running after `graceMs`. */
export async function stopProcessesIn(dir: string, graceMs = 10_000): Promise<void> {
  const deadline = Date.now() + graceMs;
  for (const pid of processesIn(dir)) process.kill(pid, "SIGTERM");
  while (processesIn(dir).length > 0 && Date.now() < deadline) await sleep(100);
  for (const pid of processesIn(dir)) process.kill(pid, "SIGKILL");
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls `check` until it returns a value other than undefined, or fails after `timeoutMs`. */
export async function eventually<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`not within ${timeoutMs} ms: ${what}`);
    await sleep(200);
  }
}
