import type { Round } from "../../shared/gen/tracker/v1/admin";
import type {
  ListRoundsRequest,
  RoundRequest,
  StartRoundRequest,
} from "../../shared/gen/tracker/v1/admin";
import { TrackerError } from "../../shared/errors";
import { ensurePartitions } from "../db/partitions";
import { isStatDay, planRound, RoundConflictError, yesterdayUtc } from "../scheduler/plan-round";
import type { AdminContext } from "./handlers";
import { currentRound, loadRounds } from "./round-view";

async function startRound(req: StartRoundRequest, ctx: AdminContext): Promise<Round> {
  const statDay = req.statDay || yesterdayUtc();
  if (!isStatDay(statDay)) {
    throw new TrackerError("INVALID_ARGUMENT", `stat_day "${req.statDay}" is not a date written YYYY-MM-DD`);
  }
  await ensurePartitions(ctx.sql, statDay);
  try {
    const planned = await planRound(ctx.sql, statDay, ctx.config.batchSize);
    ctx.log.info({ roundId: planned.roundId, statDay, batches: planned.batchesTotal }, "round started");
  } catch (err) {
    if (err instanceof RoundConflictError) throw new TrackerError("ROUND_CONFLICT", err.message);
    throw err;
  }
  ctx.hub.wake();
  return (await currentRound(ctx.sql)) as Round;
}

/** Moves the given (or current) round from one state to another. */
async function transition(
  req: RoundRequest,
  ctx: AdminContext,
  from: string[],
  to: string,
): Promise<Round> {
  const target = req.roundId ? await loadRounds(ctx.sql, { id: req.roundId, limit: 1 }) : [await currentRound(ctx.sql)];
  const round = target[0];
  if (!round) throw new TrackerError("NOT_FOUND", req.roundId ? `round ${req.roundId} does not exist` : "no round has run yet");
  if (!from.includes(round.state)) {
    throw new TrackerError("ROUND_CONFLICT", `round ${round.id} is ${round.state}; only a ${from.join(" or ")} round can become ${to}`);
  }
  await ctx.sql`
    UPDATE rounds SET state = ${to},
           finished_at = CASE WHEN ${to} = 'cancelled' THEN now() ELSE finished_at END
     WHERE id = ${round.id} AND state = ANY(${from})`;
  if (to === "cancelled") {
    // Leases of a cancelled round are taken back; agents' results for them will be refused.
    const leases = await ctx.sql`
      UPDATE batches SET state = 'pending', lease_id = NULL, agent_id = NULL, lease_expires = NULL
       WHERE round_id = ${round.id} AND state = 'leased'
      RETURNING lease_id`;
    void leases;
  }
  ctx.hub.wake();
  const [after] = await loadRounds(ctx.sql, { id: round.id, limit: 1 });
  return after;
}

export const roundCalls = {
  startRound,
  pauseRound: (req: RoundRequest, ctx: AdminContext) => transition(req, ctx, ["running"], "paused"),
  resumeRound: (req: RoundRequest, ctx: AdminContext) => transition(req, ctx, ["paused"], "running"),
  cancelRound: (req: RoundRequest, ctx: AdminContext) => transition(req, ctx, ["running", "paused"], "cancelled"),
  listRounds: async (req: ListRoundsRequest, ctx: AdminContext) => ({
    rounds: await loadRounds(ctx.sql, { limit: Math.min(req.limit || 20, 500) }),
  }),
};
