/** Budgets start and stay this far under the key's configured rate: jitter on the way to the
 * API can bunch evenly spaced requests, and the API refuses the first one over its window. */
export const HEADROOM = 0.95;
/** Multiplicative decrease on REQUEST_LIMIT_EXCEEDED. */
export const DECREASE_FACTOR = 0.7;
/** Reports within this time of a decrease belong to the same overload and change nothing:
 * requests already sent at the old rate are still coming back. */
export const DECREASE_HOLD_MS = 2_000;
/** Additive increase per tick, as a share of the configured rate, while far below a ceiling. */
export const INCREASE_STEP = 0.05;
/** Fast increase stops at this share of the rate that last failed; 0.95 settled at exactly the
 * real limit in test/rate and kept drawing single refusals (6 % of requests). */
export const BELOW_CEILING = 0.9;
/** Near the rate that last failed, increase by this share only once per PROBE_EVERY_MS. */
export const PROBE_STEP = 0.01;
export const PROBE_EVERY_MS = 15_000;
/** Refusals within DECREASE_HOLD_MS that make an overload. A lone refusal is jitter: several
 * agent processes on 2 CPUs bunch evenly spaced requests now and then, and cutting the rate for
 * each cost 6-8 % of a 20/s key's use in test/rate (84 % used with a cut per refusal). */
export const REFUSALS_PER_CUT = 2;
/** Never below this share of the configured rate, so an agent keeps probing. */
export const FLOOR = 0.05;

/**
 * The AIMD state of one request budget (an application key, or an ip key at one address): the
 * rate the server splits among the budget's holders. A REQUEST_LIMIT_EXCEEDED report cuts it by
 * DECREASE_FACTOR and remembers the rate that failed; quiet ticks raise it by INCREASE_STEP up
 * to 90 % of that ceiling, then only by PROBE_STEP every PROBE_EVERY_MS, so a budget whose real
 * limit is lower than configured settles just under it and tests it rarely. Measured with the
 * simulator (configured 20/s, real 12/s): see test/rate/key-shares.aimd.test.ts.
 */
export class RateBudget {
  rate: number;
  /** The rate at which the API last refused requests, or null. */
  private ceiling: number | null = null;
  private lastDecreaseMs = -Infinity;
  private lastProbeMs = -Infinity;
  /** Times of recent refusals not yet answered by a cut. */
  private refusals: number[] = [];

  constructor(private configured: number) {
    this.rate = configured * HEADROOM;
  }

  /** The key's configured rate changed (admin): start again from it. */
  reconfigure(configured: number): void {
    if (configured === this.configured) return;
    this.configured = configured;
    this.rate = configured * HEADROOM;
    this.ceiling = null;
  }

  /** A holder saw `count` REQUEST_LIMIT_EXCEEDED answers; true when the rate changed. */
  limited(nowMs: number, count = 1): boolean {
    if (nowMs - this.lastDecreaseMs < DECREASE_HOLD_MS) return false;

    for (let i = 0; i < count; i++) this.refusals.push(nowMs);
    this.refusals = this.refusals.filter((t) => nowMs - t < DECREASE_HOLD_MS);
    if (this.refusals.length < REFUSALS_PER_CUT) return false;
    this.refusals = [];

    this.ceiling = this.rate;
    this.rate = Math.max(this.configured * FLOOR, this.rate * DECREASE_FACTOR);
    this.lastDecreaseMs = nowMs;
    return true;
  }

  /** One quiet period passed; true when the rate changed. */
  tick(nowMs: number): boolean {
    const cap = this.configured * HEADROOM;
    if (this.rate >= cap || nowMs - this.lastDecreaseMs < DECREASE_HOLD_MS) return false;

    const fastLimit = this.ceiling === null ? cap : this.ceiling * BELOW_CEILING;
    let next: number;
    if (this.rate + this.configured * INCREASE_STEP <= fastLimit) {
      next = this.rate + this.configured * INCREASE_STEP;
    } else if (this.rate < fastLimit) {
      next = fastLimit;
    } else if (nowMs - this.lastProbeMs >= PROBE_EVERY_MS) {
      next = this.rate + this.configured * PROBE_STEP;
      this.lastProbeMs = nowMs;
    } else {
      return false;
    }

    this.rate = Math.min(cap, next);
    // Past the old ceiling without a refusal: the limit was raised, climb fast again.
    if (this.ceiling !== null && this.rate > this.ceiling) this.ceiling = null;
    return true;
  }
}
