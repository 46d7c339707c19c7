import type { ServerDuplexStream } from "@grpc/grpc-js";
import type { Logger } from "../../shared/log";
import type {
  AgentMessage,
  Config,
  Hello,
  ServerMessage,
} from "../../shared/gen/tracker/v1/agent";
import type { Lease } from "../scheduler/lease-batches";
import type { KeyHolder, KeyShare } from "./key-shares";
import type { TrackerError } from "../../shared/errors";

/** A lease as the session keeps it while the agent works on it. */
export interface HeldLease extends Lease {
  ids: Set<number>;
}

/** How a session turns its share of an API key into the agent's Config. */
export type ConfigFactory = (share: KeyShare) => Config;

let nextSessionId = 1;

/**
 * One agent's Session stream. Holds its credit and leases; the hub decides what to do with
 * each message. Writes stop once the stream is closed.
 */
export class AgentSession implements KeyHolder {
  readonly sessionId = nextSessionId++;
  readonly startedAt = Date.now();
  agentId = "";
  hello: Hello | null = null;
  apiKeyId: number | null = null;
  config: Config | null = null;
  /** Assignments the agent can still take. */
  credit = 0;
  readonly leases = new Map<number, HeldLease>();
  /** Leases whose result is in the ingest buffer, not yet committed. */
  readonly ingesting = new Set<number>();
  /** No more writes: the stream ended or failed. */
  closed = false;
  /** Leases were returned and the session left the hub. */
  released = false;
  helloTimer: NodeJS.Timeout | undefined;
  /** Messages are handled one after another on this chain. */
  chain: Promise<void> = Promise.resolve();
  queued = 0;
  log: Logger;

  constructor(
    readonly call: ServerDuplexStream<AgentMessage, ServerMessage>,
    readonly address: string,
    log: Logger,
    private readonly makeConfig: ConfigFactory,
  ) {
    this.log = log.child({ sessionId: this.sessionId });
  }

  send(message: ServerMessage): void {
    if (this.closed) return;
    this.call.write(message);
  }

  setShare(share: KeyShare | null): void {
    if (!share) {
      this.config = null;
      this.log.warn({ agentId: this.agentId }, "no API key available for agent");
      return;
    }
    const config = this.makeConfig(share);
    this.config = config;
    this.send({ kind: { $case: "config", value: config } });
    this.log.info(
      { agentId: this.agentId, apiKeyId: share.key.id, requestsPerSecond: config.requestsPerSecond },
      "config sent",
    );
  }

  /** Ends the stream with an error status; the hub's close handler releases what it held. */
  fail(error: TrackerError): void {
    if (this.closed) return;
    this.closed = true;
    this.call.emit("error", error.toServiceError());
  }

  /** Ends the stream normally. */
  end(): void {
    if (this.closed) return;
    this.closed = true;
    this.call.end();
  }
}

/** "ipv4:1.2.3.4:5678", "[::1]:5678" or "1.2.3.4:5678" → the address without its port. */
export function peerAddress(peer: string): string {
  const bare = peer.replace(/^ipv[46]:/, "");
  const v6 = /^\[([^\]]+)\](?::\d+)?$/.exec(bare);
  if (v6) return v6[1];
  return bare.replace(/:\d+$/, "");
}
