import t from "tap";
import { simWithKey, startProcessCluster } from "../support/process-cluster";
import { checkDayAgainstTruth } from "../support/truth-check";

t.test("agents killed with SIGKILL in the middle of batches have their leases returned and the round completes", async (t) => {
  const cluster = await startProcessCluster(t, {
    sim: simWithKey(3000, 60),
    apiKey: { applicationId: "demo-key", requestsPerSecond: 30 },
  });
  cluster.startAgent("victim-1");
  cluster.startAgent("victim-2");
  cluster.startAgent("steady");

  const round1 = await cluster.startRound(cluster.sim.sim.truth(1).date);
  await cluster.waitRoundDone(round1);
  cluster.sim.sim.advanceDay();

  const round2 = await cluster.startRound(cluster.sim.sim.truth(2).date);
  const kills: string[] = [];
  let heldAtKills = 0;
  const schedule = [[10, "victim-1"], [25, "victim-2"], [40, "victim-1"], [55, "victim-2"]] as const;
  for (const [atDone, name] of schedule) {
    await cluster.waitBatchesDone(round2, atDone);
    const [held] = await cluster.sql`
      SELECT count(*)::int AS n FROM batches
       WHERE state = 'leased' AND agent_id IN (SELECT id FROM agents WHERE name = ${name})`;
    await cluster.killAgent(name, "SIGKILL");
    kills.push(`${name} holding ${held.n} leases`);
    heldAtKills += held.n;
    cluster.startAgent(name);
  }
  await cluster.waitRoundDone(round2);
  t.comment(`agents killed with SIGKILL: ${kills.join(", ")}`);

  const [returned] = await cluster.sql`
    SELECT count(*)::int AS n FROM batches WHERE round_id = ${round2} AND attempts > 1`;
  t.equal(kills.length, 4, "agents were killed four times in the middle of the round");
  t.ok(heldAtKills > 0, "the killed agents held leases when they died");
  t.ok(returned.n > 0, "leases of killed agents went back to the pool and were leased again");
  await checkDayAgainstTruth(t, { ...cluster, sim: cluster.sim.sim }, round2, 2);
});
