import type { Player } from "../gen/tracker/v1/agent";

/** The `error` object of an API error envelope (`status: "error"`). */
export interface ApiErrorDetail {
  /** Looks like an HTTP code but is not the HTTP status; 0 when the API sent none. */
  code: number;
  /** UPPER_SNAKE message such as REQUEST_LIMIT_EXCEEDED; the only thing to dispatch on. */
  message: string;
  /** Parameter at fault, null for limit and availability errors. */
  field: string | null;
  /** The offending input echoed back, null when none. */
  value: string | null;
}

/**
 * What to do after an API error:
 * - retry: same request again after a backoff delay;
 * - retry-long: the method is switched off; try again only after minutes;
 * - split: too many ids; send the ids in smaller requests;
 * - fatal: retrying with the same config (API key, base URL) cannot help;
 * - bug: our request was wrong; report it instead of retrying blindly.
 */
export type RetryClass = "retry" | "retry-long" | "split" | "fatal" | "bug";

/** One HTTP answer to an `account/info` request, as the parser needs it. */
export interface AccountInfoAnswer {
  /** The ids that were sent; anything else in `data` is dropped. */
  requestedIds: readonly number[];
  httpStatus: number;
  contentType: string | undefined;
  body: string;
}

/** A data entry that cannot be trusted, so the whole answer is suspect. */
export interface SuspectEntry {
  accountId: number;
  reason: string;
}

export interface AccountInfoOk {
  kind: "ok";
  httpStatus: number;
  /** Requested ids answered with an object, in the proto shape. */
  players: Player[];
  /** Requested ids answered null: no such account. */
  nullIds: number[];
  /** Requested ids absent from `data`: unknown this time, not deleted. */
  missingIds: number[];
  /** Ids in `data` that were not requested (dropped). */
  unrequestedIds: number[];
  /** Requested ids whose entry is unusable (e.g. account_id differs from the key). */
  suspect: SuspectEntry[];
  /** meta.count as sent, null when absent or not a number. */
  metaCount: number | null;
  /** True when meta.count differs from the number of keys in `data` (trust `data`). */
  metaCountMismatch: boolean;
}

export interface AccountInfoApiError {
  kind: "api-error";
  httpStatus: number;
  error: ApiErrorDetail;
  retry: RetryClass;
}

export interface AccountInfoMalformed {
  kind: "malformed";
  httpStatus: number;
  reason: string;
  /** Always true: a malformed answer is never partially ingested, only asked again. */
  retryable: true;
}

export type AccountInfoResult = AccountInfoOk | AccountInfoApiError | AccountInfoMalformed;
