import { EventEmitter } from "node:events";
import os from "node:os";
import { Backoff, sleep, type BackoffOptions } from "../shared/backoff";
import { Config, type AgentServiceClient, type Hello } from "../shared/gen/tracker/v1/agent";
import { componentLogger, silentLogger, type Logger } from "../shared/log";
import { VERSION } from "../shared/version";
import { DEFAULT_REQUESTS_PER_SECOND, resolveAgentSettings } from "./agent-settings";
import { createAgentServiceClient } from "./grpc-channel";
import type { HttpGetter } from "./http-get";
import { RateLimiter } from "./rate-limiter";
import { rotatingClient, splitServers, type ServerRotation } from "./server-rotation";
import { Session, type SessionEnd } from "./session";
import { WgClient, type WgClientCounters } from "./wg-client";

/** Assignments taken at once when not told otherwise. */
export const DEFAULT_CAPACITY = 4;
/** After a Drain, wait at least this long before reconnecting. */
export const DRAIN_RECONNECT_MS = 5_000;
/** On shutdown, how long to wait for the server to end the stream after half-closing it. */
export const CLOSE_GRACE_MS = 2_000;

export interface AgentOptions {
  /** Coordinator address, host:port, or several comma-separated coordinators on one database. */
  server: string;
  /** Stable id kept between runs. */
  agentId: string;
  /** @default the host name */
  agentName?: string;
  /** @default DEFAULT_CAPACITY */
  capacity?: number;
  /** @default a silent logger */
  logger?: Logger;
  /** Reconnect delays. @default shared/backoff defaults (500 ms doubling to 30 s, 20 % jitter) */
  reconnect?: BackoffOptions;
  /** @default DRAIN_RECONNECT_MS */
  drainReconnectMs?: number;
  /** @default CLOSE_GRACE_MS */
  closeGraceMs?: number;
  /** HTTP layer for API requests; tests may replace it. @default NodeHttpGetter */
  http?: HttpGetter;
  /** gRPC client; tests may pass their own. @default plaintext client for `server` */
  client?: AgentServiceClient;
  /** Moves `client` to the next coordinator after a session ends; given with a rotating client. */
  rotation?: ServerRotation;
}

// LIMITATION: the agent sends no Telemetry messages; its counters are only readable in-process.
/** Events: "configured" (AgentSettings) after each usable Config, "session-end" (SessionEnd). */
export class Agent extends EventEmitter {
  private readonly options: AgentOptions;
  private readonly log: Logger;
  private readonly client: AgentServiceClient;
  private readonly rotation: ServerRotation | undefined;
  private readonly rateLimiter: RateLimiter;
  private readonly wgClient: WgClient;
  private readonly stopController = new AbortController();
  private session: Session | undefined;
  private loop: Promise<void> | undefined;

  constructor(options: AgentOptions) {
    super();
    this.options = options;
    this.log = (options.logger ?? silentLogger()).child({ agentId: options.agentId });
    if (options.client) {
      this.client = options.client;
      this.rotation = options.rotation;
    } else {
      const servers = splitServers(options.server);
      ({ client: this.client, rotation: this.rotation } = rotatingClient(servers, (server) =>
        createAgentServiceClient(server),
      ));
    }
    this.rateLimiter = new RateLimiter({ requestsPerSecond: DEFAULT_REQUESTS_PER_SECOND });
    this.wgClient = new WgClient({
      settings: placeholderSettings(),
      rateLimiter: this.rateLimiter,
      logger: componentLogger(this.log, "wg-client"),
      http: options.http,
    });
  }

  /** API requests made so far, and how many were answered with errors or rate limits. */
  get counters(): Readonly<WgClientCounters> {
    return this.wgClient.counters;
  }

  /** Starts connecting; reconnects forever until stop(). Resolves when the agent has stopped. */
  start(): Promise<void> {
    this.loop ??= this.run();
    return this.loop;
  }

  /** Stops taking work, returns every unreported lease, closes the stream and the sockets. */
  async stop(): Promise<void> {
    if (!this.stopController.signal.aborted) {
      this.log.info("agent stopping");
      this.stopController.abort(new Error("agent stopping"));
    }
    await this.session?.stop();
    await this.loop;
  }

  private hello(): Hello {
    return {
      agentId: this.options.agentId,
      agentName: this.options.agentName ?? os.hostname(),
      version: VERSION,
      os: process.platform,
      arch: process.arch,
      capacity: this.options.capacity ?? DEFAULT_CAPACITY,
    };
  }

  private async run(): Promise<void> {
    const backoff = new Backoff(this.options.reconnect);
    const stopSignal = this.stopController.signal;

    while (!stopSignal.aborted) {
      const end = await this.runSession(backoff);
      this.emit("session-end", end);
      if (stopSignal.aborted) break;
      this.moveToNextServer(end);

      const drainMs = this.options.drainReconnectMs ?? DRAIN_RECONNECT_MS;
      const delayMs = end === "drained" ? Math.max(drainMs, backoff.next()) : backoff.next();
      this.log.info({ end, delayMs }, "reconnecting later");
      await sleep(delayMs, stopSignal).catch(() => undefined);
    }

    this.shutdown();
  }

  private async runSession(backoff: Backoff): Promise<SessionEnd> {
    const session = new Session({
      client: this.client,
      hello: this.hello(),
      wgClient: this.wgClient,
      rateLimiter: this.rateLimiter,
      logger: componentLogger(this.log, "session"),
      closeGraceMs: this.options.closeGraceMs ?? CLOSE_GRACE_MS,
      onConfig: (settings) => {
        backoff.reset();
        this.emit("configured", settings);
      },
    });
    this.session = session;
    this.log.info({ server: this.rotation?.current ?? this.options.server }, "connecting");

    const end = await session.run();
    this.session = undefined;
    return end;
  }

  /**
   * A failed, dropped or drained session may mean its coordinator is gone; another one on the
   * same database serves the same rounds, so the next attempt goes to the next address.
   */
  // LIMITATION: the agent moves on after any ended session, even a brief drop from a healthy one.
  private moveToNextServer(end: SessionEnd): void {
    const rotation = this.rotation;
    if (!rotation || rotation.servers.length < 2) return;
    const from = rotation.current;
    const to = rotation.advance();
    this.log.info({ end, from, to }, "moving to the next coordinator");
  }

  private shutdown(): void {
    this.rateLimiter.close(new Error("agent stopped"));
    this.wgClient.close();
    this.client.close();
    this.log.info("agent stopped");
  }
}

/** Settings used until the first Config; no request is made before one arrives. */
function placeholderSettings() {
  const result = resolveAgentSettings(
    Config.fromPartial({ apiBaseUrl: "http://127.0.0.1/", applicationId: "none" }),
  );
  if ("problem" in result) throw new Error(result.problem);
  return result.settings;
}

/** Creates an agent and starts it; `await agent.stop()` ends it. */
export function startAgent(options: AgentOptions): Agent {
  const agent = new Agent(options);
  void agent.start();
  return agent;
}
