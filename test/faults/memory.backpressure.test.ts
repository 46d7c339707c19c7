import t from "tap";
import { startProcessCluster, waitFor } from "../support/process-cluster";
import { sampleMemory } from "../support/process-memory";
import { RawAgent, rawAgentHome } from "../support/raw-agent";
import { comparePlayersWithTruth } from "../support/truth";

/**
 * The server's resident memory bound, in MB, with ingest.highWaterRows 2,000 and 10 agents of
 * credit 8: about 90 MB for Node, gRPC and the pool at rest, plus at most highWaterRows rows
 * buffered and 10 x 8 batches of 100 players in flight (10,000 rows of about 1 KB each as JS
 * objects), plus room for the garbage collector's slack. The README's Guarantees quote it.
 */
const SERVER_BOUND_MB = 256;
/** An agent holds at most its credit window; with the server away it holds nothing at all. */
const AGENT_BOUND_MB = 160;
const LOCK_MS = 20_000;
const HIGH_WATER_ROWS = 2000;

t.test("with PostgreSQL stalled by a lock and 10 agents pushing, the server stops granting credit and its memory stays bounded", async (t) => {
  const cluster = await startProcessCluster(t, {
    sim: { idsPerPlatform: 20_000, rateLimit: false },
    apiKey: { applicationId: "demo-key", requestsPerSecond: 50 },
    server: {
      "ingest.highWaterRows": HIGH_WATER_ROWS,
      "ingest.flushRows": 1000,
      "lease.ttlMs": 60_000,
      "agent.maxCredit": 8,
    },
  });
  const sim = cluster.sim.sim;
  const serverPid = cluster.server!.child.pid!;
  cluster.startAgent("memory-real-a");
  cluster.startAgent("memory-real-b");

  const roundId = await cluster.startRound(sim.truth(1).date);
  const agents: RawAgent[] = [];
  t.teardown(() => agents.forEach((a) => a.close()));
  for (let i = 0; i < 10; i++) {
    const name = `eager-${i}`;
    const agent = await RawAgent.enroll(cluster.admin, rawAgentHome(cluster.dataDir, name), name);
    agents.push(agent.open());
    agent.reportHonestly(sim);
  }
  await cluster.waitBatchesDone(roundId, 20);

  const memory = sampleMemory(serverPid);
  const assigns = () => agents.reduce((n, a) => n + a.assigns().length, 0);
  let behindSeen = false;
  let backlogPeak = 0;
  const lock = cluster.sql.begin(async (tx) => {
    await tx`LOCK TABLE player_totals IN ACCESS EXCLUSIVE MODE`;
    await waitFor(LOCK_MS, "ingest behind", async () => {
      const status = await cluster.admin.call("getStatus", {});
      backlogPeak = Math.max(backlogPeak, Number(status.ingestBacklogRows));
      behindSeen ||= status.ingestBehind;
      return status.ingestBehind;
    });
    // Assignments granted just before ingest fell behind may still be on the wire.
    await new Promise((r) => setTimeout(r, 1000));
    const atBehind = assigns();
    await new Promise((r) => setTimeout(r, LOCK_MS / 2));
    const status = await cluster.admin.call("getStatus", {});
    backlogPeak = Math.max(backlogPeak, Number(status.ingestBacklogRows));
    return { atBehind, later: assigns() };
  });
  const { atBehind, later } = await lock;
  const peakMb = memory.stop();

  const inFlightRows = 12 * 8 * 100;
  t.ok(behindSeen, "the status reports ingest behind while PostgreSQL is stalled");
  t.equal(later, atBehind, "no assignment is granted while ingest is behind");
  t.ok(backlogPeak <= HIGH_WATER_ROWS + inFlightRows, "the backlog stays within high water plus the credit window");
  t.ok(peakMb < SERVER_BOUND_MB, `server resident memory stays under ${SERVER_BOUND_MB} MB`);
  t.comment(`lock held ${LOCK_MS / 2} ms past ingest behind: ${atBehind} assignments before, ${later} after`);
  t.comment(`server: backlog peak ${backlogPeak} rows (bound ${HIGH_WATER_ROWS + inFlightRows}), resident memory peak ${peakMb} MB (bound ${SERVER_BOUND_MB} MB)`);

  await cluster.waitRoundDone(roundId);
  const truth = await comparePlayersWithTruth(cluster.sql, sim, cluster.realms);
  t.same(truth.mismatches, [], "after the stall every account is stored with the simulator's totals");
  t.comment(`${truth.rowsCompared} accounts compared after the stall`);

  t.test("agents stay bounded while the server is away", async (t) => {
    await cluster.killServer("SIGKILL");
    const real = ["memory-real-a", "memory-real-b"].map((name) => cluster.agents.get(name)!);
    const samplers = real.map((a) => sampleMemory(a.child.pid!));
    await new Promise((r) => setTimeout(r, 8000));
    const peaks = samplers.map((s) => s.stop());
    t.ok(real.every((a) => a.child.exitCode === null), "the agents keep running, reconnecting");
    t.ok(Math.max(...peaks) < AGENT_BOUND_MB, `agent resident memory stays under ${AGENT_BOUND_MB} MB`);
    t.comment(`agents' resident memory peak over 8 s without a server: ${peaks.join(" MB, ")} MB (bound ${AGENT_BOUND_MB} MB)`);
  });
});
