export * from "./types";
export { classifyApiError } from "./retry-class";
export { toPlayer, type PlayerEntry } from "./player";
export { parseAccountInfo } from "./parse-account-info";
export {
  MAX_IDS_PER_REQUEST,
  buildAccountInfoUrl,
  isValidAccountId,
  uniqueAccountIds,
  type AccountInfoRequest,
} from "./request";
export { TRACKER_FIELDS } from "./fields";
