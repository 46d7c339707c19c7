import type { Player } from "../gen/tracker/v1/agent";
import { isObject, toPlayer } from "./player";
import { classifyApiError } from "./retry-class";
import type {
  AccountInfoAnswer,
  AccountInfoMalformed,
  AccountInfoOk,
  AccountInfoResult,
  ApiErrorDetail,
  SuspectEntry,
} from "./types";

const DECIMAL_KEY = /^[0-9]{1,16}$/;

function malformed(httpStatus: number, reason: string): AccountInfoMalformed {
  return { kind: "malformed", httpStatus, reason, retryable: true };
}

function looksLikeHtml(contentType: string | undefined, body: string): boolean {
  return (contentType ?? "").toLowerCase().includes("html") || body.trimStart().startsWith("<");
}

/**
 * Parses one account/info answer. Never throws: anything that is not a well-formed envelope
 * is a retryable `malformed` result, so a half-read body is never ingested.
 */
export function parseAccountInfo(answer: AccountInfoAnswer): AccountInfoResult {
  const { httpStatus, contentType, body } = answer;

  // Envelopes only come with HTTP 200; anything else is the edge talking (WG-API.md §6.2-6.3).
  if (httpStatus !== 200) {
    const what = looksLikeHtml(contentType, body) ? "HTML" : "non-envelope";
    return malformed(httpStatus, `HTTP ${httpStatus} with a ${what} body`);
  }
  if (body.trim() === "") return malformed(httpStatus, "empty body");
  if (looksLikeHtml(contentType, body)) return malformed(httpStatus, "HTML body with HTTP 200");

  let envelope: unknown;
  try {
    envelope = JSON.parse(body);
  } catch (err) {
    return malformed(httpStatus, `invalid JSON: ${(err as Error).message}`);
  }

  return parseEnvelope(answer, envelope);
}

function parseEnvelope(answer: AccountInfoAnswer, envelope: unknown): AccountInfoResult {
  const { httpStatus } = answer;
  if (!isObject(envelope)) return malformed(httpStatus, "envelope is not a JSON object");

  if (envelope.status === "error") return parseErrorEnvelope(httpStatus, envelope.error);
  if (envelope.status !== "ok") {
    return malformed(httpStatus, `status is ${JSON.stringify(envelope.status)}`);
  }

  if (!isObject(envelope.data)) return malformed(httpStatus, "status ok without a data object");
  return parseData(answer, envelope.data, envelope.meta);
}

function parseErrorEnvelope(httpStatus: number, error: unknown): AccountInfoResult {
  if (typeof error === "string") return malformed(httpStatus, `error is a bare string: ${error}`);
  if (!isObject(error) || typeof error.message !== "string" || error.message === "") {
    return malformed(httpStatus, "status error without an error message");
  }

  const detail: ApiErrorDetail = {
    code: typeof error.code === "number" ? error.code : 0,
    message: error.message,
    field: typeof error.field === "string" ? error.field : null,
    value: typeof error.value === "string" ? error.value : null,
  };
  return { kind: "api-error", httpStatus, error: detail, retry: classifyApiError(detail.message) };
}

function parseData(
  answer: AccountInfoAnswer,
  data: Record<string, unknown>,
  meta: unknown,
): AccountInfoOk {
  const requested = new Set(answer.requestedIds);
  const players: Player[] = [];
  const nullIds: number[] = [];
  const unrequestedIds: number[] = [];
  const suspect: SuspectEntry[] = [];
  const seen = new Set<number>();

  for (const [key, raw] of Object.entries(data)) {
    const accountId = DECIMAL_KEY.test(key) ? Number(key) : NaN;
    if (!requested.has(accountId)) {
      unrequestedIds.push(accountId);
      continue;
    }
    seen.add(accountId);

    if (raw === null) {
      nullIds.push(accountId);
      continue;
    }
    const entry = isObject(raw) ? toPlayer(accountId, raw) : { suspect: "entry is not an object" };
    if ("player" in entry) players.push(entry.player);
    else suspect.push({ accountId, reason: entry.suspect });
  }

  const metaCount = isObject(meta) && typeof meta.count === "number" ? meta.count : null;
  return {
    kind: "ok",
    httpStatus: answer.httpStatus,
    players,
    nullIds,
    missingIds: [...requested].filter((id) => !seen.has(id)),
    unrequestedIds,
    suspect,
    metaCount,
    metaCountMismatch: metaCount !== Object.keys(data).length,
  };
}
