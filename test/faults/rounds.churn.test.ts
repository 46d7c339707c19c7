import t from "tap";
import { simWithKey, startProcessCluster } from "../support/process-cluster";
import { checkDayAgainstTruth } from "../support/truth-check";

t.test("two rounds back to back with agents joining and leaving throughout both match the truth", async (t) => {
  const cluster = await startProcessCluster(t, {
    sim: simWithKey(3000, 60),
    apiKey: { applicationId: "demo-key", requestsPerSecond: 30 },
    // Verification must find another agent for a held batch however membership changes.
    server: { "verify.share": 0.25 },
  });
  cluster.startAgent("churn-0");

  let next = 1;
  let events = 0;
  let stopChurn = false;
  // Every 1.5 s one agent joins, and while more than three run, the oldest leaves (SIGTERM or
  // SIGKILL in turn), so membership changes all through both rounds. An agent lives about
  // 4.5 s: past the second a newcomer waits for its share of the API key.
  const churn = (async () => {
    while (!stopChurn) {
      await new Promise((r) => setTimeout(r, 1500));
      cluster.startAgent(`churn-${next++}`);
      events += 1;
      if (cluster.agents.size > 3) {
        const oldest = [...cluster.agents.keys()][0];
        await cluster.killAgent(oldest, events % 2 === 0 ? "SIGKILL" : "SIGTERM");
        events += 1;
      }
    }
  })();

  const round1 = await cluster.startRound(cluster.sim.sim.truth(1).date);
  await cluster.waitRoundDone(round1);
  cluster.sim.sim.advanceDay();
  const round2 = await cluster.startRound(cluster.sim.sim.truth(2).date);
  await cluster.waitRoundDone(round2);
  stopChurn = true;
  await churn;

  t.comment(`${next} agents started, ${events} joins and leaves during the two rounds`);
  t.ok(events >= 6, "agents joined and left several times");
  await checkDayAgainstTruth(t, { ...cluster, sim: cluster.sim.sim }, round2, 2);
});
