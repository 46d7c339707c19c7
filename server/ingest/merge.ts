import { performance } from "node:perf_hooks";
import { ensurePartitions } from "../db/partitions";
import type { Sql } from "../db/pool";
import { copyStagedPlayers, ensureStagingTable, type StagedPlayer } from "./copy-staged-players";
import { countAgentBatches, leasesAlreadyDone, markBatchesDone } from "./mark-batches-done";
import { mergeStagedPlayers, planForKeyLookups } from "./merge-staged-players";
import type { AcceptedResult, MergeOutcome } from "./types";
import {
  holdForVerification,
  leasesAlreadyHeld,
  type VerificationOptions,
} from "../verification/hold-for-verification";

export type { AcceptedResult, MergeOutcome } from "./types";

/**
 * Merges accepted results in one transaction: marks their batches done (only those whose lease
 * is still current), COPYs their players into staging, and merges them into players,
 * player_totals, player_diffs and anomalies. Nothing of a result whose lease was no longer
 * current is applied, nor of a duplicate of a result already merged. Throws on a database
 * error, with nothing applied.
 */
export async function mergeResults(
  sql: Sql,
  results: AcceptedResult[],
  verification: VerificationOptions = {},
): Promise<MergeOutcome> {
  const started = performance.now();
  for (const statDay of new Set(results.map((r) => r.statDay))) {
    await ensurePartitions(sql, statDay);
  }

  const outcome = await retriedOnNewAccountRace(() => sql.begin(async (tx) => {
    await planForKeyLookups(tx);

    // Held results (a sample under verification) are stored apart and not merged now.
    const held = await holdForVerification(tx, results, verification);
    const toMark = results.filter((r) => !held.has(r.leaseId));
    const doneLeases = toMark.length > 0 ? await markBatchesDone(tx, toMark) : new Set();
    const done = results.filter((r) => doneLeases.has(r.leaseId));
    const notDone = toMark.filter((r) => !doneLeases.has(r.leaseId)).map((r) => r.leaseId);
    const duplicates = await leasesAlreadyDone(tx, notDone);
    for (const leaseId of await leasesAlreadyHeld(tx, notDone)) held.add(leaseId);
    const staged = latestPerAccount(done);
    const counts = { players: 0, totals: 0, diffs: 0, anomalies: 0 };
    if (staged.length > 0) {
      await ensureStagingTable(tx);
      await copyStagedPlayers(tx, staged);
      Object.assign(counts, await mergeStagedPlayers(tx));
    }

    // Last, because every flush of an agent's results updates the same agents row, and its
    // lock is held to the commit: taken first, it would make concurrent flushes take turns.
    await countAgentBatches(tx, uniqueByLease(done));
    return {
      batchesDone: [...new Set(done.map((r) => r.batchId))],
      duplicateLeases: [...duplicates],
      rejectedLeases: notDone.filter((leaseId) => !duplicates.has(leaseId) && !held.has(leaseId)),
      heldLeases: [...held],
      ...counts,
    };
  }));
  return { ...outcome, ms: Math.round(performance.now() - started) };
}

/** Runs of a flush that lost a race to insert a never-seen account, before it fails. */
const MAX_NEW_ACCOUNT_RACES = 5;

/**
 * Another flush that inserted one of this flush's never-seen accounts first makes the merge
 * fail with a unique violation, and roll back whole. Run again, the flush finds the
 * account known and merges it like any other.
 */
async function retriedOnNewAccountRace<T>(flush: () => Promise<T>): Promise<T> {
  for (let run = 1; ; run++) {
    try {
      return await flush();
    } catch (err) {
      if (run >= MAX_NEW_ACCOUNT_RACES || !isNewAccountRace(err)) throw err;
    }
  }
}

/**
 * A never-seen account's players row and first totals row are plain inserts, made in either
 * order within the statement, so the lost race shows on either primary key (totals: a monthly
 * partition's). Neither can collide otherwise: totals are written only with the players row.
 */
function isNewAccountRace(err: unknown): boolean {
  const e = err as { code?: unknown; constraint_name?: unknown } | null;
  if (e?.code !== "23505" || typeof e.constraint_name !== "string") return false;
  return e.constraint_name === "players_pkey" || /^player_totals_\w+_pkey$/.test(e.constraint_name);
}

/** The same lease twice in one call is one batch done, counted once. */
function uniqueByLease(results: AcceptedResult[]): AcceptedResult[] {
  return [...new Map(results.map((r) => [r.leaseId, r])).values()];
}

/**
 * An account in two results of one flush keeps the later fetch. Staged in account order, so
 * that the merge writes players rows in that order and two flushes cannot deadlock on them.
 */
function latestPerAccount(results: AcceptedResult[]): StagedPlayer[] {
  const latest = new Map<number, StagedPlayer>();
  for (const result of results) {
    for (const player of result.players) {
      const seen = latest.get(player.accountId);
      if (!seen || result.fetchedAtMs > seen.result.fetchedAtMs) {
        latest.set(player.accountId, { player, result });
      }
    }
  }
  return [...latest.values()].sort((a, b) => a.player.accountId - b.player.accountId);
}
