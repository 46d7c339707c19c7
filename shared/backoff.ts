/** First delay of a backoff sequence. */
export const BACKOFF_INITIAL_MS = 500;
/** Each delay is this many times the previous one. */
export const BACKOFF_MULTIPLIER = 2;
/** Delays never grow past this. */
export const BACKOFF_MAX_MS = 30_000;
/** Share of each delay that is randomised, so that many agents do not retry in step. */
export const BACKOFF_JITTER = 0.2;

export interface BackoffOptions {
  initialMs?: number;
  multiplier?: number;
  maxMs?: number;
  jitter?: number;
  random?: () => number;
}

/**
 * Exponential backoff with jitter, used by the agent's reconnect loop and its API retries.
 * Call next() for each failure; reset() after a success.
 */
export class Backoff {
  private readonly initialMs: number;
  private readonly multiplier: number;
  private readonly maxMs: number;
  private readonly jitter: number;
  private readonly random: () => number;
  /** Failures since the last reset. */
  private failures = 0;

  constructor(options: BackoffOptions = {}) {
    this.initialMs = options.initialMs ?? BACKOFF_INITIAL_MS;
    this.multiplier = options.multiplier ?? BACKOFF_MULTIPLIER;
    this.maxMs = options.maxMs ?? BACKOFF_MAX_MS;
    this.jitter = options.jitter ?? BACKOFF_JITTER;
    this.random = options.random ?? Math.random;
  }

  /** The delay to wait before the next attempt. */
  next(): number {
    const base = Math.min(this.maxMs, this.initialMs * this.multiplier ** this.failures);
    this.failures += 1;
    const spread = base * this.jitter;
    return Math.max(0, Math.round(base - spread + this.random() * 2 * spread));
  }

  reset(): void {
    this.failures = 0;
  }

  get attempts(): number {
    return this.failures;
  }
}

/** Resolves after ms, or rejects with the signal's reason when it aborts first. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(done, ms);
    function done() {
      signal?.removeEventListener("abort", abort);
      resolve();
    }
    function abort() {
      clearTimeout(timer);
      reject(signal?.reason);
    }
    signal?.addEventListener("abort", abort, { once: true });
  });
}
