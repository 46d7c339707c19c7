import t from "tap";
import { budgetSeconds, innerSeconds, sum } from "../rate/budget-windows";
import { simWithKey, startProcessCluster, waitFor } from "../support/process-cluster";
import { startSecondCoordinator } from "../support/second-coordinator";

const RPS = 20;

t.test(
  "two coordinators split one 20 requests/s key among all four agents, two on each, and " +
    "together stay within it",
  async (t) => {
    // About 220 batches: 12 s at 19 requests/s.
    const cluster = await startProcessCluster(t, {
      sim: simWithKey(10_000, RPS),
      apiKey: { applicationId: "demo-key", requestsPerSecond: RPS },
    });
    const second = await startSecondCoordinator(t, cluster);
    for (const name of ["split-a", "split-b"]) {
      cluster.startAgent(name, { server: `127.0.0.1:${cluster.agentPort}` });
    }
    for (const name of ["split-c", "split-d"]) {
      cluster.startAgent(name, { server: `127.0.0.1:${second.agentPort}` });
    }

    // Both coordinators see all four agents once each has published its own two.
    await waitFor(30_000, "both coordinators publishing two holders of the key", async () => {
      const rows = await cluster.sql`SELECT coordinator, holders FROM key_holders`;
      return rows.length === 2 && rows.every((r) => r.holders === 2);
    });
    await new Promise((r) => setTimeout(r, 2_500));

    const round = await cluster.startRound(cluster.sim.sim.truth(1).date);
    await cluster.waitRoundDone(round, 120_000);

    const budget = await budgetSeconds(cluster.sim.url, "demo-key");
    const { seconds, maxInAnyWindow, rejections } = budget;
    const inner = innerSeconds(seconds);
    const used = sum(inner, "accepted") / (RPS * inner.length);
    const share = (used * 100).toFixed(1);
    t.comment(`max in any 1 s window ${maxInAnyWindow}, ${inner.length} full seconds at ${share} %`);
    t.comment(`seconds: ${seconds.map((s) => `${s.accepted}/${s.rejected}`).join(" ")}`);

    const busy = seconds.filter((s) => s.accepted + s.rejected > 0);
    const allowed = Math.max(2, 0.02 * sum(busy, "accepted"));
    t.ok(rejections <= allowed, `${rejections} refused (at most 2 %)`);
    t.ok(maxInAnyWindow <= RPS, `at most ${RPS} requests in any 1000 ms window`);
    t.ok(inner.length >= 8, "the round ran long enough to judge");
    t.ok(used >= 0.8, "at least 80 % of the budget was used in the round's full seconds");
  },
);
