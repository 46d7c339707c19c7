import { apiErrors, type ApiError } from "./api-errors";

/** Most ids one account/info request may carry. */
export const MAX_ACCOUNT_IDS = 100;

/**
 * Parses `account_id` into unique ids in request order. Any bad item (letters, sign, empty
 * item, zero, above 2^53) rejects the whole request, as WG-API.md §6.10 expects. Spaces
 * around items are tolerated.
 *
 * The limit counts items as sent, duplicates included: WG does not document which way it
 * counts, and the stricter reading makes a client that forgot to de-duplicate fail here.
 */
export function parseAccountIds(raw: string | undefined): number[] | ApiError {
  if (raw === undefined || raw.trim() === "") {
    return apiErrors.accountIdNotSpecified();
  }

  const items = raw.split(",");
  if (items.length > MAX_ACCOUNT_IDS) {
    return apiErrors.accountIdListLimitExceeded(raw);
  }

  const ids: number[] = [];
  const seen = new Set<number>();
  for (const item of items) {
    const text = item.trim();
    const id = Number(text);
    if (!/^\d{1,16}$/.test(text) || id === 0 || id > Number.MAX_SAFE_INTEGER) {
      return apiErrors.invalidAccountId(raw);
    }
    if (!seen.has(id)) {
      seen.add(id);
      ids.push(id);
    }
  }
  return ids;
}
