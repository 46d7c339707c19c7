import type { RetryClass } from "./types";

/** The catalogue of known messages (WG-API.md section 4). */
const KNOWN_MESSAGES: Readonly<Record<string, RetryClass>> = {
  REQUEST_LIMIT_EXCEEDED: "retry",
  SOURCE_NOT_AVAILABLE: "retry",
  METHOD_DISABLED: "retry-long",
  ACCOUNT_ID_LIST_LIMIT_EXCEEDED: "split",
  // A missing key is a config problem on the server side, so no agent can succeed with it.
  APPLICATION_ID_NOT_SPECIFIED: "fatal",
  INVALID_APPLICATION_ID: "fatal",
  APPLICATION_IS_BLOCKED: "fatal",
  INVALID_IP_ADDRESS: "fatal",
  METHOD_NOT_FOUND: "fatal",
  ACCOUNT_ID_NOT_SPECIFIED: "bug",
  INVALID_ACCOUNT_ID: "bug",
  INVALID_FIELDS: "bug",
  INVALID_LANGUAGE: "bug",
  FIELDS_LIST_LIMIT_EXCEEDED: "bug",
  SEARCH_NOT_SPECIFIED: "bug",
  NOT_ENOUGH_SEARCH_LENGTH: "bug",
  SEARCH_LIST_LIMIT_EXCEEDED: "bug",
  AUTH_CANCEL: "bug",
  AUTH_EXPIRED: "bug",
  AUTH_ERROR: "bug",
};

/**
 * Classifies an API error by its message, falling back to WG's naming patterns for messages
 * the catalogue does not list.
 */
export function classifyApiError(message: string): RetryClass {
  const known = KNOWN_MESSAGES[message];
  if (known) return known;

  if (message.endsWith("_LIST_LIMIT_EXCEEDED")) return "split";
  if (message.startsWith("INVALID_")) return "bug";
  if (message.endsWith("_NOT_SPECIFIED")) return "bug";
  if (message.endsWith("_NOT_FOUND")) return "bug";

  // WG-API.md: an unknown 5xx is retried; an unknown 4xx is reported after N tries. Both come
  // down to a bounded retry, because the client never tries more than maxAttempts times.
  return "retry";
}
