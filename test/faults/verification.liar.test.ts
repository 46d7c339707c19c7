import t from "tap";
import { simWithKey } from "../support/process-cluster";
import { startCluster } from "../support/cluster";
import { RawAgent, rawAgentHome } from "../support/raw-agent";
import { checkDayAgainstTruth } from "../support/truth-check";

t.test("with every batch fetched twice, a lying agent's counters never reach the database, a third agent decides, and the liar is flagged", async (t) => {
  const cluster = await startCluster(t, {
    sim: simWithKey(2000, 200),
    apiKey: { applicationId: "demo-key", requestsPerSecond: 80 },
    // Other agents are always there: a batch must never fall back to the agent that fetched it.
    server: { "verify.share": 1, "verify.waitMs": 600_000, "lease.ttlMs": 10_000 },
  });
  cluster.startAgent("truthful-a");
  cluster.startAgent("truthful-b");
  const sim = cluster.sim.sim;
  const liar = await RawAgent.enroll(cluster.admin, rawAgentHome(cluster.dataDir, "liar"), "liar");
  t.teardown(() => liar.close());
  let lies = 0;
  liar.open().reportHonestly(sim, 4, (players) => {
    if (players.length === 0) return players;
    lies += 1;
    const [first, ...rest] = players;
    return [{ ...first, battles: first.battles + 3, wins: first.wins + 1 }, ...rest];
  });

  await cluster.runRound(sim.truth(1).date);
  sim.advanceDay();
  const round2 = await cluster.runRound(sim.truth(2).date);
  await checkDayAgainstTruth(t, { sql: cluster.db.sql, sim, realms: cluster.realms }, round2, 2);

  const [v] = await cluster.db.sql`
    SELECT count(*)::int AS verified,
           count(*) FILTER (WHERE outcome = 'decided')::int AS decided,
           count(*) FILTER (WHERE ${liar.agentId} = ANY(wrong_agents))::int AS liar_wrong,
           count(*) FILTER (WHERE cardinality(wrong_agents) > 0
                              AND NOT ${liar.agentId} = ANY(wrong_agents))::int AS others_wrong
      FROM verifications`;
  const [{ held }] = await cluster.db.sql`SELECT count(*)::int AS held FROM verification_results`;
  t.ok(lies > 0 && v.liar_wrong > 0, "the liar's results were caught by a third fetch");
  t.equal(v.others_wrong, 0, "no truthful agent was ever found wrong");
  t.equal(held, 0, "no held result is left once the rounds are done");

  const status = await cluster.admin.call("getStatus", {});
  const flagged = status.flaggedAgents.map((a) => a.agentId);
  t.same(flagged, [liar.agentId], "the status lists the liar, and only the liar, as flagged");
  t.equal(status.verificationShare, 1, "the status shows the configured verification share");
  t.ok(status.verificationRate > 0.9, "nearly every batch of the round was verified");
  t.comment(`liar reported ${lies} tampered batches; ${v.verified} batches verified over two rounds, ${v.decided} decided by a third agent, liar wrong ${v.liar_wrong} times`);
  t.comment(`status: verification rate ${status.verificationRate.toFixed(2)}, flagged ${JSON.stringify(status.flaggedAgents.map((a) => a.reason))}`);
});

t.test("with a share of batches fetched twice by truthful agents, every batch is merged once and the day matches the truth", async (t) => {
  const cluster = await startCluster(t, {
    sim: simWithKey(3000, 200),
    apiKey: { applicationId: "demo-key", requestsPerSecond: 80 },
    server: { "verify.share": 0.25 },
  });
  for (const name of ["share-a", "share-b", "share-c"]) cluster.startAgent(name);
  const sim = cluster.sim.sim;
  await cluster.runRound(sim.truth(1).date);
  sim.advanceDay();
  const round2 = await cluster.runRound(sim.truth(2).date);

  await checkDayAgainstTruth(t, { sql: cluster.db.sql, sim, realms: cluster.realms }, round2, 2);
  const status = await cluster.admin.call("getStatus", {});
  const [{ agents }] = await cluster.db.sql`
    SELECT count(*)::int AS agents FROM verifications
     WHERE cardinality(agents) <> cardinality(ARRAY(SELECT DISTINCT unnest(agents)))`;
  t.ok(status.batchesVerified > 0, "some batches were verified");
  t.ok(status.verificationRate > 0.05 && status.verificationRate < 0.6, "about a quarter of the batches were verified");
  t.equal(status.verificationDisagreements, 0, "truthful agents never disagree");
  t.equal(agents, 0, "no batch was verified by the agent that fetched it first");
  t.same(status.flaggedAgents, [], "no agent is flagged");
  t.comment(`round 2: ${status.batchesVerified} batches verified, rate ${status.verificationRate.toFixed(2)} for a share of 0.25`);
});
