/** The API answers at most this many ids per account/info request. */
export const MAX_IDS_PER_REQUEST = 100;

/** Everything needed to build one account/info request URL. */
export interface AccountInfoRequest {
  /** E.g. https://api-console.worldoftanks.com/wotx, from Config; never a constant. */
  apiBaseUrl: string;
  /** The API key (application_id). */
  applicationId: string;
  accountIds: readonly number[];
  /** Response fields to keep; empty sends no `fields` parameter (full objects). */
  fields: readonly string[];
  /** Empty sends no `language` parameter (the API's default, en). */
  language: string;
}

/** True for ids the API can accept: positive integers that survive JSON as numbers. */
export function isValidAccountId(id: unknown): id is number {
  return typeof id === "number" && Number.isSafeInteger(id) && id > 0;
}

/** The ids in first-seen order with repeats removed. */
export function uniqueAccountIds(ids: readonly number[]): number[] {
  return [...new Set(ids)];
}

/** Commas stay literal (as every client sends them); each item is still escaped. */
function joinList(items: readonly (string | number)[]): string {
  return items.map((item) => encodeURIComponent(String(item))).join(",");
}

/**
 * Builds the GET URL of one account/info request. Throws a RangeError for an empty id list,
 * an invalid id, or more than MAX_IDS_PER_REQUEST distinct ids, because the API would reject
 * the whole request.
 */
export function buildAccountInfoUrl(request: AccountInfoRequest): URL {
  const ids = uniqueAccountIds(request.accountIds);
  const invalid = ids.filter((id) => !isValidAccountId(id));
  if (invalid.length > 0) throw new RangeError(`invalid account ids: ${invalid.join(", ")}`);
  if (ids.length === 0) throw new RangeError("no account ids to request");
  if (ids.length > MAX_IDS_PER_REQUEST) {
    throw new RangeError(`${ids.length} account ids, at most ${MAX_IDS_PER_REQUEST} per request`);
  }

  const params = [
    `application_id=${encodeURIComponent(request.applicationId)}`,
    `account_id=${joinList(ids)}`,
  ];
  if (request.fields.length > 0) params.push(`fields=${joinList(request.fields)}`);
  if (request.language !== "") params.push(`language=${encodeURIComponent(request.language)}`);

  const base = request.apiBaseUrl.replace(/\/+$/, "");
  return new URL(`${base}/account/info/?${params.join("&")}`);
}
