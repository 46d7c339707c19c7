import type { Player } from "../shared/gen/tracker/v1/agent";
import type { AccountInfoApiError, AccountInfoResult } from "../shared/wg-api";

/** REQUEST_LIMIT_EXCEEDED: the API's window is about one second, so never retry sooner. */
export const RATE_LIMITED_MIN_DELAY_MS = 1_000;
/** An HTTP 4xx from the edge is rare and usually lasts; retry slowly. */
export const EDGE_4XX_MIN_DELAY_MS = 5_000;
/** METHOD_DISABLED means maintenance: stop taking work for this long. */
export const METHOD_DISABLED_PAUSE_MS = 2 * 60_000;

/** What went wrong with an answer, in the terms of BatchFailed. */
export interface AnswerFault {
  reason: string;
  /** The API's error.message, empty for transport and malformed failures. */
  apiError: string;
  /** 0 when no HTTP answer arrived. */
  httpStatus: number;
}

/** The next step after one answer. */
export type AnswerStep =
  | { action: "accept"; players: Player[]; nullIds: number[]; unrequestedIds: number[] }
  | ({ action: "retry"; minDelayMs: number; rateLimited: boolean } & AnswerFault)
  | ({ action: "split" } & AnswerFault)
  | ({ action: "drop-ids"; ids: number[] } & AnswerFault)
  | ({ action: "fail"; fatal: boolean; pauseMs: number } & AnswerFault);

/** Decides what one parsed answer means for the request that produced it. */
export function decideAnswer(result: AccountInfoResult, sentIds: readonly number[]): AnswerStep {
  const { httpStatus } = result;

  if (result.kind === "malformed") {
    const slow = httpStatus >= 400 && httpStatus < 500;
    const minDelayMs = slow ? EDGE_4XX_MIN_DELAY_MS : 0;
    const reason = `malformed answer: ${result.reason}`;
    return { action: "retry", minDelayMs, rateLimited: false, reason, apiError: "", httpStatus };
  }
  if (result.kind === "api-error") return decideApiError(result, sentIds);

  const unsure = [...result.missingIds, ...result.suspect.map((entry) => entry.accountId)];
  if (unsure.length > 0) {
    const reason = `answer lacks usable entries for ids ${unsure.slice(0, 10).join(",")}`;
    const fault = { reason, apiError: "", httpStatus };
    return { action: "retry", minDelayMs: 0, rateLimited: false, ...fault };
  }

  const { players, nullIds, unrequestedIds } = result;
  return { action: "accept", players, nullIds, unrequestedIds };
}

function decideApiError(result: AccountInfoApiError, sentIds: readonly number[]): AnswerStep {
  const { message, field } = result.error;
  const { httpStatus } = result;
  const fault = { reason: `API error ${message}`, apiError: message, httpStatus };

  switch (result.retry) {
    case "retry": {
      const rateLimited = message === "REQUEST_LIMIT_EXCEEDED";
      const minDelayMs = rateLimited ? RATE_LIMITED_MIN_DELAY_MS : 0;
      return { action: "retry", minDelayMs, rateLimited, ...fault };
    }
    case "retry-long":
      return { action: "fail", fatal: false, pauseMs: METHOD_DISABLED_PAUSE_MS, ...fault };
    case "split":
      return { action: "split", ...fault };
    case "fatal":
      return { action: "fail", fatal: true, pauseMs: 0, ...fault };
    case "bug": {
      const offending = field === "account_id" ? echoedIds(result.error.value, sentIds) : [];
      if (message === "INVALID_ACCOUNT_ID" && offending.length > 0) {
        return { action: "drop-ids", ids: offending, ...fault };
      }
      return { action: "fail", fatal: false, pauseMs: 0, ...fault };
    }
  }
}

// LIMITATION: an INVALID_ACCOUNT_ID that echoes the whole id list fails the batch, because the
// agent does not bisect the list to find the id the API refuses.
/**
 * The sent ids an INVALID_ACCOUNT_ID error singles out. Only a strict subset counts: when
 * the API echoes the whole list, it names no culprit and nothing can be dropped safely.
 */
function echoedIds(value: string | null, sentIds: readonly number[]): number[] {
  if (value === null) return [];

  const sent = new Set(sentIds);
  const named = value.split(",").map((item) => Number(item.trim()));
  if (!named.every((id) => sent.has(id))) return [];

  const unique = [...new Set(named)];
  return unique.length < sent.size ? unique : [];
}
