import type {
  FailedBatch,
  ListFailedBatchesRequest,
  RetryFailedBatchesRequest,
  RetryFailedBatchesResponse,
} from "../../shared/gen/tracker/v1/admin";
import { TrackerError } from "../../shared/errors";
import type { TransactionSql } from "../db/pool";
import type { AdminContext } from "./handlers";
import { targetRound } from "./rounds";

/** Failed batches one ListFailedBatches returns at most. @default 100 when the request says 0 */
const MAX_LIST_FAILED = 10_000;
/** Batch ids one RetryFailedBatches takes at most. */
const MAX_RETRY_IDS = 10_000;
const UNIQUE_VIOLATION = "23505";

async function listFailedBatches(req: ListFailedBatchesRequest, ctx: AdminContext) {
  if (req.limit > MAX_LIST_FAILED) {
    throw new TrackerError("INVALID_ARGUMENT", `limit must be at most ${MAX_LIST_FAILED}`);
  }
  const round = await targetRound(req.roundId, ctx);
  const rows = await ctx.sql`
    SELECT b.id, b.round_id, m.platform, b.first_id, b.last_id, b.attempts, b.last_error
      FROM batches b JOIN realms m ON m.id = b.realm_id
     WHERE b.round_id = ${round.id} AND b.state = 'failed'
     ORDER BY b.id
     LIMIT ${req.limit || 100}`;
  const batches: FailedBatch[] = rows.map((r) => ({
    batchId: Number(r.id),
    roundId: Number(r.round_id),
    realm: r.platform,
    firstId: Number(r.first_id),
    lastId: Number(r.last_id),
    attempts: Number(r.attempts),
    lastError: r.last_error ?? "",
  }));
  return { batches };
}

/**
 * Puts failed batches back to pending with their attempts reset. A round that had finished is
 * reopened (running again) so that they are leased; that needs no other round to be active.
 */
async function retryFailedBatches(
  req: RetryFailedBatchesRequest,
  ctx: AdminContext,
): Promise<RetryFailedBatchesResponse> {
  const ids = checkRetryRequest(req);
  const roundId = req.all ? (await targetRound(0, ctx)).id : await roundOfBatches(ids, ctx);

  const retried = await ctx.sql
    .begin(async (tx) => {
      const state = await lockRound(tx, roundId);
      const rows = await tx`
        UPDATE batches SET state = 'pending', attempts = 0
         WHERE round_id = ${roundId} AND state = 'failed'
           AND ${req.all ? tx`true` : tx`id = ANY(${ids}::bigint[])`}
        RETURNING id`;
      if (rows.length > 0 && state === "done") {
        await tx`UPDATE rounds SET state = 'running', finished_at = NULL WHERE id = ${roundId}`;
      }
      return rows.length;
    })
    .catch((err: unknown) => {
      if ((err as { code?: string }).code !== UNIQUE_VIOLATION) throw err;
      throw new TrackerError(
        "ROUND_CONFLICT",
        `round ${roundId} cannot reopen while another round is running or paused`,
      );
    });

  ctx.log.info({ roundId, retried }, "failed batches retried");
  ctx.hub.wake();
  return { retried };
}

function checkRetryRequest(req: RetryFailedBatchesRequest): number[] {
  if (req.all === req.batchIds.length > 0) {
    throw new TrackerError(
      "INVALID_ARGUMENT",
      "give either batch_ids or all: true, not both nor neither",
    );
  }
  if (req.batchIds.length > MAX_RETRY_IDS) {
    throw new TrackerError("INVALID_ARGUMENT", `at most ${MAX_RETRY_IDS} batch_ids per call`);
  }
  if (req.batchIds.some((id) => !(id > 0))) {
    throw new TrackerError("INVALID_ARGUMENT", "batch_ids must be positive");
  }
  return [...new Set(req.batchIds)];
}

/** The one round the named batches belong to; every one must exist and be failed. */
async function roundOfBatches(ids: number[], ctx: AdminContext): Promise<number> {
  const rows = await ctx.sql`
    SELECT id, round_id, state FROM batches WHERE id = ANY(${ids}::bigint[])`;
  const found = new Set(rows.map((r) => Number(r.id)));
  const missing = ids.filter((id) => !found.has(id));
  if (missing.length > 0) {
    throw new TrackerError("NOT_FOUND", `no batch ${missing.slice(0, 10).join(", ")}`);
  }
  const notFailed = rows.filter((r) => r.state !== "failed");
  if (notFailed.length > 0) {
    const list = notFailed.slice(0, 10).map((r) => `${r.id} is ${r.state}`);
    throw new TrackerError(
      "FAILED_PRECONDITION",
      `only failed batches can be retried: ${list.join(", ")}`,
    );
  }
  const rounds = new Set(rows.map((r) => Number(r.round_id)));
  if (rounds.size > 1) {
    throw new TrackerError(
      "INVALID_ARGUMENT",
      `batch_ids span rounds ${[...rounds].join(", ")}; retry one round at a time`,
    );
  }
  return [...rounds][0];
}

/** Locks the round against concurrent transitions; a cancelled round cannot be retried. */
async function lockRound(tx: TransactionSql, roundId: number): Promise<string> {
  const [round] = await tx`SELECT state FROM rounds WHERE id = ${roundId} FOR UPDATE`;
  if (round.state === "cancelled") {
    throw new TrackerError(
      "ROUND_CONFLICT",
      `round ${roundId} was cancelled; start a new round instead`,
    );
  }
  return String(round.state);
}

export const failedBatchCalls = { listFailedBatches, retryFailedBatches };
