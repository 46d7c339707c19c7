import t from "tap";
import { apiGet, TRACKER_FIELDS_PARAM } from "./loopback-client";
import { startSimulator } from "./server";

type Player = {
  account_id: number;
  nickname: string;
  created_at: number;
  last_battle_time: number;
  updated_at: number;
  statistics: { all: Record<string, number> } | null;
};
type Answer = { status: string; meta: { count: number }; data: Record<string, Player | null> };

t.test("successful account/info answers", async (t) => {
  const running = await startSimulator({ idsPerPlatform: 5000, rateLimit: false });
  t.teardown(() => running.close());
  const info = async (ids: number[], fields = TRACKER_FIELDS_PARAM): Promise<Answer> =>
    (await apiGet(running.url, "/wotx/account/info/", {
      application_id: "demo-key",
      account_id: ids.join(","),
      fields,
      language: "en",
    })) as Answer;
  const xbox = running.sim.populations.xbox;
  const ps = running.sim.populations.ps;

  t.test("the envelope has status ok, meta.count and every id as a string key", async (t) => {
    const ids = Array.from({ length: 100 }, (_, i) => 5000 + i * 7);
    const answer = await info(ids);
    t.equal(answer.status, "ok");
    t.same(Object.keys(answer.data).sort(), ids.map(String).sort());
    t.equal(answer.meta.count, Object.keys(answer.data).length);
  });

  t.test("a nonexistent id is answered with null", async (t) => {
    const missing = [xbox.highestId + 1, 4999, 700_000_000, ps.highestId + 5];
    const answer = await info(missing);
    t.same(answer.data, Object.fromEntries(missing.map((id) => [String(id), null])));
  });

  t.test("existence follows the population and about existShare of the range exists", async (t) => {
    const ids = Array.from({ length: 100 }, (_, i) => 5000 + i);
    const answer = await info(ids);
    const present = ids.filter((id) => answer.data[String(id)] !== null);
    t.same(present, ids.filter((id) => xbox.offsetOf(id) >= 0));
    t.ok(present.length > 40 && present.length < 80, `${present.length} of 100 exist`);
  });

  t.test("an account that never played has zero counters and last_battle_time 0", async (t) => {
    const id = firstWhere(xbox, (o) => xbox.battles[o] === 0);
    const player = (await info([id], "")).data[String(id)] as Player;
    t.ok(player.statistics !== null);
    for (const [name, value] of Object.entries(player.statistics?.all ?? {})) {
      t.equal(value, 0, name);
    }
    t.equal(player.last_battle_time, 0);
    t.ok(player.updated_at >= player.created_at);
  });

  t.test("Xbox nicknames end in -x, PlayStation ones in -p, each in its id range", async (t) => {
    const xboxIds = Array.from({ length: 100 }, (_, i) => 5000 + i);
    const psIds = Array.from({ length: 100 }, (_, i) => 1_073_740_000 + i);
    for (const player of Object.values((await info(xboxIds)).data)) {
      if (player === null) continue;
      t.match(player.nickname, /-x$/);
      t.ok(player.account_id >= 5000 && player.account_id < 15_500_000);
    }
    for (const player of Object.values((await info(psIds)).data)) {
      if (player === null) continue;
      t.match(player.nickname, /-p$/);
      t.ok(player.account_id >= 1_073_740_000);
    }
  });

  t.test("each object's account_id equals its key and times are ordered", async (t) => {
    const ids = Array.from({ length: 100 }, (_, i) => 1_073_740_000 + i * 13);
    for (const [key, player] of Object.entries((await info(ids)).data)) {
      if (player === null) continue;
      t.equal(String(player.account_id), key);
      t.ok(player.updated_at >= player.last_battle_time, "updated_at >= last_battle_time");
      t.ok(player.last_battle_time === 0 || player.last_battle_time >= player.created_at);
    }
  });

  t.test("nicknames include some with spaces and dashes", async (t) => {
    const ids = Array.from({ length: 100 }, (_, i) => 5000 + i);
    const names = Object.values((await info(ids)).data).flatMap((p) => (p ? [p.nickname] : []));
    t.ok(names.some((name) => name.includes(" ") || name.startsWith("player-")));
  });

  t.test("the PlayStation suffix is configurable", async (t) => {
    const other = await startSimulator({ idsPerPlatform: 200, psNicknameSuffix: "-ps4" });
    t.teardown(() => other.close());
    const id = other.sim.populations.ps.highestId;
    const answer = (await apiGet(other.url, "/wotx/account/info/", {
      application_id: "demo-key",
      account_id: String(id),
    })) as Answer;
    t.match(answer.data[String(id)]?.nickname, /-ps4$/);
  });

  t.test("statisticsNullShare answers about that share with statistics: null", async (t) => {
    const odd = await startSimulator({ idsPerPlatform: 2000, statisticsNullShare: 0.3 });
    t.teardown(() => odd.close());
    const ids = Array.from({ length: 100 }, (_, i) => 5000 + i * 3);
    const answer = (await apiGet(odd.url, "/wotx/account/info/", {
      application_id: "demo-key",
      account_id: ids.join(","),
    })) as { data: Record<string, (Player & { global_rating: number | null }) | null> };
    const players = Object.values(answer.data).filter((p) => p !== null);
    const nulls = players.filter((p) => p?.statistics === null);
    t.ok(nulls.length > 0.1 * players.length && nulls.length < 0.5 * players.length);
    t.equal(nulls[0]?.global_rating, null);
  });
});

function firstWhere(
  pop: { length: number; createdAt: Uint32Array; firstId: number },
  test: (offset: number) => boolean,
): number {
  for (let offset = 0; offset < pop.length; offset++) {
    if (pop.createdAt[offset] !== 0 && test(offset)) {
      return pop.firstId + offset;
    }
  }
  throw new Error("no such account");
}
