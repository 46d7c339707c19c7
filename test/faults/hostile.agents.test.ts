import t from "tap";
import type { Assign, Player } from "../../shared/gen/tracker/v1/agent";
import { startCluster, type Cluster } from "../support/cluster";
import { simWithKey, waitFor } from "../support/process-cluster";
import { honestPlayers, RawAgent, rawAgentHome } from "../support/raw-agent";
import { comparePlayersWithTruth } from "../support/truth";

const OFFENCES_TO_FLAG = 3;

/** A bad result for the first of two leases; the second gets an honest one. */
type Tamper = (players: Player[], assign: Assign) => Player[];

const BAD_RESULTS: [string, string, Tamper][] = [
  [
    "ids outside its batch",
    "RESULT_INVALID",
    (p, a) => [...p, { ...p[0], accountId: Math.max(...a.accountIds) + 50_000 }],
  ],
  ["duplicated ids", "RESULT_INVALID", (p) => [...p, { ...p[0] }]],
  ["a negative counter", "RESULT_INVALID", (p) => [{ ...p[0], battles: -5 }, ...p.slice(1)]],
  [
    "a counter over 2^31",
    "RESULT_INVALID",
    (p) => [{ ...p[0], battles: 2 ** 31 + 5, wins: 1 }, ...p.slice(1)],
  ],
  [
    "a nickname over the limit",
    "RESULT_INVALID",
    (p) => [{ ...p[0], nickname: "x".repeat(200) }, ...p.slice(1)],
  ],
];

async function offences(
  cluster: Cluster,
  agentId: string,
): Promise<{ offences: number; flagged: boolean }> {
  const [row] = await cluster.db.sql`SELECT offences, flagged FROM agents WHERE id = ${agentId}`;
  return { offences: Number(row.offences), flagged: Boolean(row.flagged) };
}

function enrolled(cluster: Cluster, name: string): Promise<RawAgent> {
  return RawAgent.enroll(cluster.admin, rawAgentHome(cluster.dataDir, name), name);
}

/** A raw agent that has taken two leases. */
async function withTwoLeases(cluster: Cluster, name: string): Promise<[RawAgent, Assign[]]> {
  const agent = await enrolled(cluster, name);
  agent.open();
  agent.want(2);
  await waitFor(15_000, `${name} holds two leases`, async () => agent.assigns().length >= 2);
  return [agent, agent.assigns().slice(0, 2)];
}

t.test("hostile and buggy agents are refused with a clear code, counted, flagged when repeated, and their good batches are kept", async (t) => {
  const cluster = await startCluster(t, {
    sim: simWithKey(3000, 60),
    apiKey: { applicationId: "demo-key", requestsPerSecond: 25 },
    server: {
      "agent.writeStallMs": 2000,
      "agent.offencesToFlag": OFFENCES_TO_FLAG,
      "lease.ttlMs": 20_000,
    },
  });
  const sim = cluster.sim.sim;
  const round = await cluster.admin.call("startRound", { statDay: sim.truth(1).date });
  const raw: RawAgent[] = [];
  t.teardown(() => raw.forEach((a) => a.close()));

  for (const [what, code, tamper] of BAD_RESULTS) {
    const [agent, [bad, good]] = await withTwoLeases(cluster, `bad-${what.replace(/\W+/g, "-")}`);
    raw.push(agent);
    agent.result(bad.leaseId, tamper(honestPlayers(sim, bad), bad));
    agent.result(good.leaseId, honestPlayers(sim, good));
    const refusal = await agent.waitFor("resultRejected", (r) => r.leaseId === bad.leaseId);
    await agent.waitFor("ack", (a) => a.leaseId === good.leaseId);
    t.equal(refusal.code, code, `a result with ${what} is refused with ${code}`);
    t.same(await offences(cluster, agent.agentId), { offences: 1, flagged: false }, `${what}: one offence counted`);
    t.comment(`${what}: refused with ${refusal.code} (${refusal.reason}); its good batch acknowledged`);
  }

  t.test("a result for a lease held by another agent is refused, and repeated offences flag the agent", async (t) => {
    const [agent, [own]] = await withTwoLeases(cluster, "lease-thief");
    const [victim, victimLeases] = await withTwoLeases(cluster, "victim");
    raw.push(agent, victim);
    // Two leases another agent holds, and one that never existed.
    const stolen = [...victimLeases.map((a) => a.leaseId), 9_000_000];
    for (const leaseId of stolen) agent.result(leaseId, honestPlayers(sim, own));
    for (const leaseId of stolen) {
      const refusal = await agent.waitFor("resultRejected", (r) => r.leaseId === leaseId);
      t.equal(refusal.code, "LEASE_NOT_OWNED", `lease ${leaseId} is refused with LEASE_NOT_OWNED`);
    }
    agent.result(own.leaseId, honestPlayers(sim, own));
    await agent.waitFor("ack", (a) => a.leaseId === own.leaseId);
    for (const lease of victimLeases) victim.result(lease.leaseId, honestPlayers(sim, lease));
    for (const lease of victimLeases) await victim.waitFor("ack", (a) => a.leaseId === lease.leaseId);
    t.equal((await offences(cluster, victim.agentId)).offences, 0, "the victim's results are kept");
    const after = await offences(cluster, agent.agentId);
    t.same(after, { offences: stolen.length, flagged: true }, "each one counted, and the agent is flagged");
    t.comment(`lease thief: ${after.offences} offences, flagged ${after.flagged}`);
  });

  t.test("a message over the size limit ends the stream with MESSAGE_TOO_LARGE and is counted", async (t) => {
    const [agent, [big, good]] = await withTwoLeases(cluster, "oversized");
    raw.push(agent);
    agent.result(good.leaseId, honestPlayers(sim, good));
    await agent.waitFor("ack", (a) => a.leaseId === good.leaseId);
    // The batch may hold no account at all (the probe past the top); any well-formed player does.
    const filler = honestPlayers(sim, big)[0] ?? {
      accountId: 0, nickname: "", createdAt: 0, lastBattleTime: 0, updatedAt: 0,
      hasStatistics: true, battles: 1, wins: 0, spotted: 0, damageDealt: 0, frags: 0,
      droppedCapturePoints: 0,
    };
    const nickname = "n".repeat(100);
    const players = Array.from({ length: 3000 }, (_, i) => ({ ...filler, accountId: i + 1, nickname }));
    agent.result(big.leaseId, players);
    const end = await agent.ended;
    t.equal(end.code, "MESSAGE_TOO_LARGE", "the stream ends with MESSAGE_TOO_LARGE");
    t.equal((await offences(cluster, agent.agentId)).offences, 1, "one offence counted");
    const [row] = await cluster.db.sql`SELECT state FROM batches WHERE id IN
      (SELECT id FROM batches WHERE lease_id = ${big.leaseId}) `;
    t.notOk(row?.state === "leased", "its lease went back to the pool");
    t.comment(`oversized result of ${players.length} players: ${end.code} (${end.details})`);
  });

  t.test("a flood of credit requests ends the stream with AGENT_FLOODING and is counted", async (t) => {
    const agent = await enrolled(cluster, "flood");
    raw.push(agent);
    agent.open();
    for (let i = 0; i < 3000; i++) agent.want(1);
    const end = await agent.ended;
    t.equal(end.code, "AGENT_FLOODING", "the stream ends with AGENT_FLOODING");
    t.equal((await offences(cluster, agent.agentId)).offences, 1, "one offence counted");
    t.comment(`3000 Want messages at once: ${end.code} (${end.details})`);
  });

  t.test("a stream that never reads is ended after agent.writeStallMs and its leases return", async (t) => {
    const agent = await enrolled(cluster, "deaf");
    raw.push(agent);
    agent.open({ windowBytes: 0 });
    agent.want(8);
    await waitFor(20_000, "the deaf agent is counted", async () => {
      return (await offences(cluster, agent.agentId)).offences > 0;
    });
    const end = await agent.ended;
    const [held] = await cluster.db.sql`
      SELECT count(*)::int AS n FROM batches
       WHERE state = 'leased' AND agent_id = ${agent.agentId}`;
    t.equal(held.n, 0, "it holds no lease any more");
    t.equal(end.code, "RESOURCE_EXHAUSTED", "its stream is reset as RESOURCE_EXHAUSTED");
    t.comment(`never-reading stream: ended with ${end.code} (${end.details})`);
  });

  // The truthful agents join last, so that the hostile ones found work to misbehave with.
  cluster.startAgent("honest-a");
  cluster.startAgent("honest-b");
  await cluster.waitRoundDone(round.id);
  const truth = await comparePlayersWithTruth(cluster.db.sql, sim, cluster.realms);
  t.same(truth.mismatches, [], "no refused result reached the database, and every account is there");
  const [{ flagged }] = await cluster.db.sql`
    SELECT count(*)::int AS flagged FROM agents WHERE flagged`;
  t.equal(flagged, 1, "only the repeat offender is flagged");
  const honest = await cluster.db.sql`SELECT offences FROM agents WHERE name LIKE 'honest-%'`;
  t.same(honest.map((r) => Number(r.offences)), [0, 0], "the honest agents have no offence");
  t.comment(`round 1: ${truth.rowsCompared} accounts compared, ${truth.mismatchCount} mismatches`);
});
