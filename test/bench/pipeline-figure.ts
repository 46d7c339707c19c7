import { distEntry, spawnNode } from "../support/child-process";
import type { BenchDatabase } from "./bench-db";
import { startBenchCluster, type BenchCluster } from "./bench-cluster";
import type { BenchRow } from "./bench-table";
import { treeCpuSeconds } from "./process-tree-cpu";
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
    const parts = cpuParts(cluster, db.postmasterPid());
    const before = parts();
    const day1 = (await cluster.simJson("/sim/truth?day=1")).date as string;
    const round1 = await cluster.runRound(day1);
    const after = procUsage(serverPid);
    const used = minus(parts(), before);
    const batchesPerSecond = round1.batches / round1.seconds;
    const per1000 = (seconds: number) => ((seconds / round1.batches) * 1000).toFixed(2);

    const simPid = cluster.sim.child.pid!;
    const simBefore = treeCpuSeconds(simPid);
    const bare = await bareLoop(cluster.simUrl, o.agents * o.inFlight, o.referenceSeconds);
    const simPer1000 = ((treeCpuSeconds(simPid) - simBefore) / bare.answers) * 1000;
    const loopPer1000 = (bare.cpuSeconds / bare.answers) * 1000;
    const reference = bare.answers / bare.seconds;
    const crawl = await measureCrawl(cluster);

    // The CPU one batch costs all parts together, against the 2 cores (or more) of the machine.
    const totalPer1000 = Object.values(used).reduce((a, b) => a + b, 0) / round1.batches * 1000;
    const coresAtReference = (totalPer1000 / 1000) * reference;
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
          `server peak RSS ${mb(after.peakRssBytes)} MB; CPU-s per 1,000 batches: ` +
          `server ${per1000(used.server)}, agents ${per1000(used.agents)}, ` +
          `simulator ${per1000(used.simulator)}, PostgreSQL ` +
          `${used.postgres === undefined ? "not measured" : per1000(used.postgres)}; ` +
          `in the reference, per 1,000 answers: simulator ${simPer1000.toFixed(2)}, ` +
          `bare loop ${loopPer1000.toFixed(2)}; ` +
          `at the reference's rate the pipeline would need ${coresAtReference.toFixed(1)} cores`,
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

type Parts = { server: number; agents: number; simulator: number; postgres?: number };

/** Reads the CPU seconds used so far by each part of the pipeline, from /proc. */
function cpuParts(cluster: BenchCluster, postmasterPid: number | null): () => Parts {
  return () => ({
    server: treeCpuSeconds(cluster.server.child.pid!),
    agents: cluster.agents.reduce((sum, a) => sum + treeCpuSeconds(a.child.pid!), 0),
    simulator: treeCpuSeconds(cluster.sim.child.pid!),
    ...(postmasterPid === null ? {} : { postgres: treeCpuSeconds(postmasterPid) }),
  });
}

function minus(after: Parts, before: Parts): Parts {
  const out: Parts = {
    server: after.server - before.server,
    agents: after.agents - before.agents,
    simulator: after.simulator - before.simulator,
  };
  if (after.postgres !== undefined && before.postgres !== undefined) {
    out.postgres = after.postgres - before.postgres;
  }
  return out;
}

/** The bare loop's answers and seconds, unpaced, with `concurrency` requests in flight. */
async function bareLoop(simUrl: string, concurrency: number, seconds: number) {
  const loop = spawnNode(distEntry("test/bench/bare-loop.js"), [
    `${simUrl}/wotx`, KEY, "5000", String(concurrency), String(seconds * 1000), "0",
  ]);
  const line = await loop.waitForLine(/"answers"/, seconds * 1000 + 60_000);
  return JSON.parse(line) as { answers: number; errors: number; seconds: number; cpuSeconds: number };
}
