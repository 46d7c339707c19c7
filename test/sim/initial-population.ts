import { accountTraits, SALT } from "./account-traits";
import { DAY_SECONDS, SimCalendar } from "./calendar";
import { platformSalt, type Platform } from "./platform";
import { PlatformPopulation } from "./population";
import { hashUnit } from "./random";

/** Release dates of World of Tanks on each console; accounts were created from then on. */
const LAUNCH_UNIX: Record<Platform, number> = {
  xbox: Date.parse("2014-02-12T00:00:00Z") / 1000,
  ps: Date.parse("2016-01-19T00:00:00Z") / 1000,
};

/** Share of existing accounts that never fought a battle. */
const NEVER_PLAYED_SHARE = 0.08;

/** Veterans reach tens of thousands of battles; the spread is log-uniform. */
const MAX_INITIAL_BATTLES = 30_000;

/** Room reserved for this many days of new accounts before the arrays must be copied. */
const RESERVED_DAYS = 40;

export interface InitialPopulationParams {
  platform: Platform;
  seed: number;
  firstId: number;
  idsPerPlatform: number;
  existShare: number;
  newAccountsPerDay: number;
  nicknameSuffix: string;
  calendar: SimCalendar;
}

/**
 * Builds the population as it stands at the end of day 1. Creation times rise with the id
 * (ids are handed out upward), spread from the console launch to day 1.
 */
export function createInitialPopulation(p: InitialPopulationParams): PlatformPopulation {
  const reserve = Math.ceil(p.newAccountsPerDay * p.idsPerPlatform) * RESERVED_DAYS + 1024;
  const population = new PlatformPopulation(
    p.platform,
    p.firstId,
    p.nicknameSuffix,
    p.idsPerPlatform + reserve,
  );

  const day1End = p.calendar.dayEnd(1);
  const launch = Math.min(LAUNCH_UNIX[p.platform], day1End - 365 * DAY_SECONDS);
  const span = day1End - DAY_SECONDS - launch;
  const salt = platformSalt(p.platform);

  for (let offset = 0; offset < p.idsPerPlatform; offset++) {
    const id = p.firstId + offset;
    if (hashUnit(p.seed, id, SALT.exists, salt) >= p.existShare) {
      continue;
    }

    const jitter = Math.floor(hashUnit(p.seed, id, SALT.created) * 3600);
    const created = launch + Math.floor((offset / p.idsPerPlatform) * span) + jitter;
    population.open(offset, Math.min(created, day1End - 1));
    fillHistory(population, offset, p.seed, day1End);
  }

  population.length = Math.max(population.length, p.idsPerPlatform);
  return population;
}

/** Gives an existing account its totals and times as of the end of day 1. */
function fillHistory(pop: PlatformPopulation, offset: number, seed: number, nowEnd: number): void {
  const id = pop.firstId + offset;
  const created = pop.createdAt[offset];
  if (hashUnit(seed, id, SALT.neverPlayed) < NEVER_PLAYED_SHARE) {
    pop.updatedAt[offset] = Math.min(nowEnd - 1, created + Math.floor(600 * hashUnit(seed, id, 1)));
    return;
  }

  const spread = hashUnit(seed, id, SALT.battles) * Math.log(MAX_INITIAL_BATTLES);
  const battles = Math.floor(Math.exp(spread));
  const traits = accountTraits(seed, id);
  const wins = Math.floor(battles * traits.winRate);
  const draws = Math.floor(battles * traits.drawRate);
  pop.battles[offset] = battles;
  pop.wins[offset] = wins;
  pop.losses[offset] = battles - wins - draws;
  pop.spotted[offset] = Math.floor(battles * traits.spottedPerBattle);
  pop.damageDealt[offset] = Math.floor(battles * traits.damagePerBattle);
  pop.frags[offset] = Math.floor(battles * traits.fragsPerBattle);
  pop.droppedCapturePoints[offset] = Math.floor(battles * traits.droppedPerBattle);

  // Most players fought recently, so the last battle is skewed towards day 1.
  const recency = 1 - hashUnit(seed, id, SALT.lastBattle) ** 3;
  const lastBattle = created + Math.floor(recency * (nowEnd - 1 - created));
  pop.lastBattleTime[offset] = lastBattle;
  const lag = Math.floor(hashUnit(seed, id, SALT.updated) * 1800);
  pop.updatedAt[offset] = Math.min(nowEnd - 1, lastBattle + lag);
}
