import t from "tap";
import { startCluster } from "../support/cluster";
import { budgetSeconds, innerSeconds, sum } from "./budget-windows";

const RPS = 10;

t.test("a second key of the same size doubles the rate of a round", async (t) => {
  const keys = ["key-one", "key-two"].map((applicationId) => ({ applicationId, kind: "server" as const, requestsPerSecond: RPS }));
  const cluster = await startCluster(t, {
    sim: { idsPerPlatform: 13_500, keys },
    apiKey: { applicationId: "key-one", requestsPerSecond: RPS, kind: "application" },
  });
  await cluster.admin.call("addApiKey", { applicationId: "key-two", requestsPerSecond: RPS, kind: "application" });
  for (const name of ["two-a", "two-b", "two-c", "two-d"]) cluster.startAgent(name);

  await cluster.runRound(cluster.sim.sim.truth(1).date);
  const perKey = [];
  for (const { applicationId } of keys) {
    const { seconds, rejections } = await budgetSeconds(cluster.sim.url, applicationId);
    const inner = innerSeconds(seconds);
    const late = seconds.filter((s) => s.accepted + s.rejected > 0).slice(2);
    const rate = sum(inner, "accepted") / inner.length;
    const accepted = sum(seconds, "accepted");
    perKey.push({ applicationId, inner: inner.length, rate, rejections, accepted, lateRejections: sum(late, "rejected") });
  }
  t.comment(JSON.stringify(perKey));

  for (const key of perKey) {
    // Evenly spaced requests can still arrive bunched on a loaded machine: allow that jitter.
    const allowed = Math.max(2, 0.015 * key.accepted);
    t.ok(key.lateRejections <= allowed, `${key.applicationId}: ${key.lateRejections} refused after the first two seconds`);
    t.ok(key.rate >= RPS * 0.9, `${key.applicationId} carried at least 90 % of its ${RPS} requests/s`);
  }
  const total = perKey.reduce((n, k) => n + k.rate, 0);
  t.ok(total >= 2 * RPS * 0.9, `both keys together reach ${total.toFixed(1)} requests/s, double one key`);
});
