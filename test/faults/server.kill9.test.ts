import t from "tap";
import { simWithKey, startProcessCluster } from "../support/process-cluster";
import { checkDayAgainstTruth } from "../support/truth-check";

t.test("a server killed with SIGKILL in the middle of a round is started again and the round completes", async (t) => {
  const cluster = await startProcessCluster(t, {
    sim: simWithKey(3000, 60),
    apiKey: { applicationId: "demo-key", requestsPerSecond: 30 },
    // A quarter of the batches held for a second fetch: held results must survive the kills.
    server: { "verify.share": 0.25 },
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
  const [v] = await cluster.sql`
    SELECT (SELECT count(*)::int FROM verifications WHERE round_id = ${round2}) AS verified,
           (SELECT count(*)::int FROM verification_results) AS held`;
  t.ok(v.verified > 0, "batches under verification were decided across the kills");
  t.equal(v.held, 0, "no held result is left behind");
  t.comment(`${v.verified} batches of round 2 verified by a second agent across the kills`);
});
