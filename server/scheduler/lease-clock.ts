import type { Sql } from "postgres";
import type { Logger } from "../../shared/log";
import { expireLeases, finishRounds } from "./expire-leases";
import { PeriodicTask } from "../periodic-task";

export interface LeaseClockHooks {
  /** Leases taken back from agents that may still be working on them. */
  onExpired(leases: { leaseId: number; agentId: string }[]): void;
  onRoundFinished(round: { roundId: number; statDay: string }): void;
}

/**
 * Runs the periodic bookkeeping: expired leases return to the pool, rounds with nothing left
 * to do are marked done. A tick that fails (database away) is logged and tried next period.
 */
export class LeaseClock {
  private failing = false;
  private periodic: PeriodicTask | null = null;

  constructor(
    private readonly sql: Sql,
    private readonly periodMs: number,
    private readonly maxAttempts: number,
    private readonly hooks: LeaseClockHooks,
    private readonly log: Logger,
  ) {}

  start(): void {
    this.periodic ??= new PeriodicTask(this.periodMs, () => this.tick());
    this.periodic.start();
  }

  async tick(): Promise<void> {
    try {
      const expired = await expireLeases(this.sql, this.maxAttempts);
      for (const lease of expired) {
        this.log.warn({ leaseId: lease.leaseId, agentId: lease.agentId, batchId: lease.batchId, state: lease.state }, "lease expired");
      }
      if (expired.length > 0) this.hooks.onExpired(expired);

      for (const round of await finishRounds(this.sql)) {
        this.log.info({ roundId: round.roundId, statDay: round.statDay }, "round finished");
        this.hooks.onRoundFinished(round);
      }
      if (this.failing) this.log.info("lease clock recovered");
      this.failing = false;
    } catch (err) {
      if (!this.failing) this.log.warn({ err }, "lease clock tick failed");
      this.failing = true;
    }
  }

  async stop(): Promise<void> {
    await this.periodic?.stop();
  }
}
