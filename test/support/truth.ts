import type { Sql } from "postgres";
import type { Simulation } from "../sim/simulation";

export interface TruthComparison {
  /** Accounts compared field by field. */
  rowsCompared: number;
  /** Human-readable differences, at most 20 kept. */
  mismatches: string[];
  mismatchCount: number;
}

const COUNTERS = ["battles", "wins", "spotted", "damage_dealt", "frags", "dropped_capture_points"] as const;

/**
 * Compares the players table with the simulator's current totals for every account in the given
 * id ranges: each existing account present with the same nickname and counters, nothing extra.
 */
export async function comparePlayersWithTruth(
  sql: Sql,
  sim: Simulation,
  ranges: { platform: "xbox" | "ps"; firstId: number; lastId: number }[],
): Promise<TruthComparison> {
  const out: TruthComparison = { rowsCompared: 0, mismatches: [], mismatchCount: 0 };
  const note = (text: string) => {
    out.mismatchCount += 1;
    if (out.mismatches.length < 20) out.mismatches.push(text);
  };

  for (const { platform, firstId, lastId } of ranges) {
    const rows = await sql`
      SELECT account_id, platform, nickname, battles, wins, spotted, damage_dealt, frags,
             dropped_capture_points
        FROM players WHERE account_id BETWEEN ${firstId} AND ${lastId}`;
    const stored = new Map(rows.map((r) => [Number(r.account_id), r]));

    let from: number | null = firstId;
    while (from !== null) {
      const page = sim.accountTotals(platform, from, lastId, 10_000);
      for (const truth of page.accounts) {
        out.rowsCompared += 1;
        const row = stored.get(truth.account_id);
        stored.delete(truth.account_id);
        if (!row) {
          note(`${platform} account ${truth.account_id} missing`);
          continue;
        }
        if (row.nickname !== truth.nickname || row.platform !== platform) {
          note(`account ${truth.account_id}: nickname/platform ${row.nickname}/${row.platform}`);
        }
        const stats = truth.statistics?.all;
        if (!stats) continue;
        for (const c of COUNTERS) {
          if (Number(row[c]) !== stats[c]) {
            note(`account ${truth.account_id}: ${c} ${row[c]} in database, ${stats[c]} in truth`);
          }
        }
      }
      from = page.nextFrom;
    }
    for (const id of stored.keys()) note(`${platform} account ${id} stored but does not exist`);
  }
  return out;
}

/** Rows that break the accounting rules: negative diffs. */
export async function negativeDiffs(sql: Sql): Promise<number> {
  const [{ n }] = await sql`
    SELECT count(*)::int AS n FROM player_diffs
     WHERE battles < 0 OR wins < 0 OR spotted < 0 OR damage_dealt < 0 OR frags < 0
        OR dropped_capture_points < 0`;
  return n;
}

/** daily_activity for one stat day, by platform. */
export async function dailyActivity(
  sql: Sql,
  statDay: string,
): Promise<Record<string, { playersActive: number; battles: number; newAccounts: number }>> {
  const rows = await sql`
    SELECT platform, players_active, battles, new_accounts FROM daily_activity
     WHERE stat_day = ${statDay}`;
  const out: Record<string, { playersActive: number; battles: number; newAccounts: number }> = {};
  for (const platform of ["xbox", "ps"]) out[platform] = { playersActive: 0, battles: 0, newAccounts: 0 };
  for (const r of rows) {
    out[r.platform] = {
      playersActive: Number(r.players_active),
      battles: Number(r.battles),
      newAccounts: Number(r.new_accounts),
    };
  }
  return out;
}
