/** Tokens a bucket holds at most unless told otherwise: one, so requests are evenly spaced. */
export const DEFAULT_BURST = 1;

/** Below this a float remainder counts as a whole token (rounding of elapsed time). */
const TOKEN_EPSILON = 1e-9;

export interface RateLimiterOptions {
  /** Tokens added per second; 0 holds every request until the rate is raised. */
  requestsPerSecond: number;
  /** Bucket size. @default 1 */
  burst?: number;
  /** Milliseconds clock, replaceable in tests. @default performance.now */
  now?: () => number;
}

interface Waiter {
  resolve: () => void;
  reject: (reason: unknown) => void;
  signal: AbortSignal | undefined;
  onAbort: () => void;
}

/**
 * Token bucket for API requests. Waiters are served first come, first served by one timer set
 * for the moment the next token is due, so waiting costs no CPU.
 */
export class RateLimiter {
  private requestsPerSecond: number;
  private readonly burst: number;
  private readonly now: () => number;
  private tokens: number;
  private refilledAtMs: number;
  private readonly waiters: Waiter[] = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(options: RateLimiterOptions) {
    this.requestsPerSecond = Math.max(0, options.requestsPerSecond);
    this.burst = Math.max(1, options.burst ?? DEFAULT_BURST);
    this.now = options.now ?? (() => performance.now());
    this.tokens = this.burst;
    this.refilledAtMs = this.now();
  }

  get rate(): number {
    return this.requestsPerSecond;
  }

  /** How many callers are waiting for a token. */
  get waiting(): number {
    return this.waiters.length;
  }

  /** Changes the rate at once; tokens earned so far were earned at the old rate. */
  setRate(requestsPerSecond: number): void {
    this.refill();
    this.requestsPerSecond = Math.max(0, requestsPerSecond);
    this.clearTimer();
    this.schedule();
  }

  /** Resolves when a token is taken; rejects with the signal's reason if it aborts first. */
  take(signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(signal.reason);

    this.refill();
    if (this.waiters.length === 0 && this.tokens >= 1 - TOKEN_EPSILON) {
      this.tokens -= 1;
      return Promise.resolve();
    }

    return new Promise((resolve, reject) => {
      const waiter: Waiter = { resolve, reject, signal, onAbort: () => this.drop(waiter) };
      signal?.addEventListener("abort", waiter.onAbort, { once: true });
      this.waiters.push(waiter);
      this.schedule();
    });
  }

  /** Rejects every waiter and stops the timer; the limiter can still be used afterwards. */
  close(reason: unknown = new Error("rate limiter closed")): void {
    this.clearTimer();
    for (const waiter of this.waiters.splice(0)) {
      waiter.signal?.removeEventListener("abort", waiter.onAbort);
      waiter.reject(reason);
    }
  }

  private refill(): void {
    const nowMs = this.now();
    const earned = ((nowMs - this.refilledAtMs) * this.requestsPerSecond) / 1000;
    this.tokens = Math.min(this.burst, this.tokens + earned);
    this.refilledAtMs = nowMs;
  }

  private schedule(): void {
    if (this.timer || this.waiters.length === 0 || this.requestsPerSecond <= 0) return;

    const waitMs = Math.max(0, ((1 - this.tokens) * 1000) / this.requestsPerSecond);
    this.timer = setTimeout(() => this.serve(), Math.ceil(waitMs));
  }

  private serve(): void {
    this.timer = undefined;
    this.refill();

    while (this.waiters.length > 0 && this.tokens >= 1 - TOKEN_EPSILON) {
      const waiter = this.waiters.shift() as Waiter;
      waiter.signal?.removeEventListener("abort", waiter.onAbort);
      this.tokens -= 1;
      waiter.resolve();
    }
    this.schedule();
  }

  private drop(waiter: Waiter): void {
    const index = this.waiters.indexOf(waiter);
    if (index >= 0) this.waiters.splice(index, 1);
    if (this.waiters.length === 0) this.clearTimer();
    waiter.reject(waiter.signal?.reason);
  }

  private clearTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }
}
