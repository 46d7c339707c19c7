import type { Sql } from "postgres";
import type { Logger } from "../../shared/log";
import type { ServerConfig } from "../config";
import type { HubMetrics } from "../metrics/hooks";
import { leaseBatchesToMany, releaseLeases, type Lease } from "../scheduler/lease-batches";
import type { AgentSession } from "./session";

/**
 * Sessions served by one lease query; groups keep the ingest-behind check between grants and
 * each transaction short. Measured with `make bench BENCH_ARGS="--only scale"` (1,000 light
 * agents, 20,000 batches, 2 cores): one query per session gave assignment p50 1,846 ms, round
 * 158 s (load 8, shared with a test run); one query per 100 sessions p50 35 ms, p99 473 ms
 * (each agent's first wait, asked before the round, apart), round 52 s (load 2).
 */
const SESSIONS_PER_LEASE_QUERY = 100;
/**
 * Lease queries running at once. With one at a time a Want that came during a query waited
 * for it and then for its own, and the agents that finish together each second (they started
 * together) waited for every group ahead of theirs; SKIP LOCKED keeps concurrent queries off
 * each other's batches. Four leave the pool's other connections to ingest and admin. Same
 * bench, with the key-share and lease query changes of the same day (two runs, load 3 to 4):
 * p50 8 and 11 ms, p99 65 and 135 ms, the tail in the round's first seconds, while the agents
 * that started together still finish together; from the fifth second on p99 was 30 to 51 ms.
 */
const LEASE_QUERIES_AT_ONCE = 4;
/** Lease queries in a row that found no batch before the dispatcher waits for IDLE_POLL_MS. */
const EMPTY_LEASES_BEFORE_IDLE = 3;
/** How often the dispatcher looks again for work when it found none. */
const IDLE_POLL_MS = 500;

export interface DispatcherDeps {
  sql: Sql;
  config: ServerConfig;
  /** True while ingest is behind: no grants. */
  isBehind(): boolean;
  metrics(): HubMetrics;
  log: Logger;
}

/**
 * Hands pending batches to the sessions with credit. A wake runs one pass at the end of the
 * event loop's turn, however many events asked for it; the pass starts lease queries for the
 * sessions that have credit and no query under way, oldest ask first, up to
 * LEASE_QUERIES_AT_ONCE, in groups of SESSIONS_PER_LEASE_QUERY. A query that granted something
 * wakes it again for whoever asked meanwhile; EMPTY_LEASES_BEFORE_IDLE that found nothing in a
 * row pause it for IDLE_POLL_MS.
 */
export class Dispatcher {
  /**
   * Sessions with credit, oldest ask first. A pass reads only these: with a thousand sessions
   * a scan of all of them on every Want was 8 % of the coordinator's CPU in the scale bench.
   */
  private readonly wanting = new Set<AgentSession>();
  /** Sessions in a lease query now: a second query must not spend the same credit. */
  private readonly leasing = new Set<AgentSession>();
  private inFlight = 0;
  private emptyInRow = 0;
  private passQueued = false;
  private idleTimer: NodeJS.Timeout | null = null;
  private stopped = false;

  constructor(private readonly deps: DispatcherDeps) {}

  /** A session's credit grew: it joins the queue and a pass looks for work. */
  want(session: AgentSession): void {
    if (session.credit > 0 && !session.closed) this.wanting.add(session);
    this.wake();
  }

  /** Asks for a pass: new batches, returned leases or sessions that can take work again. */
  wake(): void {
    if (this.passQueued || this.stopped) return;
    this.passQueued = true;
    setImmediate(() => {
      this.passQueued = false;
      this.pass();
    });
  }

  private pass(): void {
    if (this.stopped) return;
    if (this.deps.isBehind()) return this.pollLater();

    const ready: AgentSession[] = [];
    let waiting = false;
    for (const session of this.wanting) {
      if (session.closed || session.credit <= 0) {
        this.wanting.delete(session);
        continue;
      }
      if (this.leasing.has(session)) continue;
      // Credit asked before the agent's Config (its key share) or while it reads slowly: later.
      if (!session.config || session.writeBlocked) waiting = true;
      else ready.push(session);
    }
    for (let at = 0; at < ready.length; at += SESSIONS_PER_LEASE_QUERY) {
      // The rest is taken by the pass that follows a query's end.
      if (this.inFlight >= LEASE_QUERIES_AT_ONCE) break;
      this.leaseFor(ready.slice(at, at + SESSIONS_PER_LEASE_QUERY));
    }
    if (waiting) this.pollLater();
  }

  stop(): void {
    this.stopped = true;
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = null;
  }

  private leaseFor(group: AgentSession[]): void {
    this.inFlight += 1;
    for (const session of group) this.leasing.add(session);

    void this.grant(group)
      .then(
        (granted) => {
          if (granted >= 0) this.emptyInRow = granted > 0 ? 0 : this.emptyInRow + 1;
          return granted;
        },
        (err: unknown) => {
          this.deps.log.warn({ err }, "leasing failed");
          return -1;
        },
      )
      .then((granted) => {
        this.inFlight -= 1;
        for (const session of group) {
          this.leasing.delete(session);
          // A batch under verification is kept from the agents that fetched it: those left
          // without work go to the back, so the next query asks others first.
          this.wanting.delete(session);
          if (session.credit > 0 && !session.closed) this.wanting.add(session);
        }
        if (granted < 0 || this.emptyInRow >= EMPTY_LEASES_BEFORE_IDLE) this.pollLater();
        else this.wake();
      });
  }

  /** One lease query for a group; returns how many batches it assigned, -1 for none tried. */
  private async grant(group: AgentSession[]): Promise<number> {
    // Ingest may have fallen behind since the wake: no grant past that moment.
    if (this.deps.isBehind()) return -1;
    const open = group.filter((s) => !s.closed);
    const { ttlMs } = this.deps.config.lease;
    const { waitMs } = this.deps.config.verify;
    const wants = open.map((s) => ({ agentId: s.agentId, n: s.credit }));
    const leases = await leaseBatchesToMany(this.deps.sql, wants, ttlMs, waitMs);

    let granted = 0;
    for (const [i, session] of open.entries()) {
      if (session.closed) {
        const ids = leases[i].map((l) => l.leaseId);
        await releaseLeases(this.deps.sql, ids, "agent disconnected", false);
        continue;
      }
      for (const lease of leases[i]) this.assign(session, lease);
      granted += leases[i].length;
    }
    return granted;
  }

  private assign(session: AgentSession, lease: Lease): void {
    session.credit -= 1;
    this.deps.metrics().creditGranted(1);
    session.leases.set(lease.leaseId, { ...lease, ids: new Set(lease.accountIds) });
    session.send({
      kind: {
        $case: "assign",
        value: {
          leaseId: lease.leaseId,
          roundId: lease.roundId,
          realm: lease.platform,
          accountIds: lease.accountIds,
          leaseDeadlineMs: lease.deadlineMs,
        },
      },
    });
    session.log.debug({ leaseId: lease.leaseId, batchId: lease.batchId }, "lease granted");
  }

  private pollLater(): void {
    if (this.idleTimer || this.stopped) return;
    this.idleTimer = setTimeout(() => {
      this.idleTimer = null;
      this.wake();
    }, IDLE_POLL_MS);
  }
}
