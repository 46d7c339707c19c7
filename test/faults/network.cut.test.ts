import t from "tap";
import { simWithKey, startProcessCluster } from "../support/process-cluster";
import { startTcpProxy } from "../support/tcp-proxy";
import { checkDayAgainstTruth } from "../support/truth-check";

t.test("a network cut between agents and a running server while results are in flight loses no result and applies none twice", async (t) => {
  const cluster = await startProcessCluster(t, {
    sim: simWithKey(3000, 60),
    apiKey: { applicationId: "demo-key", requestsPerSecond: 30 },
  });
  const proxy = await startTcpProxy(cluster.agentPort);
  t.teardown(() => proxy.close());
  for (const name of ["cut-a", "cut-b", "cut-c"]) {
    cluster.startAgent(name, { server: proxy.address });
  }

  const round1 = await cluster.startRound(cluster.sim.sim.truth(1).date);
  await cluster.waitRoundDone(round1, 40_000);
  cluster.sim.sim.advanceDay();

  const round2 = await cluster.startRound(cluster.sim.sim.truth(2).date);
  const cuts: string[] = [];
  for (const atDone of [10, 30, 50]) {
    await cluster.waitBatchesDone(round2, atDone);
    const counts = await cluster.batchCounts(round2);
    // Frozen for 1.5 s: results sent meanwhile are lost with the connection.
    const connections = await proxy.cut({ holdMs: 1500, refuseMs: 1000 });
    cuts.push(`${connections} connections at ${counts.leased ?? 0} leased`);
  }
  await cluster.waitRoundDone(round2);

  t.comment(`network cuts: ${cuts.join("; ")}; ${proxy.connections} connections in all`);
  t.equal(cuts.length, 3, "the network was cut three times in the middle of the round");
  t.ok(proxy.connections >= 9, "agents reconnected after the cuts");
  t.ok(cluster.server?.child.exitCode === null, "the server stayed up");
  await checkDayAgainstTruth(t, { ...cluster, sim: cluster.sim.sim }, round2, 2);
});
