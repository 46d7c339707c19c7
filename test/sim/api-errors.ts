/** The `error` member of a WG error envelope. */
export interface ApiError {
  code: number;
  message: string;
  field: string | null;
  value: string | null;
}

/** Error envelopes of WG-API.md section 4, each answered with HTTP 200. */
export const apiErrors = {
  methodNotFound: (): ApiError => error(404, "METHOD_NOT_FOUND"),
  methodDisabled: (): ApiError => error(405, "METHOD_DISABLED"),
  sourceNotAvailable: (): ApiError => error(504, "SOURCE_NOT_AVAILABLE"),
  requestLimitExceeded: (): ApiError => error(407, "REQUEST_LIMIT_EXCEEDED"),
  applicationIsBlocked: (): ApiError => error(407, "APPLICATION_IS_BLOCKED"),
  invalidIpAddress: (): ApiError => error(407, "INVALID_IP_ADDRESS"),
  applicationIdNotSpecified: (): ApiError =>
    error(402, "APPLICATION_ID_NOT_SPECIFIED", "application_id"),
  invalidApplicationId: (value: string): ApiError =>
    error(407, "INVALID_APPLICATION_ID", "application_id", value),
  accountIdNotSpecified: (): ApiError => error(402, "ACCOUNT_ID_NOT_SPECIFIED", "account_id"),
  invalidAccountId: (value: string): ApiError =>
    error(407, "INVALID_ACCOUNT_ID", "account_id", value),
  accountIdListLimitExceeded: (value: string): ApiError =>
    error(407, "ACCOUNT_ID_LIST_LIMIT_EXCEEDED", "account_id", value),
  invalidFields: (value: string): ApiError => error(407, "INVALID_FIELDS", "fields", value),
  fieldsListLimitExceeded: (value: string): ApiError =>
    error(407, "FIELDS_LIST_LIMIT_EXCEEDED", "fields", value),
  invalidLanguage: (value: string): ApiError => error(407, "INVALID_LANGUAGE", "language", value),
  searchNotSpecified: (): ApiError => error(402, "SEARCH_NOT_SPECIFIED", "search"),
  notEnoughSearchLength: (value: string): ApiError =>
    error(407, "NOT_ENOUGH_SEARCH_LENGTH", "search", value),
  searchListLimitExceeded: (value: string): ApiError =>
    error(407, "SEARCH_LIST_LIMIT_EXCEEDED", "search", value),
  invalidType: (value: string): ApiError => error(407, "INVALID_TYPE", "type", value),
  invalidLimit: (value: string): ApiError => error(407, "INVALID_LIMIT", "limit", value),
};

function error(
  code: number,
  message: string,
  field: string | null = null,
  value: string | null = null,
): ApiError {
  return { code, message, field, value };
}

/** The JSON text of an error envelope. */
export function errorEnvelopeJson(apiError: ApiError): string {
  return JSON.stringify({ status: "error", error: apiError });
}

/** Distinguishes an ApiError from a successful result in handler return values. */
export function isApiError(value: unknown): value is ApiError {
  return typeof value === "object" && value !== null && "code" in value && "message" in value;
}
