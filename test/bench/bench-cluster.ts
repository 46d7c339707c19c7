import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import postgres from "postgres";
import { AdminClient } from "../support/admin-client";
import { distEntry, spawnNode, type Spawned } from "../support/child-process";
import { spawnEnrolledAgent } from "../support/enrolled-agent-spawn";
import type { BenchDatabase } from "./bench-db";

export interface BenchClusterOptions {
  name: string;
  /** Simulator flags, e.g. ["--ids-per-platform", "100000", "--no-rate-limit"]. */
  simArgs: string[];
  /** Server settings by dotted key, passed as --set. */
  server?: Record<string, string | number>;
  /** Extra ids above each platform's population in the realm ranges. */
  headroom: number;
  idsPerPlatform: number;
  apiKey: { applicationId: string; requestsPerSecond: number; kind?: string };
}

/** The simulator, one server and agents, each its own process, on one fresh database. */
export interface BenchCluster {
  simUrl: string;
  sim: Spawned;
  server: Spawned;
  admin: AdminClient;
  agentPort: number;
  /** The database the server uses, for benchmarks that set up rows themselves. */
  databaseUrl: string;
  agents: Spawned[];
  startAgent(name: string, extraArgs?: string[]): Spawned;
  /** Starts a round and resolves with its wall time in seconds once it is done. */
  runRound(statDay: string, timeoutMs?: number): Promise<{ roundId: number; seconds: number; batches: number }>;
  simJson(route: string, method?: string): Promise<any>;
  stop(): Promise<void>;
}

export async function startBenchCluster(
  db: BenchDatabase,
  o: BenchClusterOptions,
): Promise<BenchCluster> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), `tracker-bench-${o.name}-`));
  const children: Spawned[] = [];
  const agents: Spawned[] = [];
  let watch: postgres.Sql | null = null;
  const stop = async () => {
    await Promise.all(agents.map((a) => a.stop("SIGTERM", 10_000)));
    for (const child of children.reverse()) await child.stop("SIGTERM", 15_000);
    await watch?.end({ timeout: 5 });
    fs.rmSync(dataDir, { recursive: true, force: true });
  };

  try {
    const sim = spawnNode(distEntry("test/sim/main.js"), ["--port", "0", ...o.simArgs]);
    children.push(sim);
    const simUrl = JSON.parse(await sim.waitForLine(/"event":"listening"/, 120_000)).url as string;

    const sets = Object.entries({
      "api.baseUrl": `${simUrl}/wotx`,
      "agent.listen": "127.0.0.1:0",
      "admin.listen": "127.0.0.1:0",
      "metrics.listen": "",
      dataDir,
      ...o.server,
    }).flatMap(([k, v]) => ["--set", `${k}=${v}`]);
    const databaseUrl = await db.create(o.name);
    // Rounds are watched with one cheap query: ListRounds counts every batch of the round,
    // and polled ten times a second it would add its own load to the figures.
    watch = postgres(databaseUrl, { max: 1, onnotice: () => {} });
    const server = spawnNode(distEntry("server/main.js"), sets, {
      DATABASE_URL: databaseUrl,
      // info, for the "server ready" line; agents log at warn.
      LOG_LEVEL: "info",
    });
    children.push(server);
    const ready = JSON.parse(await server.waitForLine(/"msg":"server ready"/, 120_000));
    const token = fs.readFileSync(path.join(dataDir, "admin-token"), "utf8").trim();
    const admin = new AdminClient(`127.0.0.1:${ready.adminPort}`, token);

    const simJson = async (route: string, method = "GET") => {
      const res = await fetch(`${simUrl}${route}`, { method });
      if (!res.ok) throw new Error(`simulator ${route}: HTTP ${res.status}`);
      return res.json();
    };
    const info = await simJson("/sim/info");
    await admin.call("addApiKey", o.apiKey);
    for (const platform of ["xbox", "ps"] as const) {
      const firstId = info.firstId[platform] as number;
      const lastId = firstId + o.idsPerPlatform + o.headroom - 1;
      await admin.call("setRealm", { platform, firstId, lastId, enabled: true });
    }

    return {
      simUrl,
      sim,
      server,
      admin,
      agentPort: ready.agentPort,
      databaseUrl,
      agents,
      simJson,
      startAgent(name, extraArgs = []) {
        const tokens = { adminAddress: `127.0.0.1:${ready.adminPort}`, adminToken: token };
        const agent = spawnEnrolledAgent(
          tokens,
          name,
          ["run", "--server", `127.0.0.1:${ready.agentPort}`, "--name", name, ...extraArgs],
          { TRACKER_AGENT_HOME: path.join(dataDir, `agent-${name}`), LOG_LEVEL: "warn" },
        );
        agents.push(agent);
        return agent;
      },
      async runRound(statDay, timeoutMs = 600_000) {
        const started = Date.now();
        const round = await admin.call("startRound", { statDay });
        const deadline = started + timeoutMs;
        for (;;) {
          const [found] = await watch!`SELECT state FROM rounds WHERE id = ${round.id}`;
          if (found?.state === "done") {
            return { roundId: round.id, seconds: (Date.now() - started) / 1000, batches: round.batchesTotal };
          }
          if (Date.now() > deadline) throw new Error(`round ${round.id} not done in ${timeoutMs} ms`);
          await new Promise((r) => setTimeout(r, 100));
        }
      },
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
