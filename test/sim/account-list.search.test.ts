import t from "tap";
import { fixtureJson } from "./fixture-files";
import { apiGet } from "./loopback-client";
import { startSimulator } from "./server";

type ListAnswer = {
  status: string;
  meta: { count: number };
  data: Array<{ account_id: number; nickname: string }>;
};

t.test("account/list nickname search", async (t) => {
  const running = await startSimulator({ idsPerPlatform: 3000, rateLimit: false });
  t.teardown(() => running.close());
  const list = async (params: Record<string, string>): Promise<ListAnswer> =>
    (await apiGet(running.url, "/wotx/account/list/", {
      application_id: "demo-key",
      ...params,
    })) as ListAnswer;

  t.test("startswith answers an array of account_id and nickname, case-insensitive", async (t) => {
    const answer = await list({ search: "PLAYER_50" });
    t.equal(answer.status, "ok");
    t.ok(Array.isArray(answer.data));
    t.equal(answer.meta.count, answer.data.length);
    t.ok(answer.data.length > 0);
    for (const entry of answer.data) {
      t.same(Object.keys(entry).sort(), ["account_id", "nickname"]);
      t.match(entry.nickname, /^player_50/);
    }
  });

  t.test("limit caps the number of matches and defaults to 100", async (t) => {
    t.equal((await list({ search: "player", limit: "7" })).data.length, 7);
    t.equal((await list({ search: "player" })).data.length, 100);
    t.equal((await list({ search: "player", limit: "500" })).data.length, 100);
  });

  t.test("exact finds whole names only, several at once", async (t) => {
    const xbox = running.sim.populations.xbox;
    const ps = running.sim.populations.ps;
    const first = (await list({ search: `player_${xbox.highestId}`, type: "startswith" })).data[0];
    const second = (await list({ search: `player_${ps.highestId}`, type: "startswith" })).data[0];
    if (first === undefined || second === undefined) throw new Error("highest ids not found");
    const search = `${first.nickname.toUpperCase()},${second.nickname}`;
    const answer = await list({ search, type: "exact" });
    t.same(answer.data.map((entry) => entry.account_id), [first.account_id, second.account_id]);
    const partial = await list({ search: first.nickname.slice(0, -2), type: "exact" });
    t.same(partial.data, []);
  });

  t.test("no match answers an empty array", async (t) => {
    t.same(await list({ search: "nobody-by-this-name" }), fixtureJson("account-list-empty.json"));
  });

  t.test("a missing search answers SEARCH_NOT_SPECIFIED", async (t) => {
    t.same(await list({}), fixtureJson("error-search-not-specified.json"));
  });

  t.test("a search shorter than 3 characters answers NOT_ENOUGH_SEARCH_LENGTH", async (t) => {
    t.same(await list({ search: "pl" }), fixtureJson("error-not-enough-search-length.json"));
  });

  t.test("more than 100 exact names answer SEARCH_LIST_LIMIT_EXCEEDED", async (t) => {
    const search = Array.from({ length: 101 }, (_, i) => `name${i}`).join(",");
    t.match(await list({ search, type: "exact" }), {
      status: "error",
      error: { code: 407, message: "SEARCH_LIST_LIMIT_EXCEEDED", field: "search" },
    });
  });

  t.test("fields trims the list entries too", async (t) => {
    const answer = await list({ search: "player", limit: "3", fields: "account_id" });
    for (const entry of answer.data) {
      t.same(Object.keys(entry), ["account_id"]);
    }
  });
});
