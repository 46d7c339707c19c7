import type { Player } from "../../shared/gen/tracker/v1/agent";

/** Counters the API reports as 32-bit integers; anything larger is not from the API. */
const INT32_MAX = 2 ** 31 - 1;
/** damage_dealt is the one counter that may pass 2^31 on a veteran account. */
const DAMAGE_MAX = 2 ** 40;
/** WG nicknames are at most 24 characters (with the platform suffix); leave room for change. */
const NICKNAME_MAX_CHARS = 64;
/** Unix seconds of 2010-01-01: no console account is older. */
const EARLIEST_TIME_S = 1_262_304_000;
/** Clock skew tolerated on timestamps from the future. */
const FUTURE_SLACK_S = 2 * 86_400;

/** Why a result is refused, or null when it is acceptable. */
export function checkResult(
  leasedIds: ReadonlySet<number>,
  players: readonly Player[],
  nowMs = Date.now(),
): string | null {
  const seen = new Set<number>();
  const latest = nowMs / 1000 + FUTURE_SLACK_S;

  for (const p of players) {
    if (!leasedIds.has(p.accountId)) return `account ${p.accountId} is not in the batch`;
    if (seen.has(p.accountId)) return `account ${p.accountId} appears twice`;
    seen.add(p.accountId);

    const problem = checkPlayer(p, latest);
    if (problem) return `account ${p.accountId}: ${problem}`;
  }
  return null;
}

function checkPlayer(p: Player, latestS: number): string | null {
  if (p.nickname.length === 0 || [...p.nickname].length > NICKNAME_MAX_CHARS) {
    return `nickname length ${p.nickname.length} is outside 1..${NICKNAME_MAX_CHARS}`;
  }
  if (/[\u0000-\u001f]/.test(p.nickname)) return "nickname holds control characters";

  for (const [name, value] of [
    ["created_at", p.createdAt],
    ["last_battle_time", p.lastBattleTime],
    ["updated_at", p.updatedAt],
  ] as const) {
    if (!Number.isInteger(value) || (value !== 0 && (value < EARLIEST_TIME_S || value > latestS))) {
      return `${name} ${value} is not a plausible time`;
    }
  }
  if (!p.hasStatistics) return null;

  for (const [name, value, max] of [
    ["battles", p.battles, INT32_MAX],
    ["wins", p.wins, INT32_MAX],
    ["spotted", p.spotted, INT32_MAX],
    ["damage_dealt", p.damageDealt, DAMAGE_MAX],
    ["frags", p.frags, INT32_MAX],
    ["dropped_capture_points", p.droppedCapturePoints, INT32_MAX],
  ] as const) {
    if (!Number.isInteger(value) || value < 0 || value > max) {
      return `${name} ${value} is outside 0..${max}`;
    }
  }
  if (p.wins > p.battles) return `wins ${p.wins} exceed battles ${p.battles}`;
  return null;
}
