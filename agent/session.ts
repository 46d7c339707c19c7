import type { ClientDuplexStream } from "@grpc/grpc-js";
import type {
  AgentMessage,
  AgentServiceClient,
  Config,
  Hello,
  ServerMessage,
} from "../shared/gen/tracker/v1/agent";
import type { Logger } from "../shared/log";
import { resolveAgentSettings, type AgentSettings } from "./agent-settings";
import type { RateLimiter } from "./rate-limiter";
import type { WgClient } from "./wg-client";
import { WorkLoop } from "./work-loop";

/** How a session ended: stop() was called, the server drained it, or the stream was lost. */
export type SessionEnd = "stopped" | "drained" | "lost";

export interface SessionOptions {
  client: AgentServiceClient;
  hello: Hello;
  wgClient: WgClient;
  rateLimiter: RateLimiter;
  logger: Logger;
  /** After half-closing, how long to wait for the server to end the stream. */
  closeGraceMs: number;
  /** Called for every usable Config, after it has been applied. */
  onConfig?: (settings: AgentSettings) => void;
}

/**
 * One Session stream: Hello, then Config, then credit-based work until the stream ends.
 * A new Session is made for every connection; nothing in it outlives its stream.
 */
export class Session {
  private readonly options: SessionOptions;
  private readonly log: Logger;
  private readonly workLoop: WorkLoop;
  private call: ClientDuplexStream<AgentMessage, ServerMessage> | undefined;
  private ending: SessionEnd | undefined;
  private halfClosed = false;
  private finished = false;
  private resolveEnded: (end: SessionEnd) => void = () => {};
  private readonly ended: Promise<SessionEnd>;
  /** True once a usable Config arrived, i.e. the connection really worked. */
  configured = false;

  constructor(options: SessionOptions) {
    this.options = options;
    this.log = options.logger;
    this.ended = new Promise((resolve) => (this.resolveEnded = resolve));
    this.workLoop = new WorkLoop({
      client: options.wgClient,
      send: (message) => this.send(message),
      logger: options.logger,
      capacity: options.hello.capacity,
    });
  }

  /** Opens the stream and resolves when it has ended, however that happened. */
  run(): Promise<SessionEnd> {
    const call = this.options.client.session();
    this.call = call;
    call.on("data", (message: ServerMessage) => this.onMessage(message));
    call.on("error", (err: Error) => this.finish("lost", err));
    call.on("end", () => this.finish("lost"));

    this.send({ kind: { $case: "hello", value: this.options.hello } });
    return this.ended;
  }

  /** Shutdown: return every unreported lease, half-close, and wait briefly for the server. */
  async stop(): Promise<void> {
    if (this.finished || this.ending === "stopped") return this.ended.then(() => undefined);

    this.ending = "stopped";
    const held = this.workLoop.unreported;
    this.workLoop.returnAll("agent shutting down");
    this.log.info({ returnedLeases: held }, "session stopping");
    await this.close();
  }

  private onMessage(message: ServerMessage): void {
    const kind = message.kind;
    if (!kind) return;

    switch (kind.$case) {
      case "config":
        return this.onConfig(kind.value);
      case "assign":
        return this.workLoop.assign(kind.value);
      case "ack":
        return this.workLoop.ack(kind.value.leaseId);
      case "resultRejected":
        return this.workLoop.rejected(kind.value.leaseId, kind.value.code, kind.value.reason);
      case "revoke":
        return this.workLoop.revoke(kind.value.leaseId, kind.value.reason);
      case "drain":
        void this.drain(kind.value.reason);
        return;
      case "updateAvailable":
        // The self-updater watches the stream for this message (agent/self-update.ts).
        this.log.info({ version: kind.value.version }, "update available");
        return;
    }
  }

  private onConfig(config: Config): void {
    const result = resolveAgentSettings(config);
    if ("problem" in result) {
      this.log.error({ problem: result.problem }, "unusable Config: work paused");
      this.workLoop.pauseUntilConfig(result.problem);
    } else {
      this.apply(result.settings);
    }

    if (!this.configured) {
      this.configured = true;
      this.workLoop.grant(this.options.hello.capacity);
    }
  }

  private apply(settings: AgentSettings): void {
    this.options.wgClient.configure(settings);
    this.options.rateLimiter.setRate(settings.requestsPerSecond);
    this.workLoop.setMaxInFlight(settings.maxInFlight);
    this.workLoop.resumeWithConfig();

    const { apiBaseUrl, requestsPerSecond, maxInFlight, apiKeyId } = settings;
    this.log.info({ apiBaseUrl, requestsPerSecond, maxInFlight, apiKeyId }, "config applied");
    this.options.onConfig?.(settings);
  }

  private async drain(reason: string): Promise<void> {
    if (this.ending) return;

    this.ending = "drained";
    this.log.info({ reason }, "drain requested");
    this.workLoop.returnQueued("server asked the agent to drain");
    await this.workLoop.whenIdle();
    await this.close();
  }

  /** Half-closes the stream, then cancels it if the server has not ended it in time. */
  private async close(): Promise<void> {
    if (!this.finished && this.call && !this.halfClosed) {
      this.halfClosed = true;
      this.call.end();
    }

    let timer: NodeJS.Timeout | undefined;
    const grace = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, this.options.closeGraceMs);
    });
    await Promise.race([this.ended, grace]);
    clearTimeout(timer);

    if (!this.finished) this.call?.cancel();
    await this.ended;
  }

  private finish(fallback: SessionEnd, err?: Error): void {
    if (this.finished) return;

    this.finished = true;
    const end = this.ending ?? fallback;
    this.workLoop.abortAll("session ended");
    if (end === "lost") this.log.warn({ err: err?.message }, "session lost");
    else this.log.info({ end }, "session ended");
    this.resolveEnded(end);
  }

  private send(message: AgentMessage): void {
    if (this.finished || this.halfClosed || !this.call) return;
    this.call.write(message);
  }
}
