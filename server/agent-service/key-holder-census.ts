import { randomBytes } from "node:crypto";
import type { Sql } from "../db/pool";
import type { Logger } from "../../shared/log";
import { PeriodicTask } from "../periodic-task";

/** How often a coordinator publishes its holders and reads the others'. */
export const CENSUS_PERIOD_MS = 2_000;
/** A coordinator not heard from for this long counts no more (it stopped or died). */
export const CENSUS_STALE_MS = 10_000;

/** The part of KeyShares the census feeds. */
export interface CensusTarget {
  /** Holders per budget name on this coordinator. */
  localCounts(): Map<string, number>;
  /** Holders per budget name on the other live coordinators. */
  setRemoteCounts(counts: Map<string, number>): void;
}

/**
 * Publishes this coordinator's holders per key budget to key_holders and hands KeyShares the
 * sum of the other live coordinators', so that a key's budget is split among every agent that
 * holds it, whichever coordinator it is connected to. Between two census steps a join on one
 * coordinator is not yet seen by the other: for up to CENSUS_PERIOD_MS the key can be asked for
 * a little more than its budget, which the AIMD cut answers like any refusal.
 */
export class KeyHolderCensus {
  readonly coordinator = randomBytes(8).toString("hex");
  private readonly task: PeriodicTask;

  constructor(
    private readonly sql: Sql,
    private readonly target: CensusTarget,
    private readonly log: Logger,
    periodMs = CENSUS_PERIOD_MS,
  ) {
    this.task = new PeriodicTask(periodMs, () => this.step());
  }

  start(): void {
    this.task.start();
  }

  /** Stops, and removes this coordinator's rows so the others count its agents out at once. */
  async stop(): Promise<void> {
    await this.task.stop();
    await this.sql`DELETE FROM key_holders WHERE coordinator = ${this.coordinator}`.catch(
      () => undefined,
    );
  }

  /** One publish and read; exported for tests. */
  async step(): Promise<void> {
    try {
      const local = this.target.localCounts();
      const budgets = [...local.keys()];
      const remote = await this.sql.begin(async (tx) => {
        await tx`
          DELETE FROM key_holders
           WHERE coordinator = ${this.coordinator} AND NOT (budget = ANY(${budgets}::text[]))`;
        await tx`
          INSERT INTO key_holders (coordinator, budget, holders, seen_at)
          SELECT ${this.coordinator}, b, h, now()
            FROM unnest(${budgets}::text[], ${budgets.map((b) => local.get(b)!)}::int[]) AS u (b, h)
          ON CONFLICT (coordinator, budget) DO UPDATE SET holders = excluded.holders,
                                                          seen_at = excluded.seen_at`;
        return tx`
          SELECT budget, sum(holders)::int AS holders FROM key_holders
           WHERE coordinator <> ${this.coordinator}
             AND seen_at > now() - ${CENSUS_STALE_MS} * interval '1 millisecond'
           GROUP BY budget`;
      });
      const counts = remote.map((r) => [r.budget as string, r.holders as number] as const);
      this.target.setRemoteCounts(new Map(counts));
    } catch (err) {
      // The shares stay as the last census left them; the next step tries again.
      this.log.warn({ err }, "key holder census failed");
    }
  }
}
