import { distEntry, spawnNode } from "../support/child-process";
import type { BenchDatabase } from "./bench-db";
import { startBenchCluster, type BenchCluster } from "./bench-cluster";
import type { BenchRow } from "./bench-table";
import { mb, procUsage } from "./proc-usage";

export interface PipelineOptions {
  idsPerPlatform: number;
  agents: number;
  /** In-flight API requests per agent. */
  inFlight: number;
  /** Seconds the bare load loop runs. */
  referenceSeconds: number;
}

const KEY = "bench-key";

/**
 * Round 1 (a full sweep) end to end with the simulator's rate limit off, beside a bare HTTP loop
 * hitting the simulator with as many requests in flight as all agents together. Then the
 * simulator plays a day and round 2 counts the API requests a steady-state round makes.
 */
export async function measurePipeline(db: BenchDatabase, o: PipelineOptions): Promise<BenchRow[]> {
  const cluster = await startBenchCluster(db, {
    name: "pipeline",
    simArgs: ["--ids-per-platform", String(o.idsPerPlatform), "--no-rate-limit", "--key", `${KEY}:server:10000`],
    server: {
      "agent.maxInFlight": o.inFlight,
      "agent.maxCredit": o.inFlight * 2,
      "lease.checkMs": 200,
      "ingest.flushMs": 100,
    },
    headroom: Math.max(1000, Math.round(o.idsPerPlatform * 0.02)),
    idsPerPlatform: o.idsPerPlatform,
    apiKey: { applicationId: KEY, requestsPerSecond: 10_000 },
  });
  try {
    for (let i = 1; i <= o.agents; i++) cluster.startAgent(`bench-pipe-${i}`, ["--capacity", String(o.inFlight * 2)]);
    await waitAgents(cluster, o.agents);

    const serverPid = cluster.server.child.pid!;
    const before = procUsage(serverPid);
    const day1 = (await cluster.simJson("/sim/truth?day=1")).date as string;
    const round1 = await cluster.runRound(day1);
    const after = procUsage(serverPid);
    const batchesPerSecond = round1.batches / round1.seconds;
    const cpuPer1000 = ((after.cpuSeconds - before.cpuSeconds) / round1.batches) * 1000;

    const reference = await bareLoop(cluster.simUrl, o.agents * o.inFlight, o.referenceSeconds);
    const crawl = await measureCrawl(cluster);

    const pipelineRatio = batchesPerSecond / reference;
    return [
      {
        figure: "pipeline (round 1, full sweep)",
        value: batchesPerSecond,
        unit: "batches/s",
        reference: "bare HTTP loop on the simulator, answers/s",
        referenceValue: reference,
        ratio: pipelineRatio,
        goal: "≥ 50 % of reference",
        met: pipelineRatio >= 0.5,
        notes:
          `${round1.batches} batches in ${round1.seconds.toFixed(1)} s, ${o.agents} agents x ${o.inFlight} in flight; ` +
          `server ${cpuPer1000.toFixed(2)} CPU-s per 1,000 batches, peak RSS ${mb(after.peakRssBytes)} MB`,
      },
      crawl,
    ];
  } finally {
    await cluster.admin.close();
    await cluster.stop();
  }
}

async function measureCrawl(cluster: BenchCluster): Promise<BenchRow> {
  const day2 = await cluster.simJson("/sim/advance-day", "POST");
  await cluster.simJson("/sim/reset-stats", "POST");
  const round2 = await cluster.runRound(day2.date);
  const stats = await cluster.simJson("/sim/stats");
  const requests = (stats.byPath["/wotx/account/info/"] ?? stats.requests) as number;
  const live = (day2.xbox.accounts + day2.ps.accounts) as number;
  const reference = live / 100;
  const ratio = requests / reference;
  return {
    figure: "crawl efficiency (round 2, steady state)",
    value: requests,
    unit: "API requests",
    reference: "live accounts / 100",
    referenceValue: reference,
    ratio,
    goal: "≤ 1.1 x reference",
    met: ratio <= 1.1,
    notes: `${round2.batches} batches, ${live.toLocaleString("en-US")} live accounts, round ${round2.seconds.toFixed(1)} s`,
  };
}

export async function waitAgents(cluster: BenchCluster, n: number, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { agents } = await cluster.admin.call("listAgents", {});
    if (agents.filter((a) => a.connected).length >= n) return;
    if (Date.now() > deadline) {
      const last = cluster.agents[0]?.lines.slice(-5).join("\n") ?? "";
      throw new Error(`only ${agents.length} of ${n} agents connected; an agent said:\n${last}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Answers per second of the bare loop, unpaced, with `concurrency` requests in flight. */
async function bareLoop(simUrl: string, concurrency: number, seconds: number): Promise<number> {
  const loop = spawnNode(distEntry("test/bench/bare-loop.js"), [
    `${simUrl}/wotx`, KEY, "5000", String(concurrency), String(seconds * 1000), "0",
  ]);
  const line = await loop.waitForLine(/"answers"/, seconds * 1000 + 60_000);
  const result = JSON.parse(line) as { answers: number; errors: number; seconds: number };
  return result.answers / result.seconds;
}
