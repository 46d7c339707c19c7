import type { Sql } from "postgres";
import type { Round } from "../../shared/gen/tracker/v1/admin";

/**
 * Rounds with their batch counts by state, newest first. The rounds are picked before the join,
 * so listing 20 rounds counts the batches of those 20 only (about 270,000 each by default).
 */
export async function loadRounds(
  sql: Sql,
  where: { id?: number; limit: number },
): Promise<Round[]> {
  const rows = await sql`
    SELECT r.id, r.stat_day::text AS stat_day, r.state, r.created_at, r.finished_at,
           r.batches_total,
           count(b.id) FILTER (WHERE b.state = 'done')    AS done,
           count(b.id) FILTER (WHERE b.state = 'leased')  AS leased,
           count(b.id) FILTER (WHERE b.state = 'pending') AS pending,
           count(b.id) FILTER (WHERE b.state = 'failed')  AS failed,
           coalesce(sum(b.players_found), 0)              AS players
      FROM (SELECT * FROM rounds
             WHERE ${where.id === undefined ? sql`true` : sql`id = ${where.id}`}
             ORDER BY id DESC LIMIT ${where.limit}) r
      LEFT JOIN batches b ON b.round_id = r.id
     GROUP BY r.id, r.stat_day, r.state, r.created_at, r.finished_at, r.batches_total
     ORDER BY r.id DESC`;
  return rows.map((r) => ({
    id: Number(r.id),
    statDay: r.stat_day,
    state: r.state,
    createdAt: iso(r.created_at),
    finishedAt: iso(r.finished_at),
    batchesTotal: Number(r.batches_total),
    batchesDone: Number(r.done),
    batchesLeased: Number(r.leased),
    batchesPending: Number(r.pending),
    batchesFailed: Number(r.failed),
    playersMerged: Number(r.players),
  }));
}

export async function loadRound(sql: Sql, id: number): Promise<Round | undefined> {
  const [round] = await loadRounds(sql, { id, limit: 1 });
  return round;
}

/** The round that is running or paused, else the newest one. */
export async function currentRound(sql: Sql): Promise<Round | undefined> {
  const [active] = await sql`
    SELECT id FROM rounds ORDER BY (state IN ('running', 'paused')) DESC, id DESC LIMIT 1`;
  return active ? loadRound(sql, Number(active.id)) : undefined;
}

function iso(value: unknown): string {
  if (!value) return "";
  return value instanceof Date ? value.toISOString() : String(value);
}
