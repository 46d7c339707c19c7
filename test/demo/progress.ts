import type { Status } from "../../shared/gen/tracker/v1/admin";

/** One line of progress for a round: batches done of total, rate, ETA. */
export function progressLine(status: Status): string {
  const r = status.round;
  if (!r) return "waiting for the round to start";
  const finished = r.batchesDone + r.batchesFailed;
  const pct = r.batchesTotal > 0 ? (100 * finished) / r.batchesTotal : 0;
  const eta = status.etaSeconds > 0 ? `ETA ${Math.ceil(status.etaSeconds)}s` : "ETA -";
  return [
    `round ${r.id} (${r.statDay}) ${r.state}:`,
    `${finished}/${r.batchesTotal} batches`,
    `${pct.toFixed(0).padStart(3)}%`,
    `${status.batchesPerSecond.toFixed(1)} batches/s`,
    `${status.requestsPerSecond.toFixed(1)} API req/s`,
    `${r.playersMerged} players`,
    `${status.agentsConnected} agents`,
    eta,
  ].join("  ");
}

/** Writes progress lines: rewritten in place on a terminal, one every few seconds otherwise. */
export class ProgressDisplay {
  private lastPrinted = 0;
  private readonly tty = Boolean(process.stdout.isTTY);

  constructor(private readonly everyMs = 5000) {}

  update(line: string): void {
    if (this.tty) {
      process.stdout.write(`\r\x1b[2K${line}`);
      return;
    }
    const now = Date.now();
    if (now - this.lastPrinted >= this.everyMs) {
      this.lastPrinted = now;
      process.stdout.write(`${line}\n`);
    }
  }

  done(line: string): void {
    process.stdout.write(this.tty ? `\r\x1b[2K${line}\n` : `${line}\n`);
    this.lastPrinted = 0;
  }
}
