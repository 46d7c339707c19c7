import http2 from "node:http2";
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

/** Messages written but not yet taken by the transport, from which no new work is assigned. */
export const WRITE_HIGH_WATER = 16;
/** Revoked lease ids a session remembers. */
const REVOKED_KEPT = 256;

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
  /** Leases the server took back lately; a result for one of them is no offence. */
  readonly revoked = new Set<number>();
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
  /** Messages written to the stream that the transport has not yet sent. */
  unsent = 0;
  /** Called when written messages stay unsent for writeStallMs: the agent reads nothing. */
  onWriteStall: (() => void) | null = null;
  writeStallMs = 30_000;
  private stallTimer: NodeJS.Timeout | undefined;
  private wantSecond = 0;
  private wantsInSecond = 0;
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
    this.unsent += 1;
    if (!this.stallTimer) this.armStallTimer();
    this.call.write(message, () => this.written());
  }

  rememberRevoked(leaseId: number): void {
    this.revoked.add(leaseId);
    // Only results already on the wire can cross a Revoke: the newest few are enough.
    if (this.revoked.size > REVOKED_KEPT) this.revoked.delete(this.revoked.values().next().value!);
  }

  /** Counts one Want and returns how many this session sent in the current second. */
  countWant(nowMs = Date.now()): number {
    const second = Math.floor(nowMs / 1000);
    if (second !== this.wantSecond) {
      this.wantSecond = second;
      this.wantsInSecond = 0;
    }
    this.wantsInSecond += 1;
    return this.wantsInSecond;
  }

  /** True while the agent is slow to read: no new assignments until its buffer drains. */
  get writeBlocked(): boolean {
    return this.unsent >= WRITE_HIGH_WATER;
  }

  private written(): void {
    this.unsent -= 1;
    clearTimeout(this.stallTimer);
    this.stallTimer = undefined;
    // Progress: the clock starts again for whatever is still waiting.
    if (this.unsent > 0 && !this.closed) this.armStallTimer();
  }

  private armStallTimer(): void {
    this.stallTimer = setTimeout(() => this.onWriteStall?.(), this.writeStallMs);
    this.stallTimer.unref();
  }

  /**
   * Ends a stream whose agent reads nothing. The error status cannot reach it (the trailers
   * wait behind the unsent messages), so the HTTP/2 stream is reset with ENHANCE_YOUR_CALM,
   * which the agent's gRPC library reports as RESOURCE_EXHAUSTED, and its buffers are freed.
   */
  abortStalled(error: TrackerError): void {
    this.fail(error);
    resetHttp2Stream(this.call);
  }

  setShare(share: KeyShare | null): void {
    if (!share) {
      this.config = null;
      this.log.warn({ agentId: this.agentId }, "no API key available for agent");
      return;
    }
    const first = this.config === null;
    const config = this.makeConfig(share);
    this.config = config;
    this.send({ kind: { $case: "config", value: config } });
    // Shares change whenever an agent joins or leaves: at info only the first Config of a
    // session, or a thousand agents write a line each per change.
    const { requestsPerSecond } = config;
    const fields = { agentId: this.agentId, apiKeyId: share.key.id, requestsPerSecond };
    if (first) this.log.info(fields, "config sent");
    else this.log.debug(fields, "config sent");
  }

  /** Ends the stream with an error status; the hub's close handler releases what it held. */
  fail(error: TrackerError): void {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.stallTimer);
    this.call.emit("error", error.toServiceError());
  }

  /** Ends the stream normally. */
  end(): void {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.stallTimer);
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

/**
 * grpc-js keeps the HTTP/2 stream of a server call private; it sits at the end of the chain of
 * intercepting calls. Reading it is the only way to drop a stream whose peer never reads.
 */
function resetHttp2Stream(call: object): void {
  let link = (call as { call?: unknown }).call as Record<string, unknown> | undefined;
  for (let depth = 0; link && depth < 8; depth++) {
    const stream = link.stream as http2.ServerHttp2Stream | undefined;
    if (stream && typeof stream.close === "function") {
      if (!stream.closed) stream.close(http2.constants.NGHTTP2_ENHANCE_YOUR_CALM);
      return;
    }
    link = link.nextCall as Record<string, unknown> | undefined;
  }
}
