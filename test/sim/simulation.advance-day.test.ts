import t from "tap";
import { simGet, simPost } from "./loopback-client";
import type { TrackerPlayer } from "./player-object";
import { startSimulator } from "./server";
import type { DayTruth } from "./simulation";
import { Simulation } from "./simulation";

type Page = { accounts: TrackerPlayer[]; nextFrom: number | null; day: number };

/** Reads every account of a platform through /sim/accounts, page by page. */
async function snapshot(
  base: string,
  platform: "xbox" | "ps",
): Promise<Map<number, TrackerPlayer>> {
  const accounts = new Map<number, TrackerPlayer>();
  let from: number | null = 0;
  while (from !== null) {
    const path = `/sim/accounts?platform=${platform}&from=${from}&limit=1500`;
    const page = (await simGet(base, path)) as Page;
    for (const account of page.accounts) {
      accounts.set(account.account_id, account);
    }
    from = page.nextFrom;
  }
  return accounts;
}

t.test("advancing a day over HTTP", async (t) => {
  const running = await startSimulator({ idsPerPlatform: 4000, startDay: "2026-11-01" });
  t.teardown(() => running.close());
  const base = running.url;

  const day1 = (await simGet(base, "/sim/truth?day=1")) as DayTruth;
  const before = { xbox: await snapshot(base, "xbox"), ps: await snapshot(base, "ps") };
  const day2 = (await simPost(base, "/sim/advance-day")) as DayTruth;
  const after = { xbox: await snapshot(base, "xbox"), ps: await snapshot(base, "ps") };

  t.test("day 1 has accounts but no activity and day 2 is the next calendar date", async (t) => {
    t.equal(day1.date, "2026-11-01");
    t.equal(day1.xbox.battles, null);
    t.equal(day1.xbox.accounts, before.xbox.size);
    t.equal(day2.day, 2);
    t.equal(day2.date, "2026-11-02");
  });

  for (const platform of ["xbox", "ps"] as const) {
    t.test(`${platform}: the growth between snapshots equals the day's truth`, async (t) => {
      let battles = 0;
      let active = 0;
      for (const [id, now] of after[platform]) {
        const then = before[platform].get(id);
        const grown = (now.statistics?.all.battles ?? 0) - (then?.statistics?.all.battles ?? 0);
        battles += grown;
        active += grown > 0 ? 1 : 0;
      }
      t.equal(battles, day2[platform].battles);
      t.equal(active, day2[platform].playersActive);
      t.equal(after[platform].size - before[platform].size, day2[platform].newAccounts);
      t.equal(after[platform].size, day2[platform].accounts);
    });

    t.test(`${platform}: counters never decrease and times stay ordered`, async (t) => {
      const dayStart = Date.parse("2026-11-02T00:00:00Z") / 1000;
      let bad = 0;
      for (const [id, now] of after[platform]) {
        const then = before[platform].get(id);
        if (then !== undefined) {
          for (const [name, value] of Object.entries(now.statistics?.all ?? {})) {
            const old = (then.statistics?.all as Record<string, number> | undefined)?.[name] ?? 0;
            if (value < old) bad++;
          }
          if (now.updated_at < then.updated_at) bad++;
        }
        if (now.updated_at < now.last_battle_time) bad++;
        if (now.last_battle_time !== 0 && now.last_battle_time < now.created_at) bad++;
        const grew = (now.statistics?.all.battles ?? 0) > (then?.statistics?.all.battles ?? 0);
        const inDay = now.last_battle_time >= dayStart && now.last_battle_time < dayStart + 86_400;
        if (grew && !inDay) bad++;
      }
      t.equal(bad, 0);
    });

    t.test(`${platform}: new accounts sit just above the old highest id`, async (t) => {
      const oldHighest = Math.max(...before[platform].keys());
      const fresh = [...after[platform].values()].filter(
        (a) => !before[platform].has(a.account_id),
      );
      t.equal(fresh.length, day2[platform].newAccounts);
      t.same(
        fresh.map((a) => a.account_id),
        Array.from({ length: fresh.length }, (_, i) => oldHighest + 1 + i),
      );
      const dayStart = Date.parse("2026-11-02T00:00:00Z") / 1000;
      t.ok(fresh.every((a) => a.created_at >= dayStart && a.created_at < dayStart + 86_400));
      t.ok(fresh.some((a) => (a.statistics?.all.battles ?? 0) > 0), "some play on day one");
    });
  }

  t.test("truth counts accounts in an id range for a past day", async (t) => {
    const top = day2.xbox.highestId;
    const range = (await simGet(base, `/sim/truth?day=1&platform=xbox&from=5000&to=${top}`)) as {
      range: { accounts: number };
    };
    t.equal(range.range.accounts, before.xbox.size);
    const now = (await simGet(base, `/sim/truth?day=2&platform=xbox&from=5000&to=5999`)) as {
      range: { accounts: number };
    };
    t.equal(now.range.accounts, [...after.xbox.keys()].filter((id) => id <= 5999).length);
  });

  t.test("a day not played yet is refused", async (t) => {
    await t.rejects(simGet(base, "/sim/truth?day=9"), /400/);
  });
});

t.test("in process: about activeShare of the accounts play with 1..max battles each", async (t) => {
  const sim = new Simulation({ idsPerPlatform: 20_000, activeShare: 0.2, maxBattlesPerDay: 10 });
  const truth = sim.advanceDay().xbox;
  const share = (truth.playersActive ?? 0) / sim.truth(1).xbox.accounts;
  t.ok(share > 0.18 && share < 0.23, `share ${share}`);
  const perPlayer = (truth.battles ?? 0) / (truth.playersActive ?? 1);
  t.ok(perPlayer > 4.5 && perPlayer < 6.5, `battles per player ${perPlayer}`);
});

t.test("in process: many days in a row keep truth equal to summed growth", async (t) => {
  const sim = new Simulation({ idsPerPlatform: 3000, newAccountsPerDay: 0.05 });
  const total = (): number => sim.populations.ps.battles.reduce((sum, b) => sum + b, 0);
  let previous = total();
  for (let day = 0; day < 10; day++) {
    const truth = sim.advanceDay();
    const now = total();
    t.equal(now - previous, truth.ps.battles, `day ${truth.day}`);
    previous = now;
  }
  t.equal(sim.truth().ps.accounts, sim.truth(1).ps.accounts + 10 * 150);
});
