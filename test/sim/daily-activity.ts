import { accountTraits, hasNullStatistics, SALT } from "./account-traits";
import type { SimCalendar } from "./calendar";
import { platformSalt } from "./platform";
import type { PlatformPopulation } from "./population";
import { hashUnit } from "./random";

/** What happened on one platform during one simulated day: the ground truth of that day. */
export interface DayActivity {
  /** Accounts whose battles grew during the day, new accounts that played included. */
  playersActive: number;
  /** Sum of the growth of battles over all accounts. */
  battles: number;
  /** Accounts created during the day. */
  newAccounts: number;
}

export interface DayParams {
  seed: number;
  day: number;
  calendar: SimCalendar;
  activeShare: number;
  maxBattlesPerDay: number;
  newAccounts: number;
  /** Accounts opened at empty ids of the initial range. */
  reappearing: number;
  newAccountPlayShare: number;
  statisticsNullShare: number;
}

/**
 * Plays day `p.day` on one platform: some existing accounts fight, then new accounts appear
 * just above the highest id and some of them fight too. Counters only grow.
 */
export function playDay(pop: PlatformPopulation, p: DayParams): DayActivity {
  const activity: DayActivity = { playersActive: 0, battles: 0, newAccounts: 0 };
  const salt = platformSalt(pop.platform);
  const existingEnd = pop.length;

  for (let offset = 0; offset < existingEnd; offset++) {
    if (pop.createdAt[offset] === 0) {
      continue;
    }
    const id = pop.firstId + offset;
    if (hashUnit(p.seed, id, SALT.active, p.day, salt) >= p.activeShare) {
      continue;
    }
    if (hasNullStatistics(p.seed, id, p.statisticsNullShare)) {
      continue;
    }
    recordGain(activity, fight(pop, offset, p));
  }

  openReappearing(pop, p, activity, existingEnd);
  openNewAccounts(pop, p, activity);
  return activity;
}

/**
 * Opens p.reappearing accounts at ids below the day's starting top that had none: the empty
 * ids are ranked by a hash of (seed, id, day) and the lowest ranks win, so the choice is
 * deterministic and spread over the whole range. They never play on their first day.
 */
function openReappearing(
  pop: PlatformPopulation,
  p: DayParams,
  activity: DayActivity,
  existingEnd: number,
): void {
  if (p.reappearing <= 0) return;

  const empty: { offset: number; rank: number }[] = [];
  for (let offset = 0; offset < existingEnd; offset++) {
    if (pop.createdAt[offset] !== 0) continue;
    empty.push({ offset, rank: hashUnit(p.seed, pop.firstId + offset, SALT.reappear, p.day) });
  }
  empty.sort((a, b) => a.rank - b.rank);

  const dayStart = p.calendar.dayStart(p.day);
  for (const { offset, rank } of empty.slice(0, p.reappearing)) {
    pop.open(offset, dayStart + Math.floor(rank * 86_400));
    activity.newAccounts++;
  }
}

function openNewAccounts(pop: PlatformPopulation, p: DayParams, activity: DayActivity): void {
  const dayStart = p.calendar.dayStart(p.day);
  const firstNewOffset = pop.highestId - pop.firstId + 1;
  pop.ensureCapacity(firstNewOffset + p.newAccounts);

  for (let i = 0; i < p.newAccounts; i++) {
    const offset = firstNewOffset + i;
    const id = pop.firstId + offset;
    const within = (i + hashUnit(p.seed, id, SALT.created, p.day)) / p.newAccounts;
    pop.open(offset, dayStart + Math.floor(within * 86_400));
    activity.newAccounts++;

    const plays = hashUnit(p.seed, id, SALT.newPlays, p.day) < p.newAccountPlayShare;
    if (plays && !hasNullStatistics(p.seed, id, p.statisticsNullShare)) {
      recordGain(activity, fight(pop, offset, p));
    }
  }
}

function recordGain(activity: DayActivity, gained: number): void {
  activity.playersActive++;
  activity.battles += gained;
}

/** Adds 1..maxBattlesPerDay battles to one account and returns how many. */
function fight(pop: PlatformPopulation, offset: number, p: DayParams): number {
  const id = pop.firstId + offset;
  const noise = (k: number): number => hashUnit(p.seed, id, SALT.noise + k, p.day);
  const gained = 1 + Math.floor(hashUnit(p.seed, id, SALT.gained, p.day) * p.maxBattlesPerDay);
  const traits = accountTraits(p.seed, id);

  const spread = (noise(0) - 0.5) * Math.sqrt(gained) * 1.5;
  const wins = clamp(Math.round(gained * traits.winRate + spread), 0, gained);
  const draws = wins < gained && noise(1) < 0.01 * gained ? 1 : 0;
  pop.battles[offset] += gained;
  pop.wins[offset] += wins;
  pop.losses[offset] += gained - wins - draws;
  pop.spotted[offset] += Math.floor(gained * traits.spottedPerBattle * (0.5 + noise(2)));
  pop.damageDealt[offset] += Math.floor(gained * traits.damagePerBattle * (0.5 + noise(3)));
  pop.frags[offset] += Math.floor(gained * traits.fragsPerBattle * (0.5 + noise(4)));
  pop.droppedCapturePoints[offset] += Math.floor(gained * traits.droppedPerBattle * 2 * noise(5));

  // The last battle falls inside the day and never before the account was created.
  const dayEnd = p.calendar.dayEnd(p.day);
  const earliest = Math.max(p.calendar.dayStart(p.day), pop.createdAt[offset]);
  const lastBattle = earliest + Math.floor(noise(6) * (dayEnd - earliest));
  pop.lastBattleTime[offset] = lastBattle;
  pop.updatedAt[offset] = Math.min(dayEnd - 1, lastBattle + Math.floor(noise(7) * 1800));
  return gained;
}

function clamp(value: number, low: number, high: number): number {
  return Math.min(high, Math.max(low, value));
}
