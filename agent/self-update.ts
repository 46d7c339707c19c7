import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import { pipeline } from "node:stream/promises";
import { Transform } from "node:stream";
import type { AgentServiceClient, UpdateAvailable } from "../shared/gen/tracker/v1/agent";
import type { Logger } from "../shared/log";
import { VERSION } from "../shared/version";
import type { AgentCredential } from "./credentials";
import {
  addRefused,
  clearPending,
  readPending,
  readRefused,
  writePending,
  type PendingUpdate,
} from "./self-update-marker";
import { releaseProblem } from "./self-update-verify";

/** A new version must have a working session within this time, or the old one comes back. */
export const DEFAULT_CONFIRM_MS = 120_000;
/** Exit code asking a service manager to start the (new) executable again. */
export const EXIT_RESTART = 75;
const POLL_MS = 250;

export interface SelfUpdaterOptions {
  /** The enrolled client (credential in metadata) for DownloadRelease. */
  client: AgentServiceClient;
  credential: AgentCredential;
  /** The agent's config directory: markers of a pending or refused update. */
  home: string;
  log: Logger;
  /** Returns every lease and closes the session before the new version takes over. */
  stopAgent: () => Promise<void>;
  /** Flushes logs and exits the process. */
  exit: (code: number) => void;
  /** @default process.execPath */
  executable?: string;
  /** @default TRACKER_AGENT_UPDATE_CONFIRM_MS or DEFAULT_CONFIRM_MS */
  confirmMs?: number;
  /** A service manager restarts the agent (TRACKER_AGENT_SUPERVISED=1): exit, do not spawn. */
  supervised?: boolean;
}

/**
 * Replaces the running executable with a newer signed release: download beside it, verify,
 * swap by renames (the running file is renamed aside, which Windows allows too), hand over to
 * the new file with the same arguments, and roll back when it does not come up in time.
 */
export class SelfUpdater {
  private readonly executable: string;
  private readonly confirmMs: number;
  private busy = false;

  constructor(private readonly options: SelfUpdaterOptions) {
    this.executable = options.executable ?? process.execPath;
    this.confirmMs = options.confirmMs ?? (Number(process.env.TRACKER_AGENT_UPDATE_CONFIRM_MS) || DEFAULT_CONFIRM_MS);
  }

  /** Only a single executable can replace itself; `node main.js` is updated by its installer. */
  static canUpdate(): boolean {
    try {
      return (require("node:sea") as { isSea(): boolean }).isSea();
    } catch {
      return false;
    }
  }

  /** Called on UpdateAvailable. Resolves after a refusal; after a handover the process exits. */
  async offer(update: UpdateAvailable): Promise<void> {
    const { log, home } = this.options;
    if (this.busy || update.version === VERSION || readRefused(home).has(update.version)) return;
    if (!SelfUpdater.canUpdate()) {
      return void log.info({ version: update.version }, "update available; not a single executable, not updating");
    }

    this.busy = true;
    const staged = `${this.executable}.new`;
    try {
      log.info({ version: update.version, size: Number(update.size) }, "update download started");
      await this.download(update, staged);
      const platform = { os: process.platform, arch: process.arch };
      const problem = await releaseProblem(staged, update, platform, this.options.credential.releasePublicKeyPem);
      if (problem) return this.refuse(update.version, staged, problem);
      await this.swapAndHandOver(update.version, staged);
    } catch (err) {
      log.warn({ err, version: update.version }, "update download failed");
      fs.rmSync(staged, { force: true });
    } finally {
      this.busy = false;
    }
  }

  /** On the first working session of a new version: the update stays. */
  confirm(): void {
    const { home, log } = this.options;
    const pending = readPending(home);
    if (!pending || pending.to !== VERSION) return;
    clearPending(home);
    fs.rmSync(`${pending.executable}.old`, { force: true });
    log.info({ from: pending.from, version: VERSION }, "update confirmed");
  }

  /**
   * At start of a new version under a service manager: if it has not confirmed by the deadline,
   * put the old executable back and exit so the manager starts it.
   */
  // LIMITATION: a supervised new version that crashes before this code runs is not rolled back.
  watchOwnDeadline(): void {
    const pending = readPending(this.options.home);
    if (!this.options.supervised || !pending || pending.to !== VERSION) return;
    const timer = setTimeout(() => {
      if (!readPending(this.options.home)) return;
      this.rollBack(pending, "the new version did not connect in time");
      this.options.exit(EXIT_RESTART);
    }, Math.max(0, pending.deadlineMs - Date.now()));
    timer.unref();
  }

  private async download(update: UpdateAvailable, staged: string): Promise<void> {
    const platform = { version: update.version, os: process.platform, arch: process.arch };
    const call = this.options.client.downloadRelease(platform);
    let received = 0;
    const limit = new Transform({
      transform(chunk: { data: Buffer }, _encoding, done) {
        received += chunk.data.length;
        // A server sending more than it offered is cut off rather than filling the disk.
        if (received > Number(update.size)) return done(new Error("download larger than offered"));
        done(null, chunk.data);
      },
      writableObjectMode: true,
    });
    await pipeline(call, limit, fs.createWriteStream(staged, { mode: 0o755 }));
  }

  private refuse(version: string, staged: string, problem: string): void {
    fs.rmSync(staged, { force: true });
    addRefused(this.options.home, version);
    this.options.log.error({ version, problem }, "update refused");
  }

  private async swapAndHandOver(version: string, staged: string): Promise<void> {
    const { log, home } = this.options;
    const old = `${this.executable}.old`;
    fs.rmSync(old, { force: true });
    fs.renameSync(this.executable, old);
    try {
      fs.renameSync(staged, this.executable);
    } catch (err) {
      fs.renameSync(old, this.executable);
      throw err;
    }
    const pending = { from: VERSION, to: version, executable: this.executable, deadlineMs: Date.now() + this.confirmMs };
    writePending(home, pending);
    log.info({ from: VERSION, version }, "update installed; handing over");

    await this.options.stopAgent();
    if (this.options.supervised) return this.options.exit(EXIT_RESTART);
    const child = this.start();
    const outcome = await this.waitForConfirmation(child, pending.deadlineMs);
    if (outcome !== "confirmed") {
      child.kill("SIGKILL");
      this.rollBack(pending, outcome === "exited" ? "the new version exited" : "the new version did not connect in time");
      this.start();
    }
    this.options.exit(0);
  }

  /** The executable at the usual path, with this process's arguments and terminal. */
  private start(): ChildProcess {
    const child = spawn(this.executable, process.argv.slice(2), { detached: true, stdio: "inherit" });
    child.unref();
    return child;
  }

  private async waitForConfirmation(
    child: ChildProcess,
    deadlineMs: number,
  ): Promise<"confirmed" | "exited" | "late"> {
    let exited = false;
    child.once("exit", () => (exited = true));
    while (Date.now() < deadlineMs && !exited) {
      if (!readPending(this.options.home)) return "confirmed";
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
    if (!readPending(this.options.home)) return "confirmed";
    return exited ? "exited" : "late";
  }

  private rollBack(pending: PendingUpdate, reason: string): void {
    const { home, log } = this.options;
    fs.renameSync(`${pending.executable}.old`, pending.executable);
    addRefused(home, pending.to);
    clearPending(home);
    log.error({ version: pending.to, restored: pending.from, reason }, "update rolled back");
  }
}

/**
 * The same client; every UpdateAvailable on a Session is handed to the updater, and the first
 * Config (the server took the credential and the session works) confirms a pending update.
 */
export function watchUpdates(client: AgentServiceClient, updater: SelfUpdater): AgentServiceClient {
  return new Proxy(client, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (property !== "session" || typeof value !== "function") return value;

      return (...args: unknown[]) => {
        const call = (value as (...a: unknown[]) => ReturnType<AgentServiceClient["session"]>).apply(target, args);
        call.on("data", (message: { kind?: { $case: string; value: unknown } }) => {
          if (message.kind?.$case === "config") updater.confirm();
          if (message.kind?.$case === "updateAvailable") void updater.offer(message.kind.value as UpdateAvailable);
        });
        return call;
      };
    },
  });
}

/**
 * The updater of a running agent. Under a service manager (TRACKER_AGENT_SUPERVISED=1) it
 * hands over by exiting, and a new version watches its own confirmation deadline.
 */
export function startSelfUpdater(options: Omit<SelfUpdaterOptions, "supervised">): SelfUpdater {
  const updater = new SelfUpdater({ ...options, supervised: process.env.TRACKER_AGENT_SUPERVISED === "1" });
  updater.watchOwnDeadline();
  return updater;
}
