import type { Round, Status, WatchStatusRequest } from "../../shared/gen/tracker/v1/admin";
import { sleep } from "../../shared/backoff";
import { TrackerError } from "../../shared/errors";
import { VERSION } from "../../shared/version";
import type { AdminContext } from "./handlers";
import { currentRound } from "./round-view";
import { verificationStatus, type VerificationStatus } from "../verification/verification-status";

/** Window of the progress rates: batches done and API requests over the last minute. */
const RATE_WINDOW_S = 60;
/** WatchStatus interval bounds and default. */
const WATCH_DEFAULT_S = 5;
const WATCH_MAX_S = 3600;

export async function buildStatus(ctx: AdminContext): Promise<Status> {
  let round: Round | undefined;
  let batchesPerSecond = 0;
  let databaseReachable = ctx.probe.reachable;
  let verification: VerificationStatus = NO_VERIFICATION;
  if (databaseReachable) {
    try {
      round = await currentRound(ctx.sql);
      if (round?.state === "running") batchesPerSecond = await batchRate(ctx, round.id);
      verification = await verificationStatus(ctx.sql, round ? round.id : null);
    } catch {
      databaseReachable = false;
    }
  }
  const left = round?.state === "running" ? round.batchesPending + round.batchesLeased : 0;
  return {
    round,
    ingestBacklogRows: ctx.ingest.backlogRows,
    ingestBehind: ctx.ingest.isBehind,
    agentsConnected: ctx.hub.sessions.size,
    // LIMITATION: the status's requests per second counts the API requests of batches delivered
    // to this coordinator; requests spent on failed batches are not reported by agents.
    requestsPerSecond: ctx.hub.apiRequests.perSecond(),
    batchesPerSecond,
    etaSeconds: left > 0 && batchesPerSecond > 0 ? Math.round(left / batchesPerSecond) : 0,
    databaseReachable,
    apiKeysEnabled: ctx.hub.keyShares.enabledKeys,
    serverVersion: VERSION,
    verificationShare: ctx.config.verify.share,
    ...verification,
  };
}

const NO_VERIFICATION: VerificationStatus = {
  verificationRate: 0,
  batchesVerified: 0,
  verificationDisagreements: 0,
  batchesAwaitingVerification: 0,
  flaggedAgents: [],
};

/**
 * Batches of the round done per second over the last minute, read from the database so that
 * the rate counts the work of every coordinator. A round younger than a minute is measured
 * over its age, so its first rate is not diluted by the time before it started.
 */
async function batchRate(ctx: AdminContext, roundId: number): Promise<number> {
  const [row] = await ctx.sql`
    SELECT count(*) FILTER (WHERE b.done_at > now() - ${RATE_WINDOW_S} * interval '1 second') AS n,
           least(${RATE_WINDOW_S}, greatest(1, extract(epoch FROM now() - r.created_at))) AS span_s
      FROM rounds r LEFT JOIN batches b ON b.round_id = r.id AND b.state = 'done'
     WHERE r.id = ${roundId}
     GROUP BY r.created_at`;
  return row ? Number(row.n) / Number(row.span_s) : 0;
}

/** WatchStatus sends a status at once, then one per interval, until the caller leaves. */
async function watchStatus(
  req: WatchStatusRequest,
  ctx: AdminContext,
  write: (m: unknown) => boolean,
  cancelled: AbortSignal,
): Promise<void> {
  if (req.intervalSeconds > WATCH_MAX_S) {
    throw new TrackerError("INVALID_ARGUMENT", `interval_seconds must be at most ${WATCH_MAX_S}`);
  }
  const intervalMs = (req.intervalSeconds || WATCH_DEFAULT_S) * 1000;
  while (!cancelled.aborted) {
    write(await buildStatus(ctx));
    await sleep(intervalMs, cancelled).catch(() => undefined);
  }
}

export const statusCalls = {
  unary: { getStatus: (_req: never, ctx: AdminContext) => buildStatus(ctx) },
  streams: { watchStatus },
};
