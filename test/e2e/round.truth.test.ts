import t from "tap";
import { startCluster } from "../support/cluster";
import { comparePlayersWithTruth, dailyActivity, negativeDiffs } from "../support/truth";

t.test("two rounds with API faults switched on leave the database equal to the simulator's truth", async (t) => {
  const cluster = await startCluster(t, {
    sim: {
      idsPerPlatform: 3000,
      faults: {
        sourceNotAvailable: 0.04,
        edge5xx: 0.03,
        truncated: 0.02,
        emptyBody: 0.01,
        okWithoutData: 0.01,
        requestLimit: 0.02,
        metaCountWrong: 0.02,
        unrequestedId: 0.02,
        stall: 0.01,
        stallMs: 4000,
      },
      keys: [{ applicationId: "demo-key", kind: "server", requestsPerSecond: 200 }],
    },
  });
  cluster.startAgent("e2e-a");
  cluster.startAgent("e2e-b");
  const { sim } = cluster;
  const day1 = sim.sim.truth(1).date;

  await cluster.runRound(day1);
  const first = await comparePlayersWithTruth(cluster.db.sql, sim.sim, cluster.realms);
  t.comment(`day 1: ${first.rowsCompared} accounts compared, ${first.mismatchCount} mismatches`);
  t.same(first.mismatches, [], "after round 1 every account matches the simulator");
  t.ok(first.rowsCompared > 3000, "round 1 compared thousands of accounts");

  const truth2 = sim.sim.advanceDay();
  await cluster.runRound(truth2.date);
  const second = await comparePlayersWithTruth(cluster.db.sql, sim.sim, cluster.realms);
  t.comment(`day 2: ${second.rowsCompared} accounts compared, ${second.mismatchCount} mismatches`);
  t.same(second.mismatches, [], "after round 2 every account matches the simulator");

  const activity = await dailyActivity(cluster.db.sql, truth2.date);
  for (const platform of ["xbox", "ps"] as const) {
    const truth = truth2[platform];
    t.same(
      activity[platform],
      { playersActive: truth.playersActive, battles: truth.battles, newAccounts: truth.newAccounts },
      `${platform}: players active, battles and new accounts of day 2 equal the truth`,
    );
  }
  t.equal(await negativeDiffs(cluster.db.sql), 0, "no diff is negative");

  const stats = await (await fetch(`${sim.url}/sim/stats`)).json();
  t.comment(`simulator answers by fault: ${JSON.stringify(stats.faults ?? stats.answersByFault ?? {})}`);
});
