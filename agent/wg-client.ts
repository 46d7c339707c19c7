import type { Player } from "../shared/gen/tracker/v1/agent";
import { Backoff, sleep } from "../shared/backoff";
import { silentLogger, type Logger } from "../shared/log";
import {
  MAX_IDS_PER_REQUEST,
  buildAccountInfoUrl,
  isValidAccountId,
  parseAccountInfo,
  uniqueAccountIds,
} from "../shared/wg-api";
import type { AgentSettings } from "./agent-settings";
import { decideAnswer, type AnswerFault, type AnswerStep } from "./answer-decision";
import { NodeHttpGetter, TransportError, type HttpGetter } from "./http-get";
import type { RateLimiter } from "./rate-limiter";

export interface BatchFetched {
  kind: "fetched";
  /** Requested ids answered with an object. */
  players: Player[];
  /** Requested ids answered null (no such account). */
  nullIds: number[];
  /** Assigned ids never sent because they cannot be account ids, or the API named them invalid. */
  droppedIds: number[];
  /** Requests made for the batch, retries and split halves included. */
  requests: number;
  /** Of those, answered REQUEST_LIMIT_EXCEEDED; reported so the server can lower the share. */
  rateLimited: number;
  /** When the last accepted answer arrived, unix milliseconds. */
  fetchedAtMs: number;
}

export interface BatchFetchFailed extends AnswerFault {
  kind: "failed";
  /** Retrying with the same Config cannot help (bad API key, wrong base URL). */
  fatal: boolean;
  /** Take no new work for this long (METHOD_DISABLED); 0 for none. */
  pauseMs: number;
  requests: number;
}

export type BatchFetch = BatchFetched | BatchFetchFailed;

/** Counters over the client's life, for logs and telemetry. */
export interface WgClientCounters {
  requests: number;
  apiErrors: number;
  rateLimited: number;
}

export interface WgClientOptions {
  settings: AgentSettings;
  rateLimiter: RateLimiter;
  logger?: Logger;
  http?: HttpGetter;
}

/** Mutable state of one batch fetch, shared by its split halves. */
interface BatchRun {
  requests: number;
  rateLimited: number;
  fetchedAtMs: number;
  droppedIds: number[];
  signal: AbortSignal;
}

type GroupOutcome =
  | { kind: "fetched"; players: Player[]; nullIds: number[] }
  | ({ kind: "failed"; fatal: boolean; pauseMs: number } & AnswerFault);

/**
 * Fetches batches from account/info with the retry rules of WG-API.md: every request takes a
 * rate-limiter token first, and settings are read at each attempt so a new Config applies at
 * once, even to a batch in progress.
 */
export class WgClient {
  private settings: AgentSettings;
  private readonly rateLimiter: RateLimiter;
  private readonly log: Logger;
  private readonly http: HttpGetter;
  readonly counters: WgClientCounters = { requests: 0, apiErrors: 0, rateLimited: 0 };

  constructor(options: WgClientOptions) {
    this.settings = options.settings;
    this.rateLimiter = options.rateLimiter;
    this.log = options.logger ?? silentLogger();
    this.http = options.http ?? new NodeHttpGetter();
  }

  configure(settings: AgentSettings): void {
    this.settings = settings;
  }

  /** Closes idle keep-alive sockets. */
  close(): void {
    this.http.close();
  }

  /**
   * Fetches one batch. Resolves with the players or a failure; rejects only with the signal's
   * reason when it aborts (Revoke, shutdown).
   */
  async fetchBatch(accountIds: readonly number[], signal: AbortSignal): Promise<BatchFetch> {
    const unique = uniqueAccountIds(accountIds);
    const run: BatchRun = {
      requests: 0,
      rateLimited: 0,
      fetchedAtMs: Date.now(),
      droppedIds: unique.filter((id) => !isValidAccountId(id)),
      signal,
    };
    if (run.droppedIds.length > 0) {
      this.log.warn({ droppedIds: run.droppedIds }, "assigned ids that cannot be accounts dropped");
    }

    const groups = chunk(unique.filter(isValidAccountId), MAX_IDS_PER_REQUEST);
    const outcome = await this.fetchGroups(groups, run);

    if (outcome.kind === "failed") {
      const { kind, ...failure } = outcome;
      return { kind, ...failure, requests: run.requests };
    }
    return {
      kind: "fetched",
      players: outcome.players,
      nullIds: outcome.nullIds,
      droppedIds: run.droppedIds,
      requests: run.requests,
      rateLimited: run.rateLimited,
      fetchedAtMs: run.fetchedAtMs,
    };
  }

  private async fetchGroups(groups: number[][], run: BatchRun): Promise<GroupOutcome> {
    const players: Player[] = [];
    const nullIds: number[] = [];

    // One group after another: the rate limiter serialises requests anyway, and a failure
    // stops the rest without wasting requests on a batch that is lost.
    for (const ids of groups) {
      const outcome = await this.fetchGroup(ids, run);
      if (outcome.kind === "failed") return outcome;
      players.push(...outcome.players);
      nullIds.push(...outcome.nullIds);
    }
    return { kind: "fetched", players, nullIds };
  }

  private async fetchGroup(ids: number[], run: BatchRun): Promise<GroupOutcome> {
    const { retryInitialMs, retryMaxMs } = this.settings;
    const backoff = new Backoff({ initialMs: retryInitialMs, maxMs: retryMaxMs });
    let sendIds = ids;
    let last: AnswerFault = { reason: "no attempt made", apiError: "", httpStatus: 0 };

    for (let attempt = 1; attempt <= this.settings.maxAttempts; attempt += 1) {
      const step = await this.attempt(sendIds, run);
      if (step.action === "accept") {
        return { kind: "fetched", players: step.players, nullIds: step.nullIds };
      }

      const { reason, apiError, httpStatus } = step;
      last = { reason, apiError, httpStatus };
      const batchSize = sendIds.length;
      this.log.warn({ attempt, batchSize, apiError, httpStatus, reason }, "request failed");

      if (step.action === "fail") {
        return { kind: "failed", ...last, fatal: step.fatal, pauseMs: step.pauseMs };
      }
      if (step.action === "split") return this.split(sendIds, run, last);
      if (step.action === "drop-ids") {
        sendIds = sendIds.filter((id) => !step.ids.includes(id));
        run.droppedIds.push(...step.ids);
        continue;
      }

      if (attempt < this.settings.maxAttempts) {
        await sleep(Math.max(step.minDelayMs, backoff.next()), run.signal);
      }
    }

    const reason = `gave up after ${this.settings.maxAttempts} attempts: ${last.reason}`;
    return { kind: "failed", ...last, reason, fatal: false, pauseMs: 0 };
  }

  private split(ids: number[], run: BatchRun, last: AnswerFault): Promise<GroupOutcome> {
    if (ids.length < 2) {
      return Promise.resolve({ kind: "failed", ...last, fatal: false, pauseMs: 0 });
    }
    const half = Math.ceil(ids.length / 2);
    return this.fetchGroups([ids.slice(0, half), ids.slice(half)], run);
  }

  /** One request: token, GET, parse, decide. */
  private async attempt(ids: number[], run: BatchRun): Promise<AnswerStep> {
    await this.rateLimiter.take(run.signal);
    const { apiBaseUrl, applicationId, fields, language, requestTimeoutMs } = this.settings;
    const request = { apiBaseUrl, applicationId, accountIds: ids, fields, language };
    const url = buildAccountInfoUrl(request);

    run.requests += 1;
    this.counters.requests += 1;
    let step: AnswerStep;
    try {
      const answer = await this.http.get(url, requestTimeoutMs, run.signal);
      const result = parseAccountInfo({ requestedIds: ids, ...answer, httpStatus: answer.status });
      step = decideAnswer(result, ids);
      if (result.kind === "ok" && result.metaCountMismatch) {
        this.log.warn({ metaCount: result.metaCount }, "meta.count disagrees with data");
      }
      if (result.kind === "api-error") this.counters.apiErrors += 1;
    } catch (err) {
      if (run.signal.aborted) throw run.signal.reason;
      if (!(err instanceof TransportError)) throw err;
      const reason = `${err.failure}: ${err.message}`;
      const fault = { reason, apiError: "", httpStatus: 0 };
      step = { action: "retry", minDelayMs: 0, rateLimited: false, ...fault };
    }

    if (step.action === "retry" && step.rateLimited) {
      this.counters.rateLimited += 1;
      run.rateLimited += 1;
    }
    if (step.action === "accept") {
      run.fetchedAtMs = Date.now();
      if (step.unrequestedIds.length > 0) {
        const { unrequestedIds } = step;
        this.log.warn({ unrequestedIds }, "unrequested ids in answer dropped");
      }
    }
    return step;
  }
}

function chunk(ids: number[], size: number): number[][] {
  const groups: number[][] = [];
  for (let start = 0; start < ids.length; start += size) {
    groups.push(ids.slice(start, start + size));
  }
  return groups;
}
