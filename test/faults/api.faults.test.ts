import t from "tap";
import { simWithKey, startProcessCluster } from "../support/process-cluster";
import { checkDayAgainstTruth } from "../support/truth-check";

/** 10 % errors, 1 % malformed or truncated bodies, and answers slower than the agents' timeout. */
const FAULTS = {
  edge5xx: 0.04,
  sourceNotAvailable: 0.03,
  requestLimit: 0.03,
  truncated: 0.004,
  emptyBody: 0.003,
  okWithoutData: 0.003,
  stall: 0.02,
  stallMs: 3000,
};

t.test("an API answering 10% errors, 1% malformed bodies and some answers past the timeout leaves the database equal to the truth", async (t) => {
  const cluster = await startProcessCluster(t, {
    sim: simWithKey(3000, 200),
    apiKey: { applicationId: "demo-key", requestsPerSecond: 60 },
    server: { "api.requestTimeoutMs": 1500 },
  });
  for (const name of ["api-a", "api-b", "api-c"]) cluster.startAgent(name);

  const set = (body: object) =>
    fetch(`${cluster.sim.url}/sim/faults`, { method: "POST", body: JSON.stringify(body) });
  await set({ ...FAULTS, replace: true });
  const round1 = await cluster.startRound(cluster.sim.sim.truth(1).date);
  await cluster.waitRoundDone(round1);
  cluster.sim.sim.advanceDay();

  await fetch(`${cluster.sim.url}/sim/reset-stats`, { method: "POST" });
  const round2 = await cluster.startRound(cluster.sim.sim.truth(2).date);
  await cluster.waitRoundDone(round2);

  const stats = await (await fetch(`${cluster.sim.url}/sim/stats`)).json();
  const byFault: Record<string, number> = stats.faults ?? stats.answersByFault ?? {};
  const faulty = Object.entries(byFault)
    .filter(([kind]) => kind !== "none")
    .reduce((sum, [, n]) => sum + n, 0);
  const requests = Object.values(byFault).reduce((sum, n) => sum + n, 0);
  t.comment(`round 2 API answers by fault: ${JSON.stringify(byFault)}`);
  t.comment(`${requests} account/info requests, ${faulty} of them faulty, retried inside the agents`);
  t.ok(faulty > 0, "the API answered with faults during the round");
  t.ok((byFault.stall ?? 0) + (byFault.edge5xx ?? 0) > 0, "some answers were 5xx or slower than the timeout");
  await checkDayAgainstTruth(t, { ...cluster, sim: cluster.sim.sim }, round2, 2);
});
