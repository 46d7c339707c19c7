import t from "tap";
import { buildAccountInfoUrl, MAX_IDS_PER_REQUEST, TRACKER_FIELDS } from "../../shared/wg-api";

const BASE = {
  apiBaseUrl: "http://127.0.0.1:1234/wotx",
  applicationId: "key-1",
  fields: [] as string[],
  language: "en",
};

t.test("the URL has the method path with its trailing slash and comma-joined ids", async (t) => {
  const url = buildAccountInfoUrl({ ...BASE, accountIds: [5000, 5001] });
  t.equal(url.origin + url.pathname, "http://127.0.0.1:1234/wotx/account/info/");
  t.match(url.search, /account_id=5000,5001(&|$)/);
  t.equal(url.searchParams.get("application_id"), "key-1");
  t.equal(url.searchParams.get("language"), "en");
  t.equal(url.searchParams.get("fields"), null);
});

t.test("a base URL with a trailing slash gives the same path", async (t) => {
  const url = buildAccountInfoUrl({ ...BASE, apiBaseUrl: "http://h/wotx/", accountIds: [1] });
  t.equal(url.pathname, "/wotx/account/info/");
});

t.test("fields are sent comma-joined without escaping the commas", async (t) => {
  const url = buildAccountInfoUrl({ ...BASE, fields: TRACKER_FIELDS, accountIds: [1] });
  t.match(url.search, /fields=account_id,nickname,created_at,/);
  t.equal(url.searchParams.get("fields"), TRACKER_FIELDS.join(","));
});

t.test("duplicate ids are sent once", async (t) => {
  const url = buildAccountInfoUrl({ ...BASE, accountIds: [7, 8, 7, 8, 9] });
  t.equal(url.searchParams.get("account_id"), "7,8,9");
});

t.test("more than 100 distinct ids are refused but 100 with repeats are fine", async (t) => {
  const hundred = Array.from({ length: MAX_IDS_PER_REQUEST }, (_, i) => i + 1);
  t.doesNotThrow(() => buildAccountInfoUrl({ ...BASE, accountIds: [...hundred, ...hundred] }));
  t.throws(() => buildAccountInfoUrl({ ...BASE, accountIds: [...hundred, 101] }), RangeError);
});

t.test("invalid ids and an empty list are refused", async (t) => {
  for (const bad of [0, -5, 1.5, Number.NaN, 2 ** 53]) {
    t.throws(() => buildAccountInfoUrl({ ...BASE, accountIds: [1, bad] }), RangeError, `id ${bad}`);
  }
  t.throws(() => buildAccountInfoUrl({ ...BASE, accountIds: [] }), RangeError);
});
