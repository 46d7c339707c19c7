import type { Status, WatchStatusRequest } from "../../shared/gen/tracker/v1/admin";
import { sleep } from "../../shared/backoff";
import { VERSION } from "../../shared/version";
import type { AdminContext } from "./handlers";
import { currentRound } from "./round-view";

export async function buildStatus(ctx: AdminContext): Promise<Status> {
  let round;
  let databaseReachable = true;
  try {
    round = await currentRound(ctx.sql);
  } catch {
    databaseReachable = false;
  }
  const hub = ctx.hub;
  const batchesPerSecond = hub.batchesDone.perSecond();
  const left = round && round.state === "running" ? round.batchesPending + round.batchesLeased : 0;
  return {
    round,
    ingestBacklogRows: ctx.ingest.backlogRows,
    ingestBehind: ctx.ingest.isBehind,
    agentsConnected: hub.sessions.size,
    requestsPerSecond: hub.apiRequests.perSecond(),
    batchesPerSecond,
    etaSeconds: left > 0 && batchesPerSecond > 0 ? left / batchesPerSecond : 0,
    databaseReachable,
    apiKeysEnabled: hub.keyShares.enabledKeys,
    serverVersion: VERSION,
  };
}

/** WatchStatus sends at least one status, then one per interval, until the caller leaves. */
async function watchStatus(
  req: WatchStatusRequest,
  ctx: AdminContext,
  write: (m: unknown) => boolean,
  cancelled: AbortSignal,
): Promise<void> {
  const intervalMs = Math.min(Math.max(req.intervalSeconds || 5, 1), 3600) * 1000;
  while (!cancelled.aborted) {
    write(await buildStatus(ctx));
    await sleep(intervalMs, cancelled).catch(() => undefined);
  }
}

export const statusCalls = {
  unary: { getStatus: (_req: never, ctx: AdminContext) => buildStatus(ctx) },
  streams: { watchStatus },
};
