import t from "tap";
import { startProcessCluster } from "../support/process-cluster";
import { checkDayAgainstTruth } from "../support/truth-check";

t.test("a server killed with SIGKILL in the middle of a round is started again and the round completes", async (t) => {
  const cluster = await startProcessCluster(t, {
    sim: { idsPerPlatform: 3000, keys: [{ applicationId: "demo-key", kind: "server", requestsPerSecond: 60 }] },
    apiKey: { applicationId: "demo-key", requestsPerSecond: 30 },
  });
  for (const name of ["kill-a", "kill-b", "kill-c"]) cluster.startAgent(name);

  const day1 = cluster.sim.sim.truth(1).date;
  const round1 = await cluster.startRound(day1);
  await cluster.waitRoundDone(round1);
  cluster.sim.sim.advanceDay();

  const round2 = await cluster.startRound(cluster.sim.sim.truth(2).date);
  let kills = 0;
  for (const atDone of [15, 45]) {
    await cluster.waitBatchesDone(round2, atDone);
    const before = await cluster.batchCounts(round2);
    await cluster.killServer("SIGKILL");
    kills += 1;
    t.comment(`server killed with SIGKILL at ${JSON.stringify(before)}`);
    await new Promise((r) => setTimeout(r, 1000));
    await cluster.startServer();
  }
  await cluster.waitRoundDone(round2);

  t.equal(kills, 2, "the server was killed twice in the middle of the round");
  const figures = await checkDayAgainstTruth(t, { ...cluster, sim: cluster.sim.sim }, round2, 2);
  t.ok(figures.batchesRetried > 0, "batches leased when the server died were leased again");
});
