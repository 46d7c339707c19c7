import { distEntry, spawnNode } from "../support/child-process";
import type { BenchDatabase } from "./bench-db";
import { startBenchCluster } from "./bench-cluster";
import type { BenchRow } from "./bench-table";
import { mb, procUsage } from "./proc-usage";
import { waitAgents } from "./pipeline-figure";

export interface AgentCostOptions {
  requestsPerSecond: number;
  seconds: number;
}

const KEY = "cost-key";
/** Let the agent reach its steady rate (connect, Config, first leases) before measuring. */
const WARMUP_MS = 5_000;

/**
 * One agent process working a round at the key's rate, its CPU time and RSS read from /proc
 * over a fixed window; then a bare Node loop making the same requests at the same rate.
 */
export async function measureAgentCost(db: BenchDatabase, o: AgentCostOptions): Promise<BenchRow[]> {
  const idsPerPlatform = Math.max(20_000, Math.ceil((o.requestsPerSecond * (o.seconds + 30) * 100) / 2));
  const cluster = await startBenchCluster(db, {
    name: "agentcost",
    simArgs: ["--ids-per-platform", String(idsPerPlatform), "--key", `${KEY}:server:${o.requestsPerSecond}`],
    headroom: 1000,
    idsPerPlatform,
    apiKey: { applicationId: KEY, requestsPerSecond: o.requestsPerSecond },
  });
  try {
    const agent = cluster.startAgent("bench-cost");
    await waitAgents(cluster, 1);
    const day1 = (await cluster.simJson("/sim/truth?day=1")).date as string;
    await cluster.admin.call("startRound", { statDay: day1 });
    await new Promise((r) => setTimeout(r, WARMUP_MS));

    const pid = agent.child.pid!;
    const statsBefore = await cluster.simJson("/sim/stats");
    const before = procUsage(pid);
    await new Promise((r) => setTimeout(r, o.seconds * 1000));
    const after = procUsage(pid);
    const statsAfter = await cluster.simJson("/sim/stats");
    await agent.stop("SIGTERM", 10_000);

    const requests = statsAfter.requests - statsBefore.requests;
    const agentCpu = (after.cpuSeconds - before.cpuSeconds) / o.seconds;
    const bare = await bareLoopCpu(cluster.simUrl, o.requestsPerSecond, o.seconds);
    const cpuRatio = agentCpu / bare.cpuShare;
    const rssMb = mb(after.peakRssBytes);

    return [
      {
        figure: `agent cost at ${o.requestsPerSecond} requests/s, ${o.seconds} s`,
        value: agentCpu * 100,
        unit: "% of one core",
        reference: "bare Node request loop, % of one core",
        referenceValue: bare.cpuShare * 100,
        ratio: cpuRatio,
        goal: "≤ 2 % CPU, ≤ 80 MB RSS",
        met: agentCpu <= 0.02 && rssMb <= 80,
        notes:
          `agent peak RSS ${rssMb} MB (bare loop ${mb(bare.peakRssBytes)} MB); ` +
          `${(requests / o.seconds).toFixed(1)} requests/s reached the simulator`,
      },
    ];
  } finally {
    await cluster.admin.close();
    await cluster.stop();
  }
}

async function bareLoopCpu(simUrl: string, rps: number, seconds: number) {
  const loop = spawnNode(distEntry("test/bench/bare-loop.js"), [
    `${simUrl}/wotx`, KEY, "5000", "4", String(seconds * 1000), String(rps),
  ]);
  // Read /proc just before the loop ends: once it prints, the process may be gone.
  const pid = loop.child.pid!;
  await new Promise((r) => setTimeout(r, 300));
  const before = procUsage(pid);
  await new Promise((r) => setTimeout(r, seconds * 1000 - 600));
  const after = procUsage(pid);
  await loop.waitForLine(/"answers"/, 60_000);
  const window = (seconds * 1000 - 600) / 1000;
  return { cpuShare: (after.cpuSeconds - before.cpuSeconds) / window, peakRssBytes: after.peakRssBytes };
}
