import type { ServerDuplexStream } from "@grpc/grpc-js";
import type { Sql } from "postgres";
import type {
  AgentMessage,
  BatchFailed,
  BatchResult,
  Config,
  Hello,
  ServerMessage,
} from "../../shared/gen/tracker/v1/agent";
import { TrackerError } from "../../shared/errors";
import type { Logger } from "../../shared/log";
import type { ServerConfig } from "../config";
import { failLease, releaseLeases } from "../scheduler/lease-batches";
import type { AcceptedResult } from "../ingest/types";
import { checkResult } from "./check-result";
import { Dispatcher } from "./dispatcher";
import { KeyHolderCensus } from "./key-holder-census";
import { KeyShares, type KeyShare } from "./key-shares";
import { AgentSession, peerAddress } from "./session";
import { RateWindow } from "./rate-window";
import { AGENT_MAX_MESSAGE_BYTES, encodedSize } from "./message-size";
import { authenticateAgent } from "../enrollment/authenticate";
import { newestReleaseFile } from "../releases/releases";
import type { AgentServiceIdentity } from "../enrollment/agent-service-identity";
import { NO_HUB_METRICS, type HubMetrics } from "../metrics/hooks";

/** Where accepted results go: the ingest buffer. */
export interface ResultSink {
  /** Resolves once the result is committed ("committed") or refused as stale ("stale"). */
  add(result: AcceptedResult): Promise<"committed" | "stale">;
  readonly isBehind: boolean;
  readonly backlogRows: number;
}

/** A session must say Hello within this time. */
const HELLO_TIMEOUT_MS = 10_000;
/** Messages of one session waiting to be handled before its stream stops being read. */
const MAX_QUEUED_MESSAGES = 32;
/** Want messages a session may send in one second; an honest agent sends one per batch done. */
const MAX_WANTS_PER_SECOND = 500;
/**
 * The agent service: keeps every Session stream, hands leases to sessions with credit, checks
 * results against their leases and passes them to ingest, and acknowledges after commit.
 */
export class AgentHub {
  readonly sessions = new Set<AgentSession>();
  readonly keyShares: KeyShares;
  private readonly census: KeyHolderCensus;
  readonly batchesDone = new RateWindow(60_000);
  readonly apiRequests = new RateWindow(60_000);
  /** Counters for Prometheus; the server sets them after construction. */
  metrics: HubMetrics = NO_HUB_METRICS;
  private readonly dispatcher: Dispatcher;
  private stopping = false;
  /** What enrollment tokens carry; the server sets it once the agent port is bound. */
  identity: AgentServiceIdentity | null = null;

  constructor(
    private readonly sql: Sql,
    private readonly config: ServerConfig,
    private readonly sink: ResultSink,
    private readonly log: Logger,
  ) {
    this.keyShares = new KeyShares(sql);
    this.census = new KeyHolderCensus(sql, this.keyShares, log);
    this.dispatcher = new Dispatcher({
      sql,
      config,
      isBehind: () => this.stopping || this.sink.isBehind,
      metrics: () => this.metrics,
      log,
    });
  }

  async start(): Promise<void> {
    await this.keyShares.reload();
    this.census.start();
  }

  /** The gRPC handler of AgentService.Session. */
  session(call: ServerDuplexStream<AgentMessage, ServerMessage>): void {
    const session = new AgentSession(call, peerAddress(call.getPeer()), this.log, (share) =>
      this.configFor(share),
    );
    if (this.stopping) return session.fail(new TrackerError("SHUTTING_DOWN", "server is stopping"));

    // The credential, not Hello, names the agent; no message is handled before it is checked.
    session.chain = authenticateAgent(this.sql, call.metadata).then(
      (agentId) => {
        session.agentId = agentId;
        session.log = session.log.child({ agentId });
      },
      (err) => this.onHandlerError(session, err),
    );

    session.helloTimer = setTimeout(() => {
      session.fail(new TrackerError("HELLO_REQUIRED", "no Hello within 10 s"));
    }, HELLO_TIMEOUT_MS);
    session.writeStallMs = this.config.agent.writeStallMs;
    session.onWriteStall = () => void this.onWriteStall(session);
    call.on("data", (message: AgentMessage) => this.enqueue(session, message));
    call.on("end", () => {
      session.end();
      void this.onClose(session);
    });
    call.on("error", () => void this.onClose(session));
    call.on("cancelled", () => void this.onClose(session));
    call.on("close", () => void this.onClose(session));
    session.log.debug({ address: session.address }, "session opened");
  }

  /**
   * Handles a session's messages one at a time, in order. Reading pauses while too many wait,
   * so an agent that floods the stream cannot grow the server's memory.
   */
  private enqueue(session: AgentSession, message: AgentMessage): void {
    session.queued += 1;
    if (session.queued >= MAX_QUEUED_MESSAGES) session.call.pause();
    session.chain = session.chain
      .then(() => (session.released || session.closed ? undefined : this.onMessage(session, message)))
      .catch((err) => this.onHandlerError(session, err))
      .finally(() => {
        session.queued -= 1;
        if (session.queued === MAX_QUEUED_MESSAGES - 1) session.call.resume();
      });
  }

  private async onMessage(session: AgentSession, message: AgentMessage): Promise<void> {
    const kind = message.kind;
    const bytes = encodedSize(message);
    if (bytes > AGENT_MAX_MESSAGE_BYTES) {
      await this.offence(session, `message of ${bytes} bytes`);
      const limit = AGENT_MAX_MESSAGE_BYTES;
      throw new TrackerError("MESSAGE_TOO_LARGE", `message of ${bytes} bytes, the limit is ${limit}`);
    }
    if (!session.hello && kind?.$case !== "hello") {
      throw new TrackerError("HELLO_REQUIRED", "the first message must be Hello");
    }
    switch (kind?.$case) {
      case "hello":
        return this.onHello(session, kind.value);
      case "want":
        if (session.countWant() > MAX_WANTS_PER_SECOND) {
          await this.offence(session, "credit request flood");
          const flood = `more than ${MAX_WANTS_PER_SECOND} Want messages in a second`;
          throw new TrackerError("AGENT_FLOODING", flood);
        }
        session.credit = Math.min(
          session.credit + kind.value.credit,
          Math.max(0, this.config.agent.maxCredit - session.leases.size),
        );
        return this.dispatcher.want(session);
      case "batchResult":
        return this.onResult(session, kind.value);
      case "batchFailed":
        return this.onFailed(session, kind.value);
      case "telemetry":
        return;
      default:
        throw new TrackerError("HELLO_REQUIRED", "empty message");
    }
  }

  private async onHello(session: AgentSession, hello: Hello): Promise<void> {
    if (session.hello) throw new TrackerError("HELLO_REQUIRED", "Hello sent twice");
    clearTimeout(session.helloTimer);
    const agentId = session.agentId;

    // The name given with the enrollment token wins over the one the agent reports.
    const [row] = await this.sql`
      UPDATE agents SET name = COALESCE(NULLIF(name, ''), ${hello.agentName.slice(0, 64)}),
        version = ${hello.version.slice(0, 32)}, os = ${hello.os.slice(0, 32)},
        arch = ${hello.arch.slice(0, 32)}, address = ${session.address}, last_seen = now()
      WHERE id = ${agentId}
      RETURNING banned`;
    if (!row || row.banned) throw new TrackerError("AGENT_BANNED", `agent ${agentId} is banned`);

    for (const other of this.sessions) {
      if (other.agentId === agentId) {
        other.fail(new TrackerError("AGENT_REPLACED", "a newer session of this agent started"));
      }
    }
    session.hello = hello;
    this.sessions.add(session);
    this.keyShares.attach(session);
    session.log.info(
      { name: hello.agentName, version: hello.version, os: hello.os, address: session.address },
      "agent connected",
    );
    await this.offerRelease(session);
  }

  /** Tells an agent about the newest release when it runs another version. */
  async offerRelease(session: AgentSession): Promise<void> {
    const hello = session.hello;
    if (!hello) return;

    const file = await newestReleaseFile(this.sql, hello.os, hello.arch);
    if (!file || file.version === hello.version) return;
    const { version, size, sha256, signature } = file;
    session.send({ kind: { $case: "updateAvailable", value: { version, size, sha256, signature } } });
    session.log.info({ version, running: hello.version }, "update offered");
  }

  /** After a release is published: offers it to every connected agent. */
  async offerReleaseToAll(): Promise<void> {
    await Promise.all([...this.sessions].map((s) => this.offerRelease(s)));
  }

  private configFor(share: KeyShare): Config {
    const api = this.config.api;
    return {
      apiBaseUrl: api.baseUrl,
      applicationId: share.key.applicationId,
      requestsPerSecond: share.requestsPerSecond,
      maxInFlight: this.config.agent.maxInFlight,
      fields: api.fields,
      language: api.language,
      requestTimeoutMs: api.requestTimeoutMs,
      maxAttempts: api.maxAttempts,
      retryInitialMs: api.retryInitialMs,
      retryMaxMs: api.retryMaxMs,
      apiKeyId: share.key.id,
    };
  }

  private async onResult(session: AgentSession, result: BatchResult): Promise<void> {
    const lease = session.leases.get(result.leaseId);
    if (!lease) {
      // A result that crossed the server's Revoke on the wire is no offence.
      if (session.revoked.has(result.leaseId)) {
        return session.send(rejected(result.leaseId, "LEASE_NOT_OWNED", "lease was revoked"));
      }
      await this.offence(session, `result for lease ${result.leaseId} it does not hold`);
      return session.send(rejected(result.leaseId, "LEASE_NOT_OWNED", "lease not held by agent"));
    }
    session.leases.delete(result.leaseId);
    this.apiRequests.add(result.requests);
    if (result.rateLimited > 0) this.keyShares.rateLimited(session, result.rateLimited);
    this.metrics.apiRequests(session.apiKeyId, result.requests);

    const problem = checkResult(lease.ids, result.players);
    if (problem) {
      session.log.warn({ leaseId: lease.leaseId, problem }, "result refused");
      await this.offence(session, problem);
      await releaseLeases(this.sql, [lease.leaseId], `result refused: ${problem}`, true);
      session.send(rejected(lease.leaseId, "RESULT_INVALID", problem));
      return this.wake();
    }

    session.ingesting.add(lease.leaseId);
    const accepted: AcceptedResult = {
      batchId: lease.batchId,
      leaseId: lease.leaseId,
      roundId: lease.roundId,
      statDay: lease.statDay,
      platform: lease.platform,
      agentId: session.agentId,
      fetchedAtMs: result.fetchedAtMs,
      players: result.players,
    };
    // Not awaited: the next messages of this session are handled while the flush commits.
    void this.sink.add(accepted).then(
      (outcome) => this.afterCommit(session, lease.leaseId, result.players.length, outcome),
      (err) => session.log.error({ err, leaseId: lease.leaseId }, "ingest failed"),
    );
  }

  private afterCommit(
    session: AgentSession,
    leaseId: number,
    players: number,
    outcome: "committed" | "stale",
  ): void {
    session.ingesting.delete(leaseId);
    if (outcome === "committed") {
      this.batchesDone.add(1);
      session.send({ kind: { $case: "ack", value: { leaseId, players } } });
    } else {
      session.send(rejected(leaseId, "LEASE_NOT_OWNED", "lease expired before commit"));
    }
    this.wake();
  }

  private async onFailed(session: AgentSession, failed: BatchFailed): Promise<void> {
    const lease = session.leases.get(failed.leaseId);
    if (!lease) return;
    session.leases.delete(failed.leaseId);
    if (failed.apiError === "REQUEST_LIMIT_EXCEEDED") this.keyShares.rateLimited(session);
    this.metrics.batchFailed(failed);

    if (failed.returned) {
      await releaseLeases(this.sql, [failed.leaseId], "returned by agent", false);
    } else {
      const error = [failed.apiError, failed.httpStatus ? `HTTP ${failed.httpStatus}` : "", failed.reason]
        .filter(Boolean)
        .join(": ")
        .slice(0, 500);
      const state = await failLease(this.sql, failed.leaseId, error, this.config.lease.maxAttempts, failed.fatal);
      await this.sql`UPDATE agents SET failures = failures + 1 WHERE id = ${session.agentId}`;
      session.log.warn({ leaseId: failed.leaseId, batchId: lease.batchId, error, state }, "batch failed");
    }
    this.wake();
  }

  private async onClose(session: AgentSession): Promise<void> {
    if (session.released) return;
    session.released = true;
    session.closed = true;
    clearTimeout(session.helloTimer);
    const wasRegistered = this.sessions.delete(session);
    this.keyShares.detach(session);

    const leaseIds = [...session.leases.keys()];
    session.leases.clear();
    session.credit = 0;
    if (leaseIds.length > 0) {
      try {
        await releaseLeases(this.sql, leaseIds, "agent disconnected", true);
      } catch (err) {
        // The lease deadline returns them later; nothing is lost.
        session.log.warn({ err, leases: leaseIds.length }, "lease return failed");
      }
    }
    if (wasRegistered) {
      session.log.info({ leasesReturned: leaseIds.length }, "agent disconnected");
      await this.sql`UPDATE agents SET last_seen = now() WHERE id = ${session.agentId}`.catch(() => undefined);
    }
    this.wake();
  }

  private onHandlerError(session: AgentSession, err: unknown): void {
    if (err instanceof TrackerError) {
      session.log.warn({ code: err.code, reason: err.message }, "session refused");
      return session.fail(err);
    }
    session.log.error({ err }, "session handler failed");
    session.fail(new TrackerError("INTERNAL", "internal error"));
  }

  /** Counts an offence against the agent; past agent.offencesToFlag it is flagged. */
  private async offence(session: AgentSession, reason: string): Promise<void> {
    const limit = this.config.agent.offencesToFlag;
    const flagReason = `${limit} offences, the last: ${reason}`.slice(0, 500);
    const [row] = await this.sql`
      UPDATE agents
         SET offences = offences + 1,
             flagged_reason = CASE WHEN flagged THEN flagged_reason
                                   ELSE ${flagReason} END,
             flagged_at = CASE WHEN flagged THEN flagged_at ELSE now() END,
             flagged = true
       WHERE id = ${session.agentId} AND offences + 1 >= ${limit}
      RETURNING offences`;
    if (!row) {
      await this.sql`UPDATE agents SET offences = offences + 1 WHERE id = ${session.agentId}`;
    } else if (row.offences === limit) {
      session.log.warn({ offences: row.offences, reason }, "agent flagged");
    }
    session.log.warn({ reason }, "agent offence");
  }

  /** The agent reads nothing: it holds leases it will never report. */
  private async onWriteStall(session: AgentSession): Promise<void> {
    if (session.closed) return;
    const seconds = Math.round(this.config.agent.writeStallMs / 1000);
    session.abortStalled(new TrackerError("AGENT_NOT_READING", `nothing read for ${seconds} s`));
    await this.onClose(session);
    if (session.agentId) await this.offence(session, "stream not read").catch(() => undefined);
  }

  /** Ends an agent's session at once (ban); its leases return to the pool. */
  disconnect(agentId: string, error: TrackerError): number {
    let n = 0;
    for (const s of this.sessions) {
      if (s.agentId === agentId) {
        s.fail(error);
        void this.onClose(s);
        n += 1;
      }
    }
    return n;
  }

  /** Tells agents to stop work on leases the server took back. */
  revoke(leases: { leaseId: number; agentId: string }[], reason: string): void {
    for (const { leaseId, agentId } of leases) {
      for (const s of this.sessions) {
        if (s.agentId !== agentId || !s.leases.delete(leaseId)) continue;
        s.rememberRevoked(leaseId);
        s.send({ kind: { $case: "revoke", value: { leaseId, reason } } });
      }
    }
  }

  /** Asks the dispatcher to look for work now. */
  wake(): void {
    this.dispatcher.wake();
  }

  /** Stops handing out work, returns every lease that has no result yet, ends all streams. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.dispatcher.stop();
    const open = [...this.sessions];
    for (const s of open) {
      s.send({ kind: { $case: "drain", value: { reason: "server stopping" } } });
      s.end();
    }
    await Promise.all(open.map((s) => this.onClose(s)));
    await this.census.stop();
  }
}

function rejected(leaseId: number, code: string, reason: string): ServerMessage {
  return { kind: { $case: "resultRejected", value: { leaseId, code, reason } } };
}
