import t from "tap";
import type { Spawned } from "../support/child-process";
import { simWithKey, startProcessCluster, waitFor } from "../support/process-cluster";
import { startSecondCoordinator } from "../support/second-coordinator";
import { checkDayAgainstTruth } from "../support/truth-check";

/** Names of the agents a coordinator's log says connected, from line `from` on. */
function connectedNames(server: Spawned, from = 0): Set<string> {
  const names = new Set<string>();
  for (const line of server.lines.slice(from)) {
    if (!line.includes('"msg":"agent connected"')) continue;
    // The logger names itself "name" too; the agent's name is the one before its version.
    const name = /"name":"([^"]+)","version"/.exec(line)?.[1];
    if (name) names.add(name);
  }
  return names;
}

t.test(
  "two coordinators share one database; one killed with SIGKILL mid-round, its agents " +
    "move to the other and the round completes equal to the simulator's truth",
  async (t) => {
    const cluster = await startProcessCluster(t, {
      sim: simWithKey(2000, 60),
      apiKey: { applicationId: "demo-key", requestsPerSecond: 10 },
    });
    const second = await startSecondCoordinator(t, cluster);
    const first = `127.0.0.1:${cluster.agentPort}`;
    const other = `127.0.0.1:${second.agentPort}`;

    // Half the agents list the first coordinator first, half the second: both get work.
    const onFirst = ["pair-a", "pair-b"];
    const onSecond = ["pair-c", "pair-d"];
    for (const name of onFirst) cluster.startAgent(name, { server: `${first},${other}` });
    for (const name of onSecond) cluster.startAgent(name, { server: `${other},${first}` });
    await waitFor(30_000, "agents connected to both coordinators", async () => {
      const a = connectedNames(cluster.server!);
      const b = connectedNames(second.server!);
      return onFirst.every((n) => a.has(n)) && onSecond.every((n) => b.has(n));
    }).catch((err: unknown) => {
      t.comment(`first coordinator log tail:\n${cluster.server?.lines.slice(-10).join("\n")}`);
      t.comment(`second coordinator log tail:\n${second.server?.lines.slice(-10).join("\n")}`);
      for (const [name, agent] of cluster.agents) {
        t.comment(`agent ${name} log tail:\n${agent.lines.slice(-5).join("\n")}`);
      }
      throw err;
    });

    const round1 = await cluster.startRound(cluster.sim.sim.truth(1).date);
    await cluster.waitRoundDone(round1);
    cluster.sim.sim.advanceDay();

    const round2 = await cluster.startRound(cluster.sim.sim.truth(2).date);
    await cluster.waitBatchesDone(round2, 8);
    const before = await cluster.batchCounts(round2);
    const secondLinesAtKill = second.server!.lines.length;
    await cluster.killServer("SIGKILL");
    t.comment(`first coordinator killed with SIGKILL at batches ${JSON.stringify(before)}`);
    const total = Object.values(before).reduce((sum, n) => sum + n, 0);
    t.ok((before.done ?? 0) < total, "the round was not done when the coordinator died");

    await cluster.waitRoundDone(round2);
    const after = await cluster.batchCounts(round2);
    t.comment(`batches once the other coordinator completed the round: ${JSON.stringify(after)}`);

    const moved = [...connectedNames(second.server!, secondLinesAtKill)].filter((n) =>
      onFirst.includes(n),
    );
    t.same(moved.sort(), onFirst, "every agent of the killed coordinator moved to the other");
    t.comment(`${moved.length} agents moved to the second coordinator: ${moved.join(", ")}`);

    const day2 = cluster.sim.sim.truth(2).date;
    const [rounds] = await cluster.sql`SELECT count(*)::int AS n FROM rounds WHERE stat_day = ${day2}`;
    t.equal(rounds.n, 1, "the surviving coordinator finished the same round, not a new one");
    const figures = await checkDayAgainstTruth(
      t,
      { ...cluster, sim: cluster.sim.sim },
      round2,
      2,
    );
    t.comment(
      `${figures.rowsCompared} accounts compared with the truth, ${figures.diffRows} diff rows, ` +
        `${figures.batchesRetried} batch attempts retried after the kill`,
    );
  },
);
