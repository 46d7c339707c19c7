import type { Player } from "../../shared/gen/tracker/v1/agent";
import type { Sql } from "../../server/db/pool";
import type { AcceptedResult, Platform } from "../../server/ingest/types";

/** Test data for ingest: rounds, leased batches and player objects, inserted with plain SQL. */

export const AGENT = "agent-1";

export async function insertRealmsAndAgent(sql: Sql): Promise<void> {
  await sql`
    INSERT INTO realms (platform, first_id, last_id)
    VALUES ('xbox', 5000, 15500000), ('ps', 1073740000, 1085000000)
    ON CONFLICT (platform) DO NOTHING`;
  await sql`INSERT INTO agents (id, name) VALUES (${AGENT}, 'test') ON CONFLICT DO NOTHING`;
}

/** Finishes any running round and starts one for statDay. */
export async function startRound(sql: Sql, statDay: string): Promise<number> {
  await insertRealmsAndAgent(sql);
  await sql`UPDATE rounds SET state = 'done', finished_at = now() WHERE state = 'running'`;
  const [round] = await sql`INSERT INTO rounds (stat_day) VALUES (${statDay}) RETURNING id`;
  return round.id;
}

export interface LeasedBatch {
  batchId: number;
  leaseId: number;
  roundId: number;
  statDay: string;
  platform: Platform;
}

export async function leaseBatch(
  sql: Sql,
  roundId: number,
  platform: Platform = "xbox",
  agentId = AGENT,
): Promise<LeasedBatch> {
  const [batch] = await sql`
    INSERT INTO batches (round_id, realm_id, first_id, last_id, state, lease_id, agent_id,
                         lease_expires, attempts)
    SELECT ${roundId}, r.id, r.first_id, r.first_id + 99, 'leased', nextval('lease_ids'),
           ${agentId}, now() + interval '5 minutes', 1
      FROM realms r WHERE r.platform = ${platform}
    RETURNING id, lease_id, (SELECT stat_day FROM rounds WHERE id = ${roundId}) AS stat_day`;
  return { batchId: batch.id, leaseId: batch.lease_id, roundId, statDay: batch.stat_day, platform };
}

/** Gives a batch a new lease, as the scheduler does after the old one expired. */
export async function releaseAndLeaseAgain(sql: Sql, batch: LeasedBatch): Promise<LeasedBatch> {
  const [row] = await sql`
    UPDATE batches SET lease_id = nextval('lease_ids'), agent_id = ${AGENT}, attempts = attempts + 1
     WHERE id = ${batch.batchId} RETURNING lease_id`;
  return { ...batch, leaseId: row.lease_id };
}

export function result(
  batch: LeasedBatch,
  players: Player[],
  fetchedAtMs = Date.now(),
): AcceptedResult {
  return { ...batch, agentId: AGENT, fetchedAtMs, players };
}

/** Unix seconds of a UTC time such as '2025-03-01T10:00:00Z'. */
export function unix(iso: string): number {
  return Math.floor(Date.parse(iso) / 1000);
}

export function player(accountId: number, fields: Partial<Player> = {}): Player {
  return {
    accountId,
    nickname: `player_${accountId}`,
    createdAt: unix("2020-01-01T00:00:00Z"),
    lastBattleTime: unix("2025-02-28T20:00:00Z"),
    updatedAt: unix("2025-02-28T20:10:00Z"),
    hasStatistics: true,
    battles: 100,
    wins: 50,
    spotted: 80,
    damageDealt: 70000,
    frags: 90,
    droppedCapturePoints: 30,
    ...fields,
  };
}

/** The player after n more battles, every counter grown. */
export function played(p: Player, n: number): Player {
  return {
    ...p,
    battles: p.battles + n,
    wins: p.wins + Math.floor(n / 2),
    spotted: p.spotted + n,
    damageDealt: p.damageDealt + 700 * n,
    frags: p.frags + n,
    droppedCapturePoints: p.droppedCapturePoints + 1,
    lastBattleTime: p.lastBattleTime + 3600,
    updatedAt: p.updatedAt + 3600,
  };
}

export async function counts(sql: Sql): Promise<Record<string, number>> {
  const [row] = await sql`
    SELECT (SELECT count(*) FROM players) AS players,
           (SELECT count(*) FROM player_totals) AS totals,
           (SELECT count(*) FROM player_diffs) AS diffs,
           (SELECT count(*) FROM anomalies) AS anomalies`;
  return { ...row };
}

/** Starts a round for statDay and merges the players as one batch of it. */
export async function mergeRound(
  sql: Sql,
  statDay: string,
  players: Player[],
  merge: (sql: Sql, results: AcceptedResult[]) => Promise<unknown>,
): Promise<void> {
  await merge(sql, [result(await leaseBatch(sql, await startRound(sql, statDay)), players)]);
}
