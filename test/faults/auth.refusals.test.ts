import * as grpc from "@grpc/grpc-js";
import t from "tap";
import { credentialMetadata } from "../../agent/credentials";
import { enroll } from "../../agent/enroll";
import { AdminClient } from "../support/admin-client";
import { startCluster } from "../support/cluster";
import { simWithKey, waitFor } from "../support/process-cluster";
import { RawAgent, rawAgentHome } from "../support/raw-agent";
import { comparePlayersWithTruth } from "../support/truth";

t.test("calls without a valid credential or token are refused with their code and disturb nothing else", async (t) => {
  const cluster = await startCluster(t, {
    sim: simWithKey(3000, 60),
    apiKey: { applicationId: "demo-key", requestsPerSecond: 25 },
  });
  cluster.startAgent("bystander-a");
  cluster.startAgent("bystander-b");
  const sim = cluster.sim.sim;
  const round = await cluster.admin.call("startRound", { statDay: sim.truth(1).date });
  await waitFor(20_000, "both bystanders connected", async () => {
    return (await cluster.admin.call("getStatus", {})).agentsConnected === 2;
  });
  const raw: RawAgent[] = [];
  t.teardown(() => raw.forEach((a) => a.close()));
  const enrolled = async (name: string) => {
    const agent = await RawAgent.enroll(cluster.admin, rawAgentHome(cluster.dataDir, name), name);
    raw.push(agent);
    return agent;
  };
  const refusals: string[] = [];

  const anonymous = (await enrolled("anonymous")).open({ metadata: null });
  t.equal((await anonymous.ended).code, "AGENT_NOT_ENROLLED", "a session without a credential is refused");
  refusals.push("no credential: AGENT_NOT_ENROLLED");

  const impostor = await enrolled("impostor");
  const forged = credentialMetadata({ agentId: impostor.agentId, secret: "not-the-secret" });
  impostor.open({ metadata: forged });
  t.equal((await impostor.ended).code, "AGENT_CREDENTIAL_INVALID", "a wrong secret is refused");
  refusals.push("wrong secret: AGENT_CREDENTIAL_INVALID");

  const revoked = await enrolled("revoked");
  await cluster.admin.call("revokeAgent", { agentId: revoked.agentId });
  t.equal((await revoked.open().ended).code, "AGENT_REVOKED", "a revoked agent is refused");
  refusals.push("revoked: AGENT_REVOKED");

  const banned = await enrolled("banned");
  banned.open().want(2);
  await waitFor(15_000, "the agent to be banned holds leases", async () => {
    return banned.assigns().length > 0;
  });
  await cluster.admin.call("banAgent", { agentId: banned.agentId, reason: "test" });
  t.equal((await banned.ended).code, "AGENT_BANNED", "a banned agent's open session is ended");
  const [held] = await cluster.db.sql`
    SELECT count(*)::int AS n FROM batches WHERE state = 'leased' AND agent_id = ${banned.agentId}`;
  t.equal(held.n, 0, "the banned agent's leases went back to the pool");
  const again = await enrolled("banned-again");
  await cluster.admin.call("banAgent", { agentId: again.agentId });
  t.equal((await again.open().ended).code, "AGENT_BANNED", "a banned agent cannot open a session");
  refusals.push("banned: AGENT_BANNED, open session ended and leases returned");

  const { token } = await cluster.admin.call("createEnrollmentToken", { name: "once" });
  await enroll({ token, home: rawAgentHome(cluster.dataDir, "once-1"), agentName: "once" });
  await t.rejects(
    enroll({ token, home: rawAgentHome(cluster.dataDir, "once-2"), agentName: "twice" }),
    { message: /refused/ },
    "a replayed enrollment token is refused",
  );
  refusals.push("replayed enrollment token: refused");

  const address = `127.0.0.1:${cluster.server.adminPort}`;
  const badTokens = [["without a token", ""], ["with a wrong token", "bt_wrong-token-of-some-length"]];
  for (const [what, token] of badTokens) {
    const client = new AdminClient(address, token);
    await t.rejects(client.call("startRound", { statDay: "2026-01-01" }), { code: grpc.status.UNAUTHENTICATED }, `an admin call ${what} is refused`);
    client.close();
    refusals.push(`admin call ${what}: UNAUTHENTICATED`);
  }

  const status = await cluster.admin.call("getStatus", {});
  t.equal(status.agentsConnected, 2, "the two bystanders stayed connected throughout");
  await cluster.waitRoundDone(round.id);
  const truth = await comparePlayersWithTruth(cluster.db.sql, sim, cluster.realms);
  t.same(truth.mismatches, [], "the round completed and every account matches the simulator");
  const [{ rounds }] = await cluster.db.sql`SELECT count(*)::int AS rounds FROM rounds`;
  t.equal(rounds, 1, "no refused admin call started a round");
  t.comment(`refused: ${refusals.join("; ")}`);
  t.comment(`round 1 with refusals going on: ${truth.rowsCompared} accounts compared, ${truth.mismatchCount} mismatches`);
});
