import type { Logger } from "../shared/log";
import { describeActivity, type AgentActivity } from "./agent-activity";
import { STATUS_INTERVAL_MS, writeStatusFile, type AgentStatus } from "./status-file";
import type { StatusLine } from "./status-line";

export interface StatusReporterOptions {
  dataDir: string;
  activity: AgentActivity;
  /** The API client's running request total. */
  requestsTotal: () => number;
  /** Fixed fields of the status file. */
  identity: Pick<AgentStatus, "pid" | "version" | "server" | "startedAtMs" | "logFile">;
  statusLine?: StatusLine;
  logger: Logger;
  /** @default STATUS_INTERVAL_MS */
  intervalMs?: number;
}

/**
 * Every few seconds: samples the request total, rewrites the status file and the terminal's
 * status line. stop() writes a last status saying the agent stopped.
 */
export class StatusReporter {
  private readonly options: StatusReporterOptions;
  private readonly timer: NodeJS.Timeout;
  private writeFailed = false;

  constructor(options: StatusReporterOptions) {
    this.options = options;
    this.report(null);
    this.timer = setInterval(() => this.report(null), options.intervalMs ?? STATUS_INTERVAL_MS);
    this.timer.unref();
  }

  /** Reports now, e.g. right after connecting, instead of at the next tick. */
  refresh(): void {
    this.report(null);
  }

  stop(): void {
    clearInterval(this.timer);
    this.report(Date.now());
    this.options.statusLine?.end();
  }

  private report(stoppedAtMs: number | null): void {
    const nowMs = Date.now();
    const { activity, identity, statusLine } = this.options;
    activity.sampleRequests(this.options.requestsTotal(), nowMs);
    const snapshot = activity.snapshot(nowMs);

    statusLine?.update(`tracker-agent ${describeActivity(snapshot, identity.server)}`);
    try {
      const status = { ...identity, ...snapshot, updatedAtMs: nowMs, stoppedAtMs };
      writeStatusFile(this.options.dataDir, status);
      this.writeFailed = false;
    } catch (err) {
      // Said once per outage: a full disk should not fill the log with the same line.
      if (!this.writeFailed) this.options.logger.warn({ err }, "status file not written");
      this.writeFailed = true;
    }
  }
}
