import { SimCalendar } from "./calendar";
import { playDay, type DayActivity } from "./daily-activity";
import { createInitialPopulation } from "./initial-population";
import { resolveSimOptions, type ResolvedSimOptions, type SimOptions } from "./options";
import { PLATFORMS, type Platform } from "./platform";
import type { PlatformPopulation } from "./population";
import { trackerPlayer, type TrackerPlayer } from "./player-object";

/** Ground truth of one platform on one day. */
export interface PlatformDayTruth {
  /** Accounts whose battles grew during the day; null for day 1 (its activity is not known). */
  playersActive: number | null;
  /** Battles fought during the day; null for day 1. */
  battles: number | null;
  /** Accounts created during the day; null for day 1. */
  newAccounts: number | null;
  /** Accounts that exist at the end of the day. */
  accounts: number;
  /** Highest id with an account at the end of the day. */
  highestId: number;
}

/** Ground truth of one simulated day, both platforms. */
export interface DayTruth {
  day: number;
  /** UTC date of the day, YYYY-MM-DD. */
  date: string;
  xbox: PlatformDayTruth;
  ps: PlatformDayTruth;
}

/** One page of per-account totals. */
export interface AccountTotalsPage {
  accounts: TrackerPlayer[];
  /** First id of the next page, or null when the range is done. */
  nextFrom: number | null;
}

/**
 * The simulated world: two platform populations that start at the end of day 1 and move one
 * day at a time. Everything follows from the seed, so two simulations with the same options
 * answer identically.
 */
export class Simulation {
  readonly options: ResolvedSimOptions;
  readonly calendar: SimCalendar;
  readonly populations: Record<Platform, PlatformPopulation>;
  /** The simulated day whose end the state represents. */
  day = 1;
  private readonly history: DayTruth[] = [];

  constructor(options: SimOptions = {}) {
    this.options = resolveSimOptions(options);
    this.calendar = new SimCalendar(this.options.startDay);
    this.populations = {
      xbox: this.createPopulation("xbox", this.options.xboxFirstId, "-x"),
      ps: this.createPopulation("ps", this.options.psFirstId, this.options.psNicknameSuffix),
    };
    this.history[1] = this.snapshotTruth(null);
  }

  /** Plays the next day on both platforms and returns its truth. */
  advanceDay(): DayTruth {
    const o = this.options;
    const day = this.day + 1;
    const activity = {} as Record<Platform, DayActivity>;

    for (const platform of PLATFORMS) {
      activity[platform] = playDay(this.populations[platform], {
        seed: o.seed,
        day,
        calendar: this.calendar,
        activeShare: o.activeShare,
        maxBattlesPerDay: o.maxBattlesPerDay,
        newAccounts: Math.round(o.newAccountsPerDay * o.idsPerPlatform),
        reappearing: Math.round(o.reappearPerDay * o.idsPerPlatform),
        newAccountPlayShare: o.newAccountPlayShare,
        statisticsNullShare: o.statisticsNullShare,
      });
    }

    this.day = day;
    this.history[day] = this.snapshotTruth(activity);
    return this.history[day];
  }

  /** Truth of a day already played (1..current day). */
  truth(day: number = this.day): DayTruth {
    const truth = this.history[day];
    if (truth === undefined) {
      throw new RangeError(`day must be in [1, ${this.day}], got ${day}`);
    }
    return truth;
  }

  /** Accounts with fromId <= id <= toId that existed at the end of the given day. */
  accountsInRange(platform: Platform, fromId: number, toId: number, day = this.day): number {
    this.truth(day);
    return this.populations[platform].countCreatedBefore(fromId, toId, this.calendar.dayEnd(day));
  }

  /** Current totals of the existing accounts with fromId <= id <= toId, at most `limit`. */
  accountTotals(
    platform: Platform,
    fromId: number,
    toId: number,
    limit = 10_000,
  ): AccountTotalsPage {
    const pop = this.populations[platform];
    const accounts: TrackerPlayer[] = [];
    const last = Math.min(toId, pop.firstId + pop.length - 1);

    for (let id = Math.max(fromId, pop.firstId); id <= last; id++) {
      const offset = pop.offsetOf(id);
      if (offset < 0) {
        continue;
      }
      if (accounts.length === limit) {
        return { accounts, nextFrom: id };
      }
      accounts.push(trackerPlayer(pop, offset, this.options));
    }
    return { accounts, nextFrom: null };
  }

  /** The population an id belongs to by range (Xbox below psFirstId), and its offset or -1. */
  locate(id: number): { population: PlatformPopulation; offset: number } {
    const population = id >= this.options.psFirstId ? this.populations.ps : this.populations.xbox;
    return { population, offset: population.offsetOf(id) };
  }

  private createPopulation(
    platform: Platform,
    firstId: number,
    suffix: string,
  ): PlatformPopulation {
    const o = this.options;
    return createInitialPopulation({
      platform,
      seed: o.seed,
      firstId,
      idsPerPlatform: o.idsPerPlatform,
      existShare: o.existShare,
      newAccountsPerDay: o.newAccountsPerDay,
      nicknameSuffix: suffix,
      calendar: this.calendar,
    });
  }

  private snapshotTruth(activity: Record<Platform, DayActivity> | null): DayTruth {
    const platformTruth = (platform: Platform): PlatformDayTruth => {
      const pop = this.populations[platform];
      const played = activity?.[platform];
      return {
        playersActive: played?.playersActive ?? null,
        battles: played?.battles ?? null,
        newAccounts: played?.newAccounts ?? null,
        accounts: pop.accountCount,
        highestId: pop.highestId,
      };
    };
    return {
      day: this.day,
      date: this.calendar.date(this.day),
      xbox: platformTruth("xbox"),
      ps: platformTruth("ps"),
    };
  }
}
