import { hasNullStatistics, nicknameOf, SALT } from "./account-traits";
import type { ResolvedSimOptions } from "./options";
import type { PlatformPopulation } from "./population";
import { hashBetween } from "./random";

/** What rendering needs from the options. */
export type RenderOptions = Pick<ResolvedSimOptions, "seed" | "statisticsNullShare">;

/** The player object trimmed to the tracker's `fields` list (same keys, same order). */
export interface TrackerPlayer {
  account_id: number;
  nickname: string;
  created_at: number;
  last_battle_time: number;
  updated_at: number;
  statistics: {
    all: {
      battles: number;
      wins: number;
      spotted: number;
      damage_dealt: number;
      frags: number;
      dropped_capture_points: number;
    };
  } | null;
}

/** The full player object, with exactly the fields of the fixtures' full objects. */
export type FullPlayer = Record<string, unknown>;

export function trackerPlayer(
  pop: PlatformPopulation,
  offset: number,
  o: RenderOptions,
): TrackerPlayer {
  const id = pop.firstId + offset;
  const statistics = hasNullStatistics(o.seed, id, o.statisticsNullShare)
    ? null
    : {
        all: {
          battles: pop.battles[offset],
          wins: pop.wins[offset],
          spotted: pop.spotted[offset],
          damage_dealt: pop.damageDealt[offset],
          frags: pop.frags[offset],
          dropped_capture_points: pop.droppedCapturePoints[offset],
        },
      };
  return {
    account_id: id,
    nickname: nicknameOf(o.seed, id, pop.nicknameSuffix),
    created_at: pop.createdAt[offset],
    last_battle_time: pop.lastBattleTime[offset],
    updated_at: pop.updatedAt[offset],
    statistics,
  };
}

/**
 * The fast path: the tracker's object written straight to JSON text, byte-identical to
 * JSON.stringify(trackerPlayer(...)) but without building and walking an object per player.
 */
export function trackerPlayerJson(
  pop: PlatformPopulation,
  offset: number,
  o: RenderOptions,
): string {
  const id = pop.firstId + offset;
  const head =
    `{"account_id":${id},"nickname":${JSON.stringify(nicknameOf(o.seed, id, pop.nicknameSuffix))}` +
    `,"created_at":${pop.createdAt[offset]},"last_battle_time":${pop.lastBattleTime[offset]}` +
    `,"updated_at":${pop.updatedAt[offset]},"statistics":`;
  if (hasNullStatistics(o.seed, id, o.statisticsNullShare)) {
    return `${head}null}`;
  }
  return (
    `${head}{"all":{"battles":${pop.battles[offset]},"wins":${pop.wins[offset]}` +
    `,"spotted":${pop.spotted[offset]},"damage_dealt":${pop.damageDealt[offset]}` +
    `,"frags":${pop.frags[offset]},"dropped_capture_points":${pop.droppedCapturePoints[offset]}}}}`
  );
}

/**
 * The full object. Counters the simulator does not store are derived from stored ones with
 * per-account ratios, so they also only grow.
 */
export function fullPlayer(pop: PlatformPopulation, offset: number, o: RenderOptions): FullPlayer {
  const id = pop.firstId + offset;
  const head = {
    account_id: id,
    nickname: nicknameOf(o.seed, id, pop.nicknameSuffix),
    created_at: pop.createdAt[offset],
    last_battle_time: pop.lastBattleTime[offset],
    updated_at: pop.updatedAt[offset],
  };
  if (hasNullStatistics(o.seed, id, o.statisticsNullShare)) {
    return { ...head, global_rating: null, statistics: null };
  }

  const battles = pop.battles[offset];
  const wins = pop.wins[offset];
  const damage = pop.damageDealt[offset];
  const dropped = pop.droppedCapturePoints[offset];
  const ratio = (low: number, high: number, k: number): number =>
    hashBetween(low, high, o.seed, id, SALT.derived + k);
  const shots = Math.floor(battles * ratio(6, 14, 0));
  const all = {
    battles,
    wins,
    losses: pop.losses[offset],
    spotted: pop.spotted[offset],
    damage_dealt: damage,
    damage_received: Math.floor(damage * ratio(0.75, 1.25, 1)),
    frags: pop.frags[offset],
    dropped_capture_points: dropped,
    capture_points: Math.floor(dropped * ratio(0.4, 1.6, 2)),
    xp: Math.floor(damage * 0.6 + battles * ratio(100, 250, 3)),
    survived_battles: Math.floor(battles * ratio(0.2, 0.45, 4)),
    hits: Math.floor(shots * ratio(0.6, 0.85, 5)),
    shots,
  };
  return { ...head, global_rating: globalRating(battles, wins), statistics: { all } };
}

/** A rating that rewards both win rate and experience; 0 before the first battle. */
function globalRating(battles: number, wins: number): number {
  if (battles === 0) {
    return 0;
  }
  const winShare = wins / battles;
  return Math.max(0, Math.floor(2000 + 8000 * (winShare - 0.45) + Math.min(battles, 2000)));
}
