import { Backoff, sleep, type BackoffOptions } from "../../shared/backoff";
import type { Logger } from "../../shared/log";
import type { Sql } from "../db/pool";
import { mergeResults } from "./merge";
import type { AcceptedResult, MergeOutcome } from "./types";

/** Player rows that trigger a flush at once. */
export const DEFAULT_FLUSH_ROWS = 5_000;
/** Longest wait, from the first buffered result, before a flush. */
export const DEFAULT_FLUSH_MS = 200;
/** Backlog from which the caller should stop granting credit. */
export const DEFAULT_HIGH_WATER_ROWS = 20_000;

/** SQLSTATE classes that retrying the same rows cannot cure: data exception, integrity. */
const DATA_EXCEPTION_CLASS = "22";
const INTEGRITY_VIOLATION_CLASS = "23";

/** What became of one result: committed, or refused because its lease was no longer current. */
export type ResultOutcome = "committed" | "stale";

export interface IngestBufferOptions {
  log: Logger;
  /** @default 5000 */
  flushRows?: number;
  /** @default 200 */
  flushMs?: number;
  /** @default 20000 */
  highWaterRows?: number;
  /** Delays between retries of a failed flush. @default shared/backoff defaults */
  backoff?: BackoffOptions;
  /** The merge to call; tests replace it. @default mergeResults */
  merge?: (sql: Sql, results: AcceptedResult[]) => Promise<MergeOutcome>;
}

interface Entry {
  result: AcceptedResult;
  addedAt: number;
  /** Set after a flush it was in failed on its data: it is then retried alone. */
  suspect: boolean;
  resolve(outcome: ResultOutcome): void;
  reject(err: unknown): void;
}

/**
 * A bounded buffer in front of mergeResults. Results are flushed when flushRows players are
 * buffered or flushMs after the first one arrived, one flush at a time. add() resolves only
 * after the commit that included the result. A flush that fails on the database keeps its
 * results and is retried with backoff; they are never dropped and never reported done.
 */
export class IngestBuffer {
  private readonly flushRows: number;
  private readonly flushMs: number;
  private readonly highWaterRows: number;
  private readonly backoff: Backoff;
  private readonly merge: (sql: Sql, results: AcceptedResult[]) => Promise<MergeOutcome>;
  private readonly log: Logger;
  /** Results waiting for a flush, oldest first. */
  private pending: Entry[] = [];
  private pendingRows = 0;
  /** Rows of the flush under way. */
  private flushingRows = 0;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private closing = false;

  constructor(
    private readonly sql: Sql,
    options: IngestBufferOptions,
  ) {
    this.log = options.log;
    this.flushRows = options.flushRows ?? DEFAULT_FLUSH_ROWS;
    this.flushMs = options.flushMs ?? DEFAULT_FLUSH_MS;
    this.highWaterRows = options.highWaterRows ?? DEFAULT_HIGH_WATER_ROWS;
    this.backoff = new Backoff(options.backoff);
    this.merge = options.merge ?? mergeResults;
  }

  /** Player rows buffered or being flushed. */
  get backlogRows(): number {
    return this.pendingRows + this.flushingRows;
  }

  /** True while the backlog is at or above highWaterRows: stop granting credit. */
  get isBehind(): boolean {
    return this.backlogRows >= this.highWaterRows;
  }

  add(result: AcceptedResult): Promise<ResultOutcome> {
    if (this.closing) return Promise.reject(new Error("ingest buffer is closed"));
    return new Promise((resolve, reject) => {
      this.pending.push({ result, addedAt: Date.now(), suspect: false, resolve, reject });
      this.pendingRows += result.players.length;
      this.schedule();
    });
  }

  /**
   * Flushes everything buffered and refuses new results.
   * LIMITATION: close() waits for as long as the database stays unreachable; it has no timeout.
   */
  async close(): Promise<void> {
    this.closing = true;
    this.schedule();
    while (this.running) await this.running;
  }

  private schedule(): void {
    if (this.running || this.pending.length === 0) return;
    const waitedMs = Date.now() - this.pending[0].addedAt;
    if (this.closing || this.pendingRows >= this.flushRows || waitedMs >= this.flushMs) {
      this.clearTimer();
      this.running = this.drain().finally(() => {
        this.running = null;
        this.schedule();
      });
    } else if (!this.timer) {
      this.timer = setTimeout(() => {
        this.timer = null;
        this.schedule();
      }, this.flushMs - waitedMs);
    }
  }

  private clearTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  /** Flushes until what is left is below the size trigger and not yet due. */
  private async drain(): Promise<void> {
    while (this.pending.length > 0) {
      const due = Date.now() - this.pending[0].addedAt >= this.flushMs;
      if (!this.closing && !due && this.pendingRows < this.flushRows) return;
      const entries = this.take();
      const ok = await this.flush(entries);
      if (!ok) await sleep(this.backoff.next());
    }
  }

  /** Oldest results up to flushRows players; a suspect result goes alone. */
  private take(): Entry[] {
    let count = 0;
    let rows = 0;
    if (this.pending[0].suspect) count = 1;
    else {
      while (count < this.pending.length && rows < this.flushRows && !this.pending[count].suspect) {
        rows += this.pending[count].result.players.length;
        count += 1;
      }
    }
    const entries = this.pending.splice(0, count);
    this.flushingRows = rowsOf(entries);
    this.pendingRows -= this.flushingRows;
    return entries;
  }

  /** Returns false when the flush failed and its results went back to the buffer. */
  private async flush(entries: Entry[]): Promise<boolean> {
    const results = entries.map((e) => e.result);
    try {
      const outcome = await this.merge(this.sql, results);
      this.flushingRows = 0;
      this.backoff.reset();
      const stale = new Set(outcome.rejectedLeases);
      entries.forEach((e) => e.resolve(stale.has(e.result.leaseId) ? "stale" : "committed"));
      this.log.debug({ ...outcome, batchesDone: outcome.batchesDone.length }, "ingest flushed");
      return true;
    } catch (err) {
      this.flushingRows = 0;
      return this.failed(entries, err);
    }
  }

  private failed(entries: Entry[], err: unknown): boolean {
    const batchIds = entries.map((e) => e.result.batchId);
    if (isDataError(err) && entries.length === 1) {
      this.log.error({ err, batchIds }, "ingest result refused by the database");
      entries[0].reject(err);
      return true;
    }
    if (isDataError(err)) entries.forEach((e) => (e.suspect = true));
    this.pending.unshift(...entries);
    this.pendingRows += rowsOf(entries);
    this.log.warn({ err, batchIds, attempt: this.backoff.attempts + 1 }, "ingest flush failed");
    return false;
  }
}

function rowsOf(entries: Entry[]): number {
  return entries.reduce((sum, e) => sum + e.result.players.length, 0);
}

/** An error in the rows themselves: the same rows would fail again however often retried. */
function isDataError(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code !== "string" || code.length !== 5) return false;
  const sqlClass = code.slice(0, 2);
  return sqlClass === DATA_EXCEPTION_CLASS || sqlClass === INTEGRITY_VIOLATION_CLASS;
}
