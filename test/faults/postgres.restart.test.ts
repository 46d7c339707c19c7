import t from "tap";
import { simWithKey, startProcessCluster } from "../support/process-cluster";
import { checkDayAgainstTruth } from "../support/truth-check";

t.test("PostgreSQL stopped for seconds in the middle of a round: the server waits, reconnects and loses nothing", async (t) => {
  const cluster = await startProcessCluster(t, {
    ownPostgres: true,
    sim: simWithKey(3000, 60),
    apiKey: { applicationId: "demo-key", requestsPerSecond: 30 },
  });
  cluster.startAgent("pg-a");
  cluster.startAgent("pg-b");

  const round1 = await cluster.startRound(cluster.sim.sim.truth(1).date);
  await cluster.waitRoundDone(round1);
  cluster.sim.sim.advanceDay();

  const round2 = await cluster.startRound(cluster.sim.sim.truth(2).date);
  await cluster.waitBatchesDone(round2, 20);
  const before = await cluster.batchCounts(round2);
  await cluster.stopPostgres();
  const downMs = 5000;
  await new Promise((r) => setTimeout(r, downMs));
  t.ok(cluster.server?.child.exitCode === null, "the server is still running while PostgreSQL is down");
  await cluster.startPostgres();
  t.comment(`PostgreSQL stopped for ${downMs} ms at ${JSON.stringify(before)}`);

  await cluster.waitRoundDone(round2);
  const outage = /flush failed|tick failed|leasing failed/;
  const warnings = cluster.server!.lines.filter((line) => outage.test(line));
  t.comment(`server log lines about the database being away: ${warnings.length}`);
  await checkDayAgainstTruth(t, { ...cluster, sim: cluster.sim.sim }, round2, 2);
});
