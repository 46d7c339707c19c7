import type { AgentMessage, Assign } from "../shared/gen/tracker/v1/agent";
import type { Logger } from "../shared/log";
import type { BatchFetch, WgClient } from "./wg-client";

/** queued: waiting for a fetch slot; fetching: in flight; reported: result sent, awaiting Ack. */
type LeaseState = "queued" | "fetching" | "reported";

interface HeldLease {
  assign: Assign;
  state: LeaseState;
  controller: AbortController;
}

export interface WorkLoopOptions {
  client: WgClient;
  send: (message: AgentMessage) => void;
  logger: Logger;
  /** Assignments the agent takes at once; also the fetch limit until a Config says otherwise. */
  capacity: number;
}

/**
 * The leases of one session: runs their fetches within maxInFlight, reports each outcome, and
 * grants one credit back per finished assignment unless work is paused or winding down.
 */
export class WorkLoop {
  private readonly options: WorkLoopOptions;
  private readonly log: Logger;
  private readonly leases = new Map<number, HeldLease>();
  private readonly queue: number[] = [];
  private fetching = 0;
  private maxInFlight: number;
  private owedCredit = 0;
  private accepting = true;
  /** Why work stopped until the next Config (fatal API error, unusable Config), or null. */
  private configPause: string | null = null;
  private pausedUntilMs = 0;
  private pauseTimer: NodeJS.Timeout | undefined;
  private idleWaiters: (() => void)[] = [];

  constructor(options: WorkLoopOptions) {
    this.options = options;
    this.log = options.logger;
    this.maxInFlight = options.capacity;
  }

  /** Leases not yet reported (queued or fetching). */
  get unreported(): number {
    let count = 0;
    for (const lease of this.leases.values()) if (lease.state !== "reported") count += 1;
    return count;
  }

  setMaxInFlight(maxInFlight: number): void {
    this.maxInFlight = maxInFlight > 0 ? maxInFlight : this.options.capacity;
    this.pump();
  }

  /** Adds credit; it reaches the server at once unless work is paused or winding down. */
  grant(credit: number): void {
    this.owedCredit += credit;
    this.flushCredit();
  }

  pauseUntilConfig(reason: string): void {
    this.configPause = reason;
  }

  /** A usable Config arrived: lift a pause that was waiting for one. */
  resumeWithConfig(): void {
    if (this.configPause !== null) this.log.info({ reason: this.configPause }, "work resumed");
    this.configPause = null;
    this.flushCredit();
  }

  assign(assign: Assign): void {
    const { leaseId } = assign;
    if (this.leases.has(leaseId)) {
      this.log.warn({ leaseId }, "duplicate assignment ignored");
      return;
    }

    const pause = this.pauseReason();
    if (pause !== null) {
      this.sendFailed(leaseId, { reason: pause, returned: true });
      if (this.accepting) this.owedCredit += 1;
      this.log.info({ leaseId, reason: pause }, "lease returned untried");
      return;
    }

    const lease = { assign, state: "queued" as LeaseState, controller: new AbortController() };
    this.leases.set(leaseId, lease);
    this.queue.push(leaseId);
    const batchSize = assign.accountIds.length;
    this.log.debug({ leaseId, realm: assign.realm, batchSize }, "lease assigned");
    this.pump();
  }

  ack(leaseId: number): void {
    const lease = this.leases.get(leaseId);
    if (lease?.state === "reported") this.leases.delete(leaseId);
    this.log.debug({ leaseId }, "lease acknowledged");
  }

  rejected(leaseId: number, code: string, reason: string): void {
    const lease = this.leases.get(leaseId);
    if (lease?.state === "reported") this.leases.delete(leaseId);
    this.log.warn({ leaseId, code, reason }, "result rejected");
  }

  /** Stops the lease's work, sends nothing for it and gives its credit back. */
  revoke(leaseId: number, reason: string): void {
    const lease = this.leases.get(leaseId);
    if (!lease) {
      this.log.debug({ leaseId }, "revoke for a lease not held");
      return;
    }

    this.leases.delete(leaseId);
    this.removeFromQueue(leaseId);
    lease.controller.abort(new Error(`lease revoked: ${reason}`));
    this.log.info({ leaseId, reason }, "lease revoked");
    if (lease.state !== "reported") this.grant(1);
  }

  /** Drain: take no more work and return what has not started; fetches in flight go on. */
  returnQueued(reason: string): void {
    this.accepting = false;
    for (const leaseId of this.queue.splice(0)) {
      this.leases.delete(leaseId);
      this.sendFailed(leaseId, { reason, returned: true });
    }
    this.notifyIdle();
  }

  /** Shutdown: abort every fetch and return every lease not reported yet. */
  returnAll(reason: string): void {
    this.accepting = false;
    this.queue.length = 0;
    for (const [leaseId, lease] of this.leases) {
      if (lease.state === "reported") continue;
      lease.controller.abort(new Error(reason));
      this.sendFailed(leaseId, { reason, returned: true });
    }
    this.forgetAll();
  }

  /** Stream lost: abort everything and send nothing; the server returns the leases itself. */
  abortAll(reason: string): void {
    this.accepting = false;
    this.queue.length = 0;
    for (const lease of this.leases.values()) lease.controller.abort(new Error(reason));
    this.forgetAll();
  }

  /** Resolves when no fetch is queued or running. */
  whenIdle(): Promise<void> {
    if (this.fetching === 0 && this.queue.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private forgetAll(): void {
    this.leases.clear();
    if (this.pauseTimer) clearTimeout(this.pauseTimer);
    this.pauseTimer = undefined;
    this.notifyIdle();
  }

  private pauseReason(): string | null {
    if (!this.accepting) return "agent is winding down";
    if (this.configPause !== null) return `paused until a new Config: ${this.configPause}`;
    if (Date.now() < this.pausedUntilMs) return "paused after METHOD_DISABLED";
    return null;
  }

  private pauseFor(ms: number): void {
    this.pausedUntilMs = Math.max(this.pausedUntilMs, Date.now() + ms);
    if (this.pauseTimer) clearTimeout(this.pauseTimer);
    this.pauseTimer = setTimeout(() => {
      this.pauseTimer = undefined;
      this.flushCredit();
    }, ms);
  }

  private flushCredit(): void {
    if (this.owedCredit === 0 || this.pauseReason() !== null) return;

    const credit = this.owedCredit;
    this.owedCredit = 0;
    this.options.send({ kind: { $case: "want", value: { credit } } });
  }

  private pump(): void {
    while (this.fetching < this.maxInFlight && this.queue.length > 0) {
      const lease = this.leases.get(this.queue.shift() as number);
      if (!lease || lease.state !== "queued") continue;

      lease.state = "fetching";
      this.fetching += 1;
      void this.run(lease);
    }
    this.notifyIdle();
  }

  private async run(lease: HeldLease): Promise<void> {
    const { leaseId, accountIds } = lease.assign;
    let outcome: BatchFetch | undefined;
    try {
      outcome = await this.options.client.fetchBatch(accountIds, lease.controller.signal);
    } catch (err) {
      if (!lease.controller.signal.aborted) this.log.error({ err, leaseId }, "batch fetch crashed");
    } finally {
      this.fetching -= 1;
    }

    // A lease revoked, returned or forgotten meanwhile gets no report.
    if (this.leases.get(leaseId) === lease) {
      outcome ??= crashFailure();
      this.report(lease, outcome);
    }
    this.pump();
  }

  private report(lease: HeldLease, outcome: BatchFetch): void {
    const { leaseId } = lease.assign;

    if (outcome.kind === "fetched") {
      const { fetchedAtMs, players, requests, rateLimited } = outcome;
      const value = { leaseId, fetchedAtMs, players, requests, rateLimited };
      this.options.send({ kind: { $case: "batchResult", value } });
      lease.state = "reported";
      this.log.debug({ leaseId, players: players.length, requests }, "batch result sent");
    } else {
      this.leases.delete(leaseId);
      const { reason, apiError, httpStatus, fatal } = outcome;
      this.sendFailed(leaseId, { reason, apiError, httpStatus, fatal });
      this.log.warn({ leaseId, reason, apiError, httpStatus, fatal }, "batch failed");
      if (fatal) this.pauseFatal(apiError || reason);
      if (outcome.pauseMs > 0) this.pauseFor(outcome.pauseMs);
    }
    this.grant(1);
  }

  private pauseFatal(reason: string): void {
    this.log.error({ reason }, "fatal API error: work paused until a new Config");
    this.pauseUntilConfig(reason);
  }

  private sendFailed(leaseId: number, failure: FailureReport): void {
    const value = {
      leaseId,
      reason: failure.reason,
      apiError: failure.apiError ?? "",
      httpStatus: failure.httpStatus ?? 0,
      fatal: failure.fatal ?? false,
      returned: failure.returned ?? false,
    };
    this.options.send({ kind: { $case: "batchFailed", value } });
  }

  private removeFromQueue(leaseId: number): void {
    const index = this.queue.indexOf(leaseId);
    if (index >= 0) this.queue.splice(index, 1);
  }

  private notifyIdle(): void {
    if (this.fetching > 0 || this.queue.length > 0) return;
    for (const resolve of this.idleWaiters.splice(0)) resolve();
  }
}

/** The fields of a BatchFailed besides the lease id; absent ones are sent as zero values. */
interface FailureReport {
  reason: string;
  apiError?: string;
  httpStatus?: number;
  fatal?: boolean;
  returned?: boolean;
}

function crashFailure(): BatchFetch {
  const fault = { reason: "agent error while fetching", apiError: "", httpStatus: 0 };
  return { kind: "failed", ...fault, fatal: false, pauseMs: 0, requests: 0 };
}
