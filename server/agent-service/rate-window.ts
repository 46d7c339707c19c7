/** Sums of events over a sliding time window, in one-second buckets. */
export class RateWindow {
  private readonly buckets: number[];
  private readonly stamps: number[];
  /** Time of the first event ever added, so a young window is not diluted by empty seconds. */
  private firstMs = 0;

  constructor(private readonly windowMs: number) {
    const n = Math.ceil(windowMs / 1000);
    this.buckets = new Array<number>(n).fill(0);
    this.stamps = new Array<number>(n).fill(0);
  }

  add(amount: number, nowMs = Date.now()): void {
    if (this.firstMs === 0) this.firstMs = nowMs;
    const second = Math.floor(nowMs / 1000);
    const i = second % this.buckets.length;
    if (this.stamps[i] !== second) {
      this.stamps[i] = second;
      this.buckets[i] = 0;
    }
    this.buckets[i] += amount;
  }

  /** Events per second over the window, or over the time since the first event if shorter. */
  perSecond(nowMs = Date.now(), sinceMs = this.firstMs): number {
    const second = Math.floor(nowMs / 1000);
    const oldest = second - this.buckets.length + 1;
    let sum = 0;
    for (let i = 0; i < this.buckets.length; i++) {
      if (this.stamps[i] >= oldest) sum += this.buckets[i];
    }
    const spanMs = Math.min(this.windowMs, sinceMs > 0 ? Math.max(1000, nowMs - sinceMs) : this.windowMs);
    return sum / (spanMs / 1000);
  }
}
