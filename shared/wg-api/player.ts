import type { Player } from "../gen/tracker/v1/agent";

/** A data entry turned into a proto Player, or the reason it cannot be trusted. */
export type PlayerEntry = { player: Player } | { suspect: string };

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isCount(value: unknown): value is number {
  return typeof value === "number" && Number.isSafeInteger(value) && value >= 0;
}

/** A counter or unix-seconds time; 0 when absent, null or not a non-negative integer. */
function countOrZero(value: unknown): number {
  return isCount(value) ? value : 0;
}

/** statistics.all when it is an object holding a usable `battles`, otherwise null. */
function statisticsAll(raw: Json): Json | null {
  const statistics = raw.statistics;
  if (!isObject(statistics)) return null;

  const all = statistics.all;
  if (!isObject(all) || !isCount(all.battles)) return null;
  return all;
}

/**
 * Converts one `data` entry of an account/info answer. The entry must carry its own key as
 * account_id; without a usable nickname or statistics.all.battles the player is still recorded
 * as present, with hasStatistics false and zero counters.
 */
export function toPlayer(key: number, raw: Json): PlayerEntry {
  if (raw.account_id !== key) {
    return { suspect: `account_id ${String(raw.account_id)} differs from its key ${key}` };
  }

  const nickname = typeof raw.nickname === "string" ? raw.nickname : "";
  const all = nickname === "" ? null : statisticsAll(raw);

  const player: Player = {
    accountId: key,
    nickname,
    createdAt: countOrZero(raw.created_at),
    lastBattleTime: countOrZero(raw.last_battle_time),
    updatedAt: countOrZero(raw.updated_at),
    hasStatistics: all !== null,
    battles: all ? countOrZero(all.battles) : 0,
    wins: all ? countOrZero(all.wins) : 0,
    spotted: all ? countOrZero(all.spotted) : 0,
    damageDealt: all ? countOrZero(all.damage_dealt) : 0,
    frags: all ? countOrZero(all.frags) : 0,
    droppedCapturePoints: all ? countOrZero(all.dropped_capture_points) : 0,
  };
  return { player };
}

export { isObject };
