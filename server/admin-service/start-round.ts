import type { Sql } from "postgres";
import { TrackerError } from "../../shared/errors";
import type { Logger } from "../../shared/log";
import { ensurePartitions } from "../db/partitions";
import { planRound, RoundConflictError, type PlannedRound } from "../scheduler/plan-round";

/** What starting a round needs, from the admin service or the daily schedule. */
export interface RoundStarterDeps {
  sql: Sql;
  config: { batchSize: number };
  hub: { wake(): void };
  log: Logger;
}

/**
 * Plans a round for statDay and wakes the dispatcher. Throws ROUND_CONFLICT while another round
 * is running or paused (the rounds_one_active index decides between coordinators), and
 * FAILED_PRECONDITION when no realm is enabled (the round would have nothing to do).
 */
export async function startRoundFor(
  deps: RoundStarterDeps,
  statDay: string,
  startedBy: "admin" | "schedule",
): Promise<PlannedRound> {
  const [{ n }] = await deps.sql`SELECT count(*)::int AS n FROM realms WHERE enabled`;
  if (n === 0) {
    throw new TrackerError("FAILED_PRECONDITION", "no realm is enabled; enable one with SetRealm");
  }
  // Diffs are taken against the players' latest totals, so a round can only measure a day after
  // the last one measured; re-measuring an earlier day would count later battles in it.
  const [latest] = await deps.sql`
    SELECT stat_day::text AS d FROM rounds
     WHERE state <> 'cancelled' AND stat_day >= ${statDay}
     ORDER BY stat_day DESC LIMIT 1`;
  if (latest) {
    throw new TrackerError(
      "FAILED_PRECONDITION",
      `stat day ${latest.d} is already measured; a new round must measure a later day than ${latest.d}`,
    );
  }
  await ensurePartitions(deps.sql, statDay);

  let planned: PlannedRound;
  try {
    planned = await planRound(deps.sql, statDay, deps.config.batchSize);
  } catch (err) {
    if (err instanceof RoundConflictError) throw new TrackerError("ROUND_CONFLICT", err.message);
    throw err;
  }
  deps.log.info(
    { roundId: planned.roundId, statDay, batches: planned.batchesTotal, startedBy },
    "round started",
  );
  deps.hub.wake();
  return planned;
}
