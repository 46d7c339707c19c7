import type postgres from "postgres";
import type { Player } from "../../shared/gen/tracker/v1/agent";
import type { TransactionSql } from "../db/pool";
import type { AcceptedResult } from "../ingest/types";
import type { FetchedBatch } from "./compare-results";
import { decide, type Decision } from "./decide";

export interface VerificationOptions {
  /** Share of first results held for a second fetch. @default 0 */
  share?: number;
  /** Draws in [0, 1); tests replace it. @default Math.random */
  random?: () => number;
}

/**
 * Runs inside the merge transaction, before any batch is marked done. Of the results whose
 * lease is still current: a sampled first result, or a fetch that does not settle its batch,
 * is stored in verification_results and its batch goes back to 'pending' for another agent;
 * it is not merged. A fetch that settles its batch is recorded in verifications (flagging the
 * agents it proved wrong) and left to the merge, so each batch is merged once, by the fetch
 * that decided it. Returns the leases held now.
 */
export async function holdForVerification(
  tx: TransactionSql,
  results: AcceptedResult[],
  options: VerificationOptions = {},
): Promise<Set<number>> {
  const held = new Set<number>();
  if (results.length === 0) return held;
  const share = options.share ?? 0;
  const random = options.random ?? Math.random;
  const sampled = share > 0 ? results.filter(() => random() < share).map((r) => r.batchId) : [];

  // Locked in id order, like markBatchesDone, so two coordinators cannot deadlock.
  const rows = await tx`
    SELECT id, lease_id, verify_stage FROM batches
     WHERE id = ANY(${results.map((r) => r.batchId)}::bigint[]) AND state = 'leased'
       AND (verify_stage > 0 OR id = ANY(${sampled}::bigint[]))
     ORDER BY id
       FOR UPDATE`;

  for (const row of rows) {
    const result = results.find((r) => r.batchId === row.id && r.leaseId === row.lease_id);
    if (!result) continue;

    if (row.verify_stage === 0) {
      await hold(tx, result, 1);
      held.add(result.leaseId);
      continue;
    }
    const decision = decide(await heldFetches(tx, result.batchId), fetchOf(result));
    if (decision.kind === "hold") {
      await hold(tx, result, 2);
      held.add(result.leaseId);
    } else {
      await settle(tx, result, decision);
    }
  }
  return held;
}

/** Of leases that were not current, those already held: the retry of a flush that committed. */
export async function leasesAlreadyHeld(
  tx: TransactionSql,
  leaseIds: number[],
): Promise<Set<number>> {
  if (leaseIds.length === 0) return new Set();
  const rows = await tx`
    SELECT lease_id FROM verification_results WHERE lease_id = ANY(${leaseIds}::bigint[])`;
  return new Set(rows.map((r) => r.lease_id as number));
}

// LIMITATION: a batch under verification whose later fetches all fail ends failed like any
// other batch; the result held for it is not merged.
async function hold(tx: TransactionSql, result: AcceptedResult, stage: 1 | 2): Promise<void> {
  await tx`
    INSERT INTO verification_results (batch_id, lease_id, agent_id, fetched_at_ms, players)
    VALUES (${result.batchId}, ${result.leaseId}, ${result.agentId}, ${result.fetchedAtMs},
            ${tx.json(result.players as unknown as postgres.JSONValue)})`;
  // attempts start again: the fetches spent on verification are no failures of the batch.
  await tx`
    UPDATE batches
       SET state = 'pending', lease_id = NULL, agent_id = NULL, lease_expires = NULL,
           attempts = 0, verify_stage = ${stage}, verify_since = now(),
           verify_agents = coalesce(verify_agents, '{}') || ${result.agentId}::text
     WHERE id = ${result.batchId}`;
}

async function heldFetches(tx: TransactionSql, batchId: number): Promise<FetchedBatch[]> {
  const rows = await tx`
    SELECT agent_id, lease_id, fetched_at_ms, players FROM verification_results
     WHERE batch_id = ${batchId} ORDER BY recorded_at, lease_id`;
  return rows.map((r) => ({
    agentId: r.agent_id as string,
    leaseId: r.lease_id as number,
    fetchedAtMs: r.fetched_at_ms as number,
    players: r.players as Player[],
  }));
}

async function settle(
  tx: TransactionSql,
  result: AcceptedResult,
  decision: Exclude<Decision, { kind: "hold" }>,
): Promise<void> {
  const wrong = decision.kind === "agreed" ? [] : decision.wrongAgents;
  await tx`
    INSERT INTO verifications (batch_id, round_id, agents, outcome, wrong_agents)
    VALUES (${result.batchId}, ${result.roundId}, ${decision.agents}::text[], ${decision.kind},
            ${wrong}::text[])
    ON CONFLICT (batch_id) DO NOTHING`;
  await tx`DELETE FROM verification_results WHERE batch_id = ${result.batchId}`;
  await tx`
    UPDATE batches SET verify_stage = 0, verify_agents = NULL, verify_since = NULL
     WHERE id = ${result.batchId}`;
  if (wrong.length > 0) {
    const reason = `disagreed with two other agents on batch ${result.batchId}`;
    await tx`
      UPDATE agents SET flagged = true, flagged_reason = ${reason}, flagged_at = now()
       WHERE id = ANY(${wrong}::text[]) AND NOT flagged`;
  }
}

function fetchOf(result: AcceptedResult): FetchedBatch {
  return {
    agentId: result.agentId,
    leaseId: result.leaseId,
    fetchedAtMs: result.fetchedAtMs,
    players: result.players,
  };
}
