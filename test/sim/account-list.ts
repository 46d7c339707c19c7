import { apiErrors, isApiError, type ApiError } from "./api-errors";
import { parseFields, selectFields } from "./fields";
import { nicknameOf } from "./account-traits";
import { PLATFORMS } from "./platform";
import type { RequestParams } from "./request-params";
import type { Simulation } from "./simulation";

/** Search text bounds of the startswith type (WG-API.md §2). */
const MIN_SEARCH_LENGTH = 3;
const MAX_SEARCH_LENGTH = 24;
/** Most names in one exact search, and the default and largest `limit`. */
const MAX_NAMES = 100;

/**
 * Answers account/list (nickname search) with the JSON text of `data` and its length. The
 * search is a plain scan over both platforms in id order, Xbox first: slow for a miss on a big
 * population (a few hundred ms per million accounts), which is fine for tests.
 */
export function answerAccountList(
  sim: Simulation,
  params: RequestParams,
): { dataJson: string; count: number } | ApiError {
  const search = params.get("search");
  if (search === undefined || search.trim() === "") {
    return apiErrors.searchNotSpecified();
  }
  const type = params.get("type") ?? "startswith";
  if (type !== "startswith" && type !== "exact") {
    return apiErrors.invalidType(type);
  }
  const limit = parseLimit(params.get("limit"));
  const selection = parseFields(params.get("fields"));
  if (isApiError(limit)) return limit;
  if (isApiError(selection)) return selection;

  const matcher = type === "exact" ? exactMatcher(search) : prefixMatcher(search);
  if (isApiError(matcher)) {
    return matcher;
  }

  const found = scan(sim, matcher, limit).map((player) =>
    JSON.stringify(selectFields(player, selection.include, selection.exclude)),
  );
  return { dataJson: `[${found.join(",")}]`, count: found.length };
}

function parseLimit(raw: string | undefined): number | ApiError {
  if (raw === undefined || raw === "") {
    return MAX_NAMES;
  }
  const limit = Number(raw);
  if (!Number.isInteger(limit) || limit < 1) {
    return apiErrors.invalidLimit(raw);
  }
  // WG caps a larger limit rather than rejecting it.
  return Math.min(limit, MAX_NAMES);
}

function prefixMatcher(search: string): ((nickname: string) => boolean) | ApiError {
  if (search.length < MIN_SEARCH_LENGTH) {
    return apiErrors.notEnoughSearchLength(search);
  }
  const prefix = search.slice(0, MAX_SEARCH_LENGTH).toLowerCase();
  return (nickname) => nickname.toLowerCase().startsWith(prefix);
}

function exactMatcher(search: string): ((nickname: string) => boolean) | ApiError {
  const names = search.split(",").map((name) => name.trim().toLowerCase());
  if (names.length > MAX_NAMES) {
    return apiErrors.searchListLimitExceeded(search);
  }
  const wanted = new Set(names);
  return (nickname) => wanted.has(nickname.toLowerCase());
}

function scan(
  sim: Simulation,
  matches: (nickname: string) => boolean,
  limit: number,
): Array<{ nickname: string; account_id: number }> {
  const found: Array<{ nickname: string; account_id: number }> = [];
  for (const platform of PLATFORMS) {
    const pop = sim.populations[platform];
    for (let offset = 0; offset < pop.length && found.length < limit; offset++) {
      if (pop.createdAt[offset] === 0) {
        continue;
      }
      const id = pop.firstId + offset;
      const nickname = nicknameOf(sim.options.seed, id, pop.nicknameSuffix);
      if (matches(nickname)) {
        found.push({ nickname, account_id: id });
      }
    }
  }
  return found;
}
