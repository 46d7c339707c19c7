import type { TransactionSql } from "../db/pool";
import type { AcceptedResult } from "./types";

/**
 * Marks done every batch whose lease is still the one the result was made under, and returns
 * the leases that transitioned. The row lock this takes is what makes a duplicate or a stale
 * result apply nothing: a second flush of the same lease waits here, then finds state 'done'.
 */
export async function markBatchesDone(
  tx: TransactionSql,
  results: AcceptedResult[],
): Promise<Set<number>> {
  // Lock in id order, so that two coordinators flushing overlapping batches cannot deadlock.
  const sorted = [...results].sort((a, b) => a.batchId - b.batchId);
  const rows = await tx`
    UPDATE batches b
       SET state = 'done', done_at = now(), players_found = v.players_found
      FROM unnest(${sorted.map((r) => r.batchId)}::bigint[],
                  ${sorted.map((r) => r.leaseId)}::bigint[],
                  ${sorted.map((r) => r.players.length)}::int[])
           AS v (id, lease_id, players_found)
     WHERE b.id = v.id AND b.lease_id = v.lease_id AND b.state = 'leased'
    RETURNING b.lease_id`;
  return new Set(rows.map((row) => row.lease_id as number));
}

/**
 * Of leases that did not transition, those whose batch is already done under the same lease:
 * a duplicate, or a retry after a commit whose answer was lost with the connection.
 */
export async function leasesAlreadyDone(
  tx: TransactionSql,
  leaseIds: number[],
): Promise<Set<number>> {
  if (leaseIds.length === 0) return new Set();
  const rows = await tx`
    SELECT lease_id FROM batches WHERE lease_id = ANY(${leaseIds}::bigint[]) AND state = 'done'`;
  return new Set(rows.map((row) => row.lease_id as number));
}

/** Adds each agent's newly done batches to agents.batches_done. */
export async function countAgentBatches(
  tx: TransactionSql,
  done: AcceptedResult[],
): Promise<void> {
  const perAgent = new Map<string, number>();
  for (const result of done) perAgent.set(result.agentId, (perAgent.get(result.agentId) ?? 0) + 1);
  if (perAgent.size === 0) return;
  const agents = [...perAgent.keys()].sort();
  await tx`
    UPDATE agents a
       SET batches_done = a.batches_done + v.done
      FROM unnest(${agents}::text[], ${agents.map((id) => perAgent.get(id)!)}::bigint[])
           AS v (id, done)
     WHERE a.id = v.id`;
}
