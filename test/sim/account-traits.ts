import { hashBetween, hashUnit } from "./random";

/**
 * Per-account constants (play style) derived from the seed and the id alone, so they cost no
 * memory: a strong player keeps a high win rate from day to day.
 */
export interface AccountTraits {
  winRate: number;
  drawRate: number;
  spottedPerBattle: number;
  damagePerBattle: number;
  fragsPerBattle: number;
  droppedPerBattle: number;
}

/** Salts that keep the hash streams of different traits and decisions apart. */
export const SALT = {
  exists: 1,
  created: 2,
  neverPlayed: 3,
  battles: 4,
  lastBattle: 5,
  updated: 6,
  statisticsNull: 7,
  nickname: 8,
  active: 9,
  gained: 10,
  noise: 11,
  newPlays: 12,
  derived: 13,
  reappear: 14,
  traits: 100,
} as const;

export function accountTraits(seed: number, id: number): AccountTraits {
  const t = SALT.traits;
  return {
    winRate: hashBetween(0.4, 0.62, seed, id, t),
    drawRate: hashBetween(0, 0.015, seed, id, t + 1),
    spottedPerBattle: hashBetween(0.3, 1.8, seed, id, t + 2),
    damagePerBattle: hashBetween(250, 2200, seed, id, t + 3),
    fragsPerBattle: hashBetween(0.3, 1.4, seed, id, t + 4),
    droppedPerBattle: hashBetween(0, 1.2, seed, id, t + 5),
  };
}

/** Whether the account is answered with `statistics: null` (it then never plays). */
export function hasNullStatistics(seed: number, id: number, share: number): boolean {
  return share > 0 && hashUnit(seed, id, SALT.statisticsNull) < share;
}

/** Nicknames are mostly `player_<id>`; a few use a space or a dash, as real names do. */
export function nicknameOf(seed: number, id: number, suffix: string): string {
  const style = hashUnit(seed, id, SALT.nickname);
  if (style < 0.05) {
    return `Player ${id}${suffix}`;
  }
  if (style < 0.1) {
    return `player-${id}${suffix}`;
  }
  return `player_${id}${suffix}`;
}
