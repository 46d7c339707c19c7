import t from "tap";
import { call, TRACKER_FIELDS_PARAM } from "./loopback-client";
import { startSimulator } from "./server";
import { Simulation } from "./simulation";

const IDS = Array.from({ length: 100 }, (_, i) => 5000 + i * 11).join(",");

async function answersAfterDays(seed: number, days: number): Promise<string[]> {
  const running = await startSimulator({ seed, idsPerPlatform: 3000, rateLimit: false });
  try {
    const bodies: string[] = [];
    for (let day = 0; day <= days; day++) {
      for (const fields of [TRACKER_FIELDS_PARAM, ""]) {
        const query = new URLSearchParams({ application_id: "demo-key", account_id: IDS, fields });
        bodies.push((await call(`${running.url}/wotx/account/info/?${query}`)).body);
      }
      await call(`${running.url}/sim/advance-day`, { method: "POST" });
    }
    return bodies;
  } finally {
    await running.close();
  }
}

t.test("the same seed gives byte-identical answers over several days", async (t) => {
  const first = await answersAfterDays(7, 3);
  const second = await answersAfterDays(7, 3);
  t.same(second, first);
});

t.test("a different seed gives different answers", async (t) => {
  const first = await answersAfterDays(7, 0);
  const other = await answersAfterDays(8, 0);
  t.not(other[0], first[0]);
  t.not(other[1], first[1]);
});

t.test("the same seed gives the same truth and totals in process", async (t) => {
  const a = new Simulation({ seed: 3, idsPerPlatform: 5000 });
  const b = new Simulation({ seed: 3, idsPerPlatform: 5000 });
  for (let day = 0; day < 3; day++) {
    t.same(b.advanceDay(), a.advanceDay());
  }
  t.same(b.accountTotals("ps", 0, 2 ** 40), a.accountTotals("ps", 0, 2 ** 40));
});

t.test("truth depends on the seed", async (t) => {
  const a = new Simulation({ seed: 3, idsPerPlatform: 5000 }).advanceDay();
  const b = new Simulation({ seed: 4, idsPerPlatform: 5000 }).advanceDay();
  t.not(a.xbox.battles, b.xbox.battles);
});
