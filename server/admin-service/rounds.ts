import type {
  ListRoundsRequest,
  Round,
  RoundRequest,
  StartRoundRequest,
} from "../../shared/gen/tracker/v1/admin";
import { TrackerError } from "../../shared/errors";
import { isStatDay, yesterdayUtc } from "../scheduler/plan-round";
import type { AdminContext } from "./handlers";
import { currentRound, loadRound, loadRounds } from "./round-view";
import { startRoundFor } from "./start-round";

/** Rounds ListRounds returns at most. @default 20 when the request says 0 */
const MAX_LIST_ROUNDS = 500;

/** Stat days before this year are typos: no console account is that old. */
const FIRST_YEAR = 2000;

async function startRound(req: StartRoundRequest, ctx: AdminContext): Promise<Round> {
  const statDay = req.statDay || yesterdayUtc();
  checkStatDay(statDay);
  if (statDay > new Date().toISOString().slice(0, 10)) {
    throw new TrackerError("INVALID_ARGUMENT", `stat_day ${statDay} is in the future (UTC)`);
  }
  const planned = await startRoundFor(ctx, statDay, "admin");
  return (await loadRound(ctx.sql, planned.roundId))!;
}

/** A stat day written YYYY-MM-DD, from 2000 to 2100, or INVALID_ARGUMENT. */
export function checkStatDay(statDay: string): void {
  if (!isStatDay(statDay)) {
    throw new TrackerError(
      "INVALID_ARGUMENT",
      `stat_day "${statDay}" is not a date written YYYY-MM-DD`,
    );
  }
  const year = Number(statDay.slice(0, 4));
  if (year < FIRST_YEAR || year > 2100) {
    throw new TrackerError("INVALID_ARGUMENT", `stat_day ${statDay} is outside ${FIRST_YEAR}-2100`);
  }
}

/** The round a request names, or the current one when it names none; NOT_FOUND otherwise. */
export async function targetRound(roundId: number, ctx: AdminContext): Promise<Round> {
  if (roundId < 0)
    throw new TrackerError(
      "INVALID_ARGUMENT",
      "round_id must be positive, or 0 for the current round",
    );
  const round = roundId ? await loadRound(ctx.sql, roundId) : await currentRound(ctx.sql);
  if (!round) {
    throw new TrackerError(
      "NOT_FOUND",
      roundId ? `round ${roundId} does not exist` : "no round has run yet",
    );
  }
  return round;
}

/** Moves the given (or current) round from one of `from` to `to`. */
async function transition(
  req: RoundRequest,
  ctx: AdminContext,
  from: string[],
  to: string,
): Promise<Round> {
  const round = await targetRound(req.roundId, ctx);
  const refuse = (state: string) =>
    new TrackerError(
      "ROUND_CONFLICT",
      `round ${round.id} is ${state}; only a ${from.join(" or ")} round can become ${to}`,
    );
  if (!from.includes(round.state)) throw refuse(round.state);

  const updated = await ctx.sql`
    UPDATE rounds SET state = ${to},
           finished_at = CASE WHEN ${to} = 'cancelled' THEN now() ELSE finished_at END
     WHERE id = ${round.id} AND state = ANY(${from})
    RETURNING id`;
  // Another coordinator (or the lease clock finishing it) changed it since we read it.
  if (updated.length === 0) throw refuse((await loadRound(ctx.sql, round.id))!.state);

  if (to === "cancelled") await takeBackLeases(round.id, ctx);
  ctx.hub.wake();
  return (await loadRound(ctx.sql, round.id))!;
}

/** Leases of a cancelled round go back to pending, and their agents are told to stop. */
async function takeBackLeases(roundId: number, ctx: AdminContext): Promise<void> {
  const leases = await ctx.sql`
    WITH taken AS (
      SELECT id, lease_id, agent_id FROM batches
       WHERE round_id = ${roundId} AND state = 'leased' FOR UPDATE)
    UPDATE batches b
       SET state = 'pending', lease_id = NULL, agent_id = NULL, lease_expires = NULL,
           last_error = 'round cancelled'
      FROM taken t WHERE b.id = t.id
    RETURNING t.lease_id, t.agent_id`;
  const revoked = leases.map((l) => ({ leaseId: Number(l.lease_id), agentId: String(l.agent_id) }));
  ctx.hub.revoke(revoked, "round cancelled");
}

async function listRounds(req: ListRoundsRequest, ctx: AdminContext) {
  if (req.limit > MAX_LIST_ROUNDS) {
    throw new TrackerError("INVALID_ARGUMENT", `limit must be at most ${MAX_LIST_ROUNDS}`);
  }
  return { rounds: await loadRounds(ctx.sql, { limit: req.limit || 20 }) };
}

export const roundCalls = {
  startRound,
  pauseRound: (req: RoundRequest, ctx: AdminContext) => transition(req, ctx, ["running"], "paused"),
  resumeRound: (req: RoundRequest, ctx: AdminContext) =>
    transition(req, ctx, ["paused"], "running"),
  cancelRound: (req: RoundRequest, ctx: AdminContext) =>
    transition(req, ctx, ["running", "paused"], "cancelled"),
  listRounds,
};
