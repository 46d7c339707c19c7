import type { Sql } from "postgres";
import { planRealm } from "./plan-realm";
import { readRealmKnowledge } from "./realm-knowledge";

/** Why a round could not start. */
export class RoundConflictError extends Error {
  constructor(readonly activeRoundId: number) {
    super(
      `round ${activeRoundId} is not finished (running or paused); wait for it, resume or cancel it`,
    );
    this.name = "RoundConflictError";
  }
}

export interface PlannedRound {
  roundId: number;
  statDay: string;
  batchesTotal: number;
}

const UNIQUE_VIOLATION = "23505";

/**
 * Creates a round for a stat day and its batches, one set-based INSERT per enabled realm: a
 * full sweep in contiguous ranges (267,000 batches for the default realms take about a second)
 * until the realm has been swept once, then dense packing with discovery (plan-realm.ts).
 */
export async function planRound(sql: Sql, statDay: string, batchSize: number): Promise<PlannedRound> {
  return sql.begin(async (tx) => {
    const [active] = await tx`SELECT id FROM rounds WHERE state IN ('running', 'paused') LIMIT 1`;
    if (active) throw new RoundConflictError(Number(active.id));

    let round;
    try {
      [round] = await tx`INSERT INTO rounds (stat_day, state) VALUES (${statDay}, 'paused')
                         RETURNING id`;
    } catch (err) {
      // Two coordinators starting a round at once: the partial unique index lets one win.
      if ((err as { code?: string }).code === UNIQUE_VIOLATION) {
        const [other] = await tx`SELECT id FROM rounds WHERE state IN ('running', 'paused')`;
        throw new RoundConflictError(Number(other?.id ?? 0));
      }
      throw err;
    }
    const roundId = Number(round.id);

    let n = 0;
    for (const realm of await readRealmKnowledge(tx)) n += await planRealm(tx, roundId, realm, batchSize);

    await tx`UPDATE rounds SET state = 'running', batches_total = ${n} WHERE id = ${roundId}`;
    return { roundId, statDay, batchesTotal: n };
  });
}

/** Yesterday in UTC as YYYY-MM-DD: the day a round started now measures. */
export function yesterdayUtc(now = new Date()): string {
  const d = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() - 1));
  return d.toISOString().slice(0, 10);
}

/** True for a real calendar date written YYYY-MM-DD. */
export function isStatDay(text: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) return false;
  const d = new Date(`${text}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === text;
}
