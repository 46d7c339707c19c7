import { randomBytes } from "node:crypto";
import { monitorEventLoopDelay } from "node:perf_hooks";
import postgres from "postgres";
import { hashSecret } from "../../server/enrollment/secrets";
import { distEntry, spawnNode, type Spawned } from "../support/child-process";
import type { BenchDatabase } from "./bench-db";
import { startBenchCluster } from "./bench-cluster";
import type { BenchRow } from "./bench-table";
import { mb, procUsage, RssSampler } from "./proc-usage";
import { waitAgents } from "./pipeline-figure";

export interface ScaleOptions {
  agents: number;
  processes: number;
  batches: number;
  /** How long a light agent holds each assignment before reporting it. */
  workMs: number;
}

/**
 * A round worked by many light agent sessions spread over a few processes. The server's RSS is
 * sampled from /proc during the round; latencies come from the clients.
 */
export async function measureScale(db: BenchDatabase, o: ScaleOptions): Promise<BenchRow[]> {
  const idsPerPlatform = 1000;
  const cluster = await startBenchCluster(db, {
    name: "scale",
    simArgs: ["--ids-per-platform", String(idsPerPlatform)],
    // Plaintext on loopback: the light clients carry a credential but no pinned certificate.
    server: { "lease.checkMs": 500, "agent.tls": "false" },
    headroom: Math.max(0, Math.ceil(o.batches / 2) * 100 - idsPerPlatform),
    idsPerPlatform,
    apiKey: { applicationId: "scale-key", requestsPerSecond: 10_000 },
  });
  const clients: Spawned[] = [];
  const sampler = new RssSampler(cluster.server.child.pid!);
  try {
    const perProcess = Math.ceil(o.agents / o.processes);
    const secret = randomBytes(32).toString("base64url");
    await enrollLightAgents(cluster.databaseUrl, o.agents, perProcess, secret);
    for (let p = 0; p < o.processes; p++) {
      const n = Math.min(perProcess, o.agents - p * perProcess);
      clients.push(spawnNode(distEntry("test/bench/light-clients.js"), [
        `127.0.0.1:${cluster.agentPort}`, String(n), `light${p}`, String(o.workMs), secret,
      ]));
    }
    await waitAgents(cluster, o.agents, 120_000).catch((err: Error) => {
      throw new Error(`${err.message}\nlight clients said: ${clients[0]?.lines.slice(-3).join("\n")}`);
    });

    const day1 = (await cluster.simJson("/sim/truth?day=1")).date as string;
    let completed = true;
    let round = { seconds: 0, batches: 0 };
    const serverPid = cluster.server.child.pid!;
    const cpuBefore = procUsage(serverPid).cpuSeconds;
    // How late this nearly idle process's own timers run during the round: the machine's share
    // of every latency measured here, as a reference for the p99.
    const loopDelay = monitorEventLoopDelay({ resolution: 10 });
    loopDelay.enable();
    try {
      round = await cluster.runRound(day1, 300_000);
    } catch {
      completed = false;
    }
    loopDelay.disable();
    const lateP99 = loopDelay.percentile(99) / 1e6 - 10;
    const serverCpu = procUsage(serverPid).cpuSeconds;
    const roundCpu = (serverCpu - cpuBefore).toFixed(1);
    // The figure must measure the coordinator: a light process near a full core would not be.
    const clientCpu = clients.map((c) => procUsage(c.child.pid!).cpuSeconds);

    const latencies: number[] = [];
    const firstWaits: number[] = [];
    let results = 0;
    for (const client of clients) {
      await client.stop("SIGTERM", 10_000);
      const line = client.lines.find((l) => l.startsWith('{"results"'));
      if (!line) continue;
      const parsed = JSON.parse(line) as { results: number; latencies: number[]; firstWaits: number[] };
      results += parsed.results;
      latencies.push(...parsed.latencies);
      firstWaits.push(...parsed.firstWaits);
    }
    latencies.sort((a, b) => a - b);
    firstWaits.sort((a, b) => a - b);
    const p50 = percentile(latencies, 0.5);
    const p99 = percentile(latencies, 0.99);

    return [
      {
        figure: `scale: ${o.agents} agents in ${o.processes} processes`,
        value: p99,
        unit: "ms p99 assignment latency",
        reference: "",
        referenceValue: null,
        ratio: null,
        goal: "p99 ≤ 50 ms, round completes",
        met: completed && p99 <= 50,
        notes:
          `p50 ${p50.toFixed(1)} ms over ${latencies.length} assignments (each agent's first, asked ` +
          `before the round started, apart: p50 ${percentile(firstWaits, 0.5).toFixed(0)} ms); round of ${round.batches} batches ` +
          `${completed ? `done in ${round.seconds.toFixed(1)} s` : "NOT completed"} (${results} results, ` +
          `${o.workMs} ms per batch); server peak RSS ${mb(sampler.peakRssBytes)} MB, ` +
          `${roundCpu} CPU-s in the round (${serverCpu.toFixed(1)} since start); ` +
          `light processes ${clientCpu.map((c) => c.toFixed(1)).join(", ")} CPU-s each; ` +
          `a 10 ms timer in the bench process ran ${lateP99.toFixed(1)} ms late at p99`,
      },
    ];
  } finally {
    sampler.stop();
    await Promise.all(clients.map((c) => c.stop("SIGTERM", 5000)));
    await cluster.admin.close();
    await cluster.stop();
  }
}

/** Light agents skip the enroll call: their credentials are written straight into agents. */
async function enrollLightAgents(url: string, agents: number, perProcess: number, secret: string) {
  const sql = postgres(url, { max: 1, onnotice: false });
  try {
    const ids = Array.from({ length: agents }, (_, i) => `light${Math.floor(i / perProcess)}-${i % perProcess}`);
    await sql`
      INSERT INTO agents (id, name, secret_hash)
      SELECT id, 'light', ${hashSecret(secret)} FROM unnest(${ids}::text[]) AS id`;
  } finally {
    await sql.end({ timeout: 5 });
  }
}

function percentile(sorted: number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}
