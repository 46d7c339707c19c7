import type { FlaggedAgent } from "../../shared/gen/tracker/v1/admin";
import type { Sql } from "../db/pool";

export interface VerificationStatus {
  verificationRate: number;
  batchesVerified: number;
  verificationDisagreements: number;
  batchesAwaitingVerification: number;
  flaggedAgents: FlaggedAgent[];
}

/** Flagged agents listed in the status; ListAgents has them all. */
const FLAGGED_LISTED = 100;

/** Verification figures of a round (none: only the flagged agents) for the admin status. */
export async function verificationStatus(
  sql: Sql,
  roundId: number | null,
): Promise<VerificationStatus> {
  const flagged = await sql`
    SELECT id, name, flagged_reason, offences, flagged_at FROM agents
     WHERE flagged ORDER BY flagged_at DESC NULLS LAST LIMIT ${FLAGGED_LISTED}`;
  const flaggedAgents = flagged.map((r) => ({
    agentId: String(r.id),
    name: String(r.name),
    reason: String(r.flagged_reason ?? ""),
    offences: Number(r.offences),
    flaggedAt: r.flagged_at ? new Date(r.flagged_at as Date).toISOString() : "",
  }));
  if (roundId === null) {
    return {
      verificationRate: 0,
      batchesVerified: 0,
      verificationDisagreements: 0,
      batchesAwaitingVerification: 0,
      flaggedAgents,
    };
  }

  const [row] = await sql`
    SELECT (SELECT count(*)::int FROM verifications WHERE round_id = ${roundId}) AS verified,
           (SELECT count(*)::int FROM verifications
             WHERE round_id = ${roundId} AND outcome <> 'agreed') AS disagreements,
           (SELECT count(*)::int FROM batches
             WHERE round_id = ${roundId} AND state = 'done') AS done,
           (SELECT count(*)::int FROM batches
             WHERE round_id = ${roundId} AND state IN ('pending', 'leased')
               AND verify_stage > 0) AS awaiting`;
  return {
    verificationRate: row.done > 0 ? row.verified / row.done : 0,
    batchesVerified: row.verified,
    verificationDisagreements: row.disagreements,
    batchesAwaitingVerification: row.awaiting,
    flaggedAgents,
  };
}
