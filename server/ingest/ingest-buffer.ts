import { Backoff, type BackoffOptions } from "../../shared/backoff";
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
/**
 * Flushes under way at once. Two keep PostgreSQL busy on one core while the other is between
 * statements or building the next COPY; flushes of different accounts never wait for each
 * other (see mergeStagedPlayers).
 */
export const DEFAULT_CONCURRENT_FLUSHES = 2;

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
  /** @default 2 */
  concurrentFlushes?: number;
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
 * buffered or flushMs after the first one arrived, up to concurrentFlushes flushes at a time.
 * add() resolves only after the commit that included the result. A flush that fails on the
 * database keeps its results and is retried with backoff; they are never dropped and never
 * reported done.
 */
export class IngestBuffer {
  private readonly flushRows: number;
  private readonly flushMs: number;
  private readonly highWaterRows: number;
  private readonly concurrentFlushes: number;
  private readonly backoff: Backoff;
  private readonly merge: (sql: Sql, results: AcceptedResult[]) => Promise<MergeOutcome>;
  private readonly log: Logger;
  /** Results waiting for a flush, oldest first. */
  private pending: Entry[] = [];
  private pendingRows = 0;
  /** Rows of the flushes under way. */
  private flushingRows = 0;
  private flushing = 0;
  /** After a failed flush, none starts before this time (Date.now()). */
  private retryAt = 0;
  /** Called whenever a flush ends; close() waits on them. */
  private flushEnded: (() => void)[] = [];
  private timer: NodeJS.Timeout | null = null;
  private closing = false;

  constructor(
    private readonly sql: Sql,
    options: IngestBufferOptions,
  ) {
    this.log = options.log;
    this.flushRows = options.flushRows ?? DEFAULT_FLUSH_ROWS;
    this.flushMs = options.flushMs ?? DEFAULT_FLUSH_MS;
    this.highWaterRows = options.highWaterRows ?? DEFAULT_HIGH_WATER_ROWS;
    this.concurrentFlushes = options.concurrentFlushes ?? DEFAULT_CONCURRENT_FLUSHES;
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
    while (this.flushing > 0 || this.pending.length > 0) {
      await new Promise<void>((resolve) => this.flushEnded.push(resolve));
    }
  }

  /** Starts every flush that is due and has a free slot; arms the timer for the next one. */
  private schedule(): void {
    while (this.flushing < this.concurrentFlushes && this.pending.length > 0) {
      const now = Date.now();
      if (now < this.retryAt) return this.arm(this.retryAt - now);
      const waitedMs = now - this.pending[0].addedAt;
      const due = this.closing || this.pendingRows >= this.flushRows || waitedMs >= this.flushMs;
      if (!due) return this.arm(this.flushMs - waitedMs);

      this.clearTimer();
      const entries = this.take();
      this.flushing += 1;
      void this.flush(entries).then((ok) => this.ended(ok));
    }
  }

  private ended(ok: boolean): void {
    this.flushing -= 1;
    if (!ok) this.retryAt = Date.now() + this.backoff.next();
    this.schedule();
    const waiters = this.flushEnded.splice(0);
    waiters.forEach((resolve) => resolve());
  }

  private arm(delayMs: number): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.schedule();
    }, delayMs);
  }

  private clearTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
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
    this.flushingRows += rowsOf(entries);
    this.pendingRows -= rowsOf(entries);
    return entries;
  }

  /** Returns false when the flush failed and its results went back to the buffer. */
  private async flush(entries: Entry[]): Promise<boolean> {
    const results = entries.map((e) => e.result);
    try {
      const outcome = await this.merge(this.sql, results);
      this.flushingRows -= rowsOf(entries);
      this.backoff.reset();
      const stale = new Set(outcome.rejectedLeases);
      entries.forEach((e) => e.resolve(stale.has(e.result.leaseId) ? "stale" : "committed"));
      this.log.debug({ ...outcome, batchesDone: outcome.batchesDone.length }, "ingest flushed");
      return true;
    } catch (err) {
      this.flushingRows -= rowsOf(entries);
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
