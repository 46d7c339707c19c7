import t from "tap";
import { startCluster } from "../support/cluster";
import { budgetSeconds, sum } from "./budget-windows";

const CONFIGURED = 20;
const REAL = 12;
/** The budget settles within four cuts and their 2 s holds (rate-budget.ts); judged after. */
const ADAPT_SECONDS = 20;

t.test("when the API's real limit is below the configured rate, the shares adapt and refusals stop", async (t) => {
  const cluster = await startCluster(t, {
    // About 400 batches: 35 s at 11-12 requests/s.
    sim: { idsPerPlatform: 19_000, keys: [{ applicationId: "low-key", kind: "server", requestsPerSecond: REAL }] },
    apiKey: { applicationId: "low-key", requestsPerSecond: CONFIGURED, kind: "application" },
  });
  cluster.startAgent("aimd-a");
  cluster.startAgent("aimd-b");

  await cluster.runRound(cluster.sim.sim.truth(1).date);
  const { seconds } = await budgetSeconds(cluster.sim.url, "low-key");
  const busy = seconds.filter((s) => s.accepted + s.rejected > 0);
  const start = busy[0].second;
  const early = busy.filter((s) => s.second < start + ADAPT_SECONDS);
  const late = busy.filter((s) => s.second >= start + ADAPT_SECONDS).slice(0, -1);
  const lateShare = sum(late, "rejected") / Math.max(1, sum(late, "accepted") + sum(late, "rejected"));
  t.comment(`early: ${sum(early, "rejected")} refused of ${sum(early, "accepted") + sum(early, "rejected")}; ` +
    `late (${late.length} s): ${(lateShare * 100).toFixed(2)} % refused, ${(sum(late, "accepted") / late.length).toFixed(1)}/s`);

  t.ok(sum(early, "rejected") > 0, "the configured rate was too high at first");
  t.ok(late.length >= 8, "the round went on long enough after adapting to judge");
  t.ok(lateShare < 0.01, "after adapting, under 1 % of requests are refused");
  t.ok(sum(late, "accepted") / late.length >= REAL * 0.7, "and the key still carries at least 70 % of its real limit");
});
