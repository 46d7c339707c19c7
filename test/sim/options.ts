import type { ApiKey } from "./api-keys";
import type { FaultSettings } from "./faults";

/** Options of a simulated population and its API; every field has a default. */
export interface SimOptions {
  /** Seed of every random decision (population, daily activity, faults). @default 1 */
  seed?: number;
  /** Ids per platform in the initial range [firstId, firstId + idsPerPlatform). @default 100_000 */
  idsPerPlatform?: number;
  /** First Xbox account id. @default 5000 */
  xboxFirstId?: number;
  /** First PlayStation account id. @default 1_073_740_000 */
  psFirstId?: number;
  /** Share of ids in the initial range that have an account. @default 0.6 */
  existShare?: number;
  /** UTC date (YYYY-MM-DD) of simulated day 1; day k is startDay + k - 1. @default "2026-11-01" */
  startDay?: string;
  /** Share of existing accounts that play on a simulated day. @default 0.15 */
  activeShare?: number;
  /** An active player gains 1..maxBattlesPerDay battles on that day. @default 20 */
  maxBattlesPerDay?: number;
  /** New accounts per platform and day, as a share of idsPerPlatform. @default 0.003 */
  newAccountsPerDay?: number;
  /**
   * Accounts per platform and day that appear at ids of the initial range that had none (an id
   * handed out late, or an account restored), as a share of idsPerPlatform. @default 0
   */
  reappearPerDay?: number;
  /** Share of new accounts that also play on the day they are created. @default 0.5 */
  newAccountPlayShare?: number;
  /** Share of accounts answered with `statistics: null`; such accounts never play. @default 0 */
  statisticsNullShare?: number;
  /** Nickname suffix of PlayStation accounts (Xbox is always "-x"). @default "-p" */
  psNicknameSuffix?: string;
  /** API keys the simulator accepts. @default [DEMO_KEY] ("demo-key", server kind, 20 rps) */
  keys?: ApiKey[];
  /** Whether request budgets are enforced; false for benchmarks. @default true */
  rateLimit?: boolean;
  /** Fault shares and switches at start; all off by default. @default {} */
  faults?: FaultSettings;
  /** Header carrying the client IP instead of the socket address. @default undefined (socket) */
  clientIpHeader?: string;
}

/** SimOptions with every default applied. */
export type ResolvedSimOptions = Required<Omit<SimOptions, "clientIpHeader">> &
  Pick<SimOptions, "clientIpHeader">;

/** The key used when no key list is given. */
export const DEMO_KEY: ApiKey = {
  applicationId: "demo-key",
  kind: "server",
  requestsPerSecond: 20,
};

/** Applies defaults and rejects values that would make the population meaningless. */
export function resolveSimOptions(options: SimOptions = {}): ResolvedSimOptions {
  const resolved: ResolvedSimOptions = {
    seed: options.seed ?? 1,
    idsPerPlatform: options.idsPerPlatform ?? 100_000,
    xboxFirstId: options.xboxFirstId ?? 5000,
    psFirstId: options.psFirstId ?? 1_073_740_000,
    existShare: options.existShare ?? 0.6,
    startDay: options.startDay ?? "2026-11-01",
    activeShare: options.activeShare ?? 0.15,
    maxBattlesPerDay: options.maxBattlesPerDay ?? 20,
    newAccountsPerDay: options.newAccountsPerDay ?? 0.003,
    reappearPerDay: options.reappearPerDay ?? 0,
    newAccountPlayShare: options.newAccountPlayShare ?? 0.5,
    statisticsNullShare: options.statisticsNullShare ?? 0,
    psNicknameSuffix: options.psNicknameSuffix ?? "-p",
    keys: options.keys ?? [DEMO_KEY],
    rateLimit: options.rateLimit ?? true,
    faults: options.faults ?? {},
    clientIpHeader: options.clientIpHeader,
  };

  checkOptions(resolved);
  return resolved;
}

function checkOptions(o: ResolvedSimOptions): void {
  checkInteger("seed", o.seed, -(2 ** 31), 2 ** 32 - 1);
  checkInteger("idsPerPlatform", o.idsPerPlatform, 1, 50_000_000);
  checkInteger("xboxFirstId", o.xboxFirstId, 1, 2 ** 32 - 1);
  checkInteger("psFirstId", o.psFirstId, 1, 2 ** 32 - 1);
  checkInteger("maxBattlesPerDay", o.maxBattlesPerDay, 1, 1000);
  for (const name of ["existShare", "activeShare", "newAccountsPerDay"] as const) {
    checkShare(name, o[name]);
  }
  checkShare("newAccountPlayShare", o.newAccountPlayShare);
  checkShare("reappearPerDay", o.reappearPerDay);
  checkShare("statisticsNullShare", o.statisticsNullShare);

  if (!/^\d{4}-\d{2}-\d{2}$/.test(o.startDay) || Number.isNaN(Date.parse(o.startDay))) {
    throw new Error(`startDay must be a UTC date YYYY-MM-DD, got ${JSON.stringify(o.startDay)}`);
  }
  const xboxEnd = o.xboxFirstId + o.idsPerPlatform;
  if (xboxEnd > o.psFirstId - o.idsPerPlatform) {
    // The platform of an id is decided by its range, so the ranges and room to grow must not meet.
    throw new Error("xboxFirstId + idsPerPlatform must stay well below psFirstId");
  }
}

function checkInteger(name: string, value: number, min: number, max: number): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new Error(`${name} must be an integer in [${min}, ${max}], got ${value}`);
  }
}

function checkShare(name: string, value: number): void {
  if (!(value >= 0 && value <= 1)) {
    throw new Error(`${name} must be a share in [0, 1], got ${value}`);
  }
}
