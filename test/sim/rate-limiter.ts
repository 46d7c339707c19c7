import type { ApiKey } from "./api-keys";
import { SlidingWindow } from "./sliding-window";

/**
 * Request budgets: one sliding window per server key, one per (standalone key, client IP).
 * Only requests let through use up the budget; a refused request costs nothing.
 */
export class RateLimiter {
  private windows = new Map<string, SlidingWindow>();

  /** Whether the request fits the key's budget; records it when it does. */
  admit(key: ApiKey, clientIp: string, nowMs: number, enforce: boolean): boolean {
    const window = this.windowOf(bucketName(key, clientIp));
    if (enforce && window.countAt(nowMs) >= key.requestsPerSecond) {
      return false;
    }
    window.add(nowMs);
    return true;
  }

  /** Most requests let through in any 1000 ms window by one bucket of the key. */
  maxInAnyWindow(applicationId: string): number {
    let max = 0;
    for (const [name, window] of this.windows) {
      if (name === applicationId || name.startsWith(`${applicationId}@`)) {
        max = Math.max(max, window.maxInWindow);
      }
    }
    return max;
  }

  /** Restarts the maxima (for /sim/reset-stats) but keeps the budgets already used. */
  resetMaxima(): void {
    for (const window of this.windows.values()) {
      window.maxInWindow = 0;
    }
  }

  private windowOf(name: string): SlidingWindow {
    let window = this.windows.get(name);
    if (window === undefined) {
      window = new SlidingWindow();
      this.windows.set(name, window);
    }
    return window;
  }
}

function bucketName(key: ApiKey, clientIp: string): string {
  return key.kind === "server" ? key.applicationId : `${key.applicationId}@${clientIp}`;
}
