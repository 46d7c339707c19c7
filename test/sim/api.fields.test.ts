import t from "tap";
import { fixtureJson } from "./fixture-files";
import { apiGet, TRACKER_FIELDS_PARAM } from "./loopback-client";
import { startSimulator } from "./server";

type Player = Record<string, unknown> & { statistics?: { all?: Record<string, unknown> } | null };
type Answer = { status: string; data: Record<string, Player | null> };

t.test("the fields parameter", async (t) => {
  const running = await startSimulator({ idsPerPlatform: 2000, rateLimit: false });
  t.teardown(() => running.close());
  const { population, offset } = findPlayed(running.sim.populations.xbox);
  const id = String(population.firstId + offset);
  const player = async (fields?: string): Promise<Player> => {
    const params: Record<string, string> = { application_id: "demo-key", account_id: id };
    if (fields !== undefined) params.fields = fields;
    const answer = (await apiGet(running.url, "/wotx/account/info/", params)) as Answer;
    return answer.data[id] as Player;
  };
  const fullFixture = (fixtureJson("account-info-ok.json") as Answer).data["5001"] as Player;

  t.test("without fields the object has exactly the keys of the full fixture", async (t) => {
    const full = await player();
    t.same(Object.keys(full), Object.keys(fullFixture));
    t.same(Object.keys(full.statistics?.all ?? {}), Object.keys(fullFixture.statistics?.all ?? {}));
  });

  t.test("the tracker's list gives the keys of the trimmed fixture", async (t) => {
    const trimmed = (fixtureJson("account-info-ok-fields.json") as Answer).data["5001"] as Player;
    const answer = await player(TRACKER_FIELDS_PARAM);
    t.same(Object.keys(answer), Object.keys(trimmed));
    t.same(Object.keys(answer.statistics?.all ?? {}), Object.keys(trimmed.statistics?.all ?? {}));
  });

  t.test("the fast path writes the same object as the generic filter", async (t) => {
    const fast = await player(TRACKER_FIELDS_PARAM);
    const generic = await player(`${TRACKER_FIELDS_PARAM},no_such_field`);
    t.same(fast, generic);
    t.equal(JSON.stringify(fast), JSON.stringify(generic));
  });

  t.test("an inclusion list keeps only the named top-level fields", async (t) => {
    t.same(Object.keys(await player("nickname,account_id")), ["account_id", "nickname"]);
  });

  t.test("dotted names keep nested fields only", async (t) => {
    const answer = await player("statistics.all.battles,statistics.all.wins");
    t.same(Object.keys(answer), ["statistics"]);
    t.same(Object.keys(answer.statistics?.all ?? {}), ["battles", "wins"]);
  });

  t.test("a parent name keeps the whole subtree", async (t) => {
    const answer = await player("statistics,statistics.all.battles");
    const allKeys = Object.keys(fullFixture.statistics?.all ?? {});
    t.same(Object.keys(answer.statistics?.all ?? {}), allKeys);
  });

  t.test("a leading minus excludes a field from the full object", async (t) => {
    const answer = await player("-statistics,-global_rating");
    const kept = ["account_id", "nickname", "created_at", "last_battle_time", "updated_at"];
    t.same(Object.keys(answer), kept);
  });

  t.test("a nested exclusion removes one counter only", async (t) => {
    const answer = await player("-statistics.all.hits");
    t.notOk("hits" in (answer.statistics?.all ?? {}));
    t.ok("shots" in (answer.statistics?.all ?? {}));
  });

  t.test("inclusion and exclusion combine", async (t) => {
    const answer = await player("statistics.all,-statistics.all.shots,nickname");
    t.same(Object.keys(answer), ["nickname", "statistics"]);
    t.notOk("shots" in (answer.statistics?.all ?? {}));
    t.ok("battles" in (answer.statistics?.all ?? {}));
  });

  t.test("unknown names are ignored", async (t) => {
    const answer = await player("nickname,bogus,statistics.bogus,nickname.deeper");
    t.same(Object.keys(answer), ["nickname"]);
  });

  t.test("a null statistics block stays null under a nested inclusion", async (t) => {
    const nulls = await startSimulator({ idsPerPlatform: 500, statisticsNullShare: 1 });
    t.teardown(() => nulls.close());
    const pop = nulls.sim.populations.xbox;
    const someId = String(pop.firstId + pop.offsetOf(pop.highestId));
    const answer = (await apiGet(nulls.url, "/wotx/account/info/", {
      application_id: "demo-key",
      account_id: someId,
      fields: TRACKER_FIELDS_PARAM,
    })) as Answer;
    t.equal(answer.data[someId]?.statistics, null);
  });
});

function findPlayed<P extends { battles: Uint32Array; createdAt: Uint32Array; length: number }>(
  population: P,
): { population: P; offset: number } {
  for (let offset = 0; offset < population.length; offset++) {
    if (population.createdAt[offset] !== 0 && population.battles[offset] > 100) {
      return { population, offset };
    }
  }
  throw new Error("no played account");
}
