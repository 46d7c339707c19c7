import type { Player } from "../../shared/gen/tracker/v1/agent";

export type Platform = "xbox" | "ps";

/** A batch result that passed the lease and sanity checks and waits to be merged. */
export interface AcceptedResult {
  batchId: number;
  leaseId: number;
  roundId: number;
  /** The UTC day the round measures, 'YYYY-MM-DD'. */
  statDay: string;
  platform: Platform;
  agentId: string;
  /** When the API answered, unix milliseconds (the agent's clock). */
  fetchedAtMs: number;
  players: Player[];
}

/** What one mergeResults call committed. */
export interface MergeOutcome {
  /** Batches marked done by this commit. */
  batchesDone: number[];
  /**
   * Leases whose batch this call found already done under the same lease: a duplicate, or the
   * retry of a flush whose commit succeeded but whose answer was lost. Nothing was applied, and
   * the result counts as committed.
   */
  duplicateLeases: number[];
  /** Leases of results that were no longer current: nothing of them was applied. */
  rejectedLeases: number[];
  /**
   * Leases whose result is held for verification: stored durably and counted as committed,
   * but never merged; the fetch that decides the batch is merged instead.
   */
  heldLeases: number[];
  /** players rows inserted or changed. */
  players: number;
  /** player_totals rows written. */
  totals: number;
  /** player_diffs rows written. */
  diffs: number;
  /** anomalies rows written (one per decreased counter). */
  anomalies: number;
  ms: number;
}
