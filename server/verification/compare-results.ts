import type { Player } from "../../shared/gen/tracker/v1/agent";

/** One fetch of a batch, as held for comparison. */
export interface FetchedBatch {
  agentId: string;
  leaseId: number;
  fetchedAtMs: number;
  players: Player[];
}

/** Clock difference tolerated between an agent's fetch time and the API's updated_at. */
const CLOCK_SLACK_MS = 5 * 60_000;

const COUNTERS = [
  "battles",
  "wins",
  "spotted",
  "damageDealt",
  "frags",
  "droppedCapturePoints",
] as const;

/**
 * Why two fetches of one batch cannot both be true, or null when they agree. Players may play
 * between two fetches, so equal counters are not required: a later fetch may show a newer
 * updated_at with counters that only went up, as long as that update happened after the
 * earlier fetch was made. Anything else (different counters under the same updated_at, a
 * counter that went down, an account that vanished) is a disagreement.
 */
// LIMITATION: verification cannot tell a fabricated increase, dated after the earlier fetch,
// from battles played between the two fetches; such a lie passes the comparison.
export function disagreement(a: FetchedBatch, b: FetchedBatch): string | null {
  const [early, late] = a.fetchedAtMs <= b.fetchedAtMs ? [a, b] : [b, a];
  const later = new Map(late.players.map((p) => [p.accountId, p]));

  for (const before of early.players) {
    const after = later.get(before.accountId);
    if (!after) return `account ${before.accountId} is missing from the later fetch`;
    later.delete(before.accountId);
    const problem = playerDisagreement(before, after, early.fetchedAtMs);
    if (problem) return `account ${before.accountId}: ${problem}`;
  }
  for (const added of later.values()) {
    if (added.createdAt * 1000 < early.fetchedAtMs - CLOCK_SLACK_MS) {
      return `account ${added.accountId} is missing from the earlier fetch`;
    }
  }
  return null;
}

function playerDisagreement(
  before: Player,
  after: Player,
  earlyFetchedAtMs: number,
): string | null {
  if (sameSnapshot(before, after)) return null;

  if (after.updatedAt <= before.updatedAt) return "different values under the same updated_at";
  if (after.updatedAt * 1000 < earlyFetchedAtMs - CLOCK_SLACK_MS) {
    return "an update older than the earlier fetch is missing from it";
  }
  if (before.hasStatistics && !after.hasStatistics) return "statistics disappeared";
  if (!before.hasStatistics) return null;
  for (const counter of COUNTERS) {
    if (after[counter] < before[counter]) return `${counter} went down`;
  }
  return null;
}

function sameSnapshot(a: Player, b: Player): boolean {
  return (
    a.updatedAt === b.updatedAt &&
    a.lastBattleTime === b.lastBattleTime &&
    a.createdAt === b.createdAt &&
    a.nickname === b.nickname &&
    a.hasStatistics === b.hasStatistics &&
    COUNTERS.every((c) => a[c] === b[c])
  );
}
