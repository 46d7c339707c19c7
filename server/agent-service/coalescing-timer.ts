/**
 * Runs an action at most once per periodMs: a request with no run in the last period runs at
 * once, later ones are merged into one run at the end of the period. Used where each event
 * would otherwise fan out to every session (a thousand agents joining in a few seconds).
 */
export class CoalescingTimer {
  private timer: NodeJS.Timeout | null = null;
  private lastRunMs = -Infinity;

  constructor(
    private readonly periodMs: number,
    private readonly action: () => void,
  ) {}

  request(nowMs = Date.now()): void {
    if (this.timer) return;

    const waitMs = this.lastRunMs + this.periodMs - nowMs;
    if (waitMs <= 0) return this.run();
    this.timer = setTimeout(() => this.run(), waitMs);
    this.timer.unref();
  }

  /** Runs now, dropping a run that was waiting. */
  runNow(): void {
    this.run();
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private run(): void {
    this.stop();
    this.lastRunMs = Date.now();
    this.action();
  }
}
