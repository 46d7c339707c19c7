import type { Sql } from "postgres";

export interface ExpiredLease {
  leaseId: number;
  agentId: string;
  batchId: number;
  state: "pending" | "failed";
}

/** Returns leases past their deadline to the pool (or fails them after maxAttempts). */
export async function expireLeases(sql: Sql, maxAttempts: number): Promise<ExpiredLease[]> {
  const rows = await sql`
    WITH expired AS (
      SELECT id, lease_id, agent_id FROM batches
       WHERE state = 'leased' AND lease_expires < now()
       FOR UPDATE SKIP LOCKED
    )
    UPDATE batches b
       SET state = CASE WHEN b.attempts >= ${maxAttempts} THEN 'failed' ELSE 'pending' END,
           lease_id = NULL, agent_id = NULL, lease_expires = NULL,
           last_error = 'lease expired'
      FROM expired e
     WHERE b.id = e.id
    RETURNING e.lease_id, e.agent_id, b.id, b.state`;
  return rows.map((r) => ({
    leaseId: Number(r.lease_id),
    agentId: String(r.agent_id),
    batchId: Number(r.id),
    state: r.state,
  }));
}

/** Marks running rounds with no pending or leased batch as done; returns their ids. */
export async function finishRounds(sql: Sql): Promise<{ roundId: number; statDay: string }[]> {
  const rows = await sql`
    UPDATE rounds r SET state = 'done', finished_at = now()
     WHERE r.state = 'running'
       AND NOT EXISTS (SELECT 1 FROM batches b
                        WHERE b.round_id = r.id AND b.state IN ('pending', 'leased'))
    RETURNING r.id, r.stat_day::text AS stat_day`;
  return rows.map((r) => ({ roundId: Number(r.id), statDay: r.stat_day }));
}
