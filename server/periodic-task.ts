/**
 * Runs an async step every periodMs, never two at once: a step still running when the next
 * period comes is not started again. Each step handles its own errors; a rejection that slips
 * through is dropped here rather than crashing the process. stop() waits for the running step.
 */
export class PeriodicTask {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;

  constructor(
    private readonly periodMs: number,
    private readonly step: () => Promise<unknown>,
  ) {}

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => {
      if (this.running) return;
      this.running = this.step()
        .then(
          () => undefined,
          () => undefined,
        )
        .finally(() => (this.running = null));
    }, this.periodMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running;
  }
}
