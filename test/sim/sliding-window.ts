/** Length of the rate-limit window. */
export const WINDOW_MS = 1000;

/**
 * Times of the requests a budget has let through during the last WINDOW_MS. A request at time
 * t fits when fewer than N requests were let through in (t - 1000 ms, t]: at most N requests
 * in any 1000 ms window, and a burst of N at once is allowed (WG-API.md §5 calls the limiter "a
 * short sliding window"; a token bucket would forbid that burst once drained).
 */
export class SlidingWindow {
  private times: number[] = [];
  private head = 0;
  /** Highest number of requests ever seen inside one window. */
  maxInWindow = 0;

  /** Requests let through in (nowMs - WINDOW_MS, nowMs]. */
  countAt(nowMs: number): number {
    this.forgetBefore(nowMs - WINDOW_MS);
    return this.times.length - this.head;
  }

  /** Records a request let through at nowMs (times must not go backwards). */
  add(nowMs: number): void {
    this.times.push(nowMs);
    this.maxInWindow = Math.max(this.maxInWindow, this.countAt(nowMs));
  }

  private forgetBefore(limitMs: number): void {
    while (this.head < this.times.length && this.times[this.head] <= limitMs) {
      this.head++;
    }
    // Compact now and then so the array does not grow with the whole history.
    if (this.head > 1024 && this.head * 2 > this.times.length) {
      this.times = this.times.slice(this.head);
      this.head = 0;
    }
  }
}
