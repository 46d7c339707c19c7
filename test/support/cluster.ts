import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { loadServerConfig, type ServerConfig } from "../../server/config";
import { startTrackerServer, type TrackerServer } from "../../server/tracker-server";
import { createLogger, silentLogger, type Logger } from "../../shared/log";
import { startSimulator, type RunningSimulator, type SimulatorServerOptions } from "../sim/server";
import { AdminClient } from "./admin-client";
import type { Spawned } from "./child-process";
import { spawnEnrolledAgent } from "./enrolled-agent-spawn";
import { testDatabase, type TestDatabase } from "./pg";

interface TestLike {
  teardown(fn: () => unknown): void;
}

export interface ClusterOptions {
  sim?: SimulatorServerOptions;
  /** Server settings by dotted key, e.g. { "lease.ttlMs": 5000 }. */
  server?: Record<string, unknown>;
  /** API key registered through the admin service. */
  apiKey?: { applicationId: string; requestsPerSecond: number; kind?: string };
  /** Extra id room above each platform's population, for new accounts. */
  realmHeadroom?: number;
}

export interface Cluster {
  db: TestDatabase;
  sim: RunningSimulator;
  server: TrackerServer;
  config: ServerConfig;
  admin: AdminClient;
  dataDir: string;
  realms: { platform: "xbox" | "ps"; firstId: number; lastId: number }[];
  agents: Spawned[];
  /** Starts an agent executable (compiled JS) as a child process. */
  startAgent(name: string, extraArgs?: string[]): Spawned;
  /** Starts a round through the admin service and waits until it is done. */
  runRound(statDay: string, timeoutMs?: number): Promise<number>;
  waitRoundDone(roundId: number, timeoutMs?: number): Promise<void>;
  /** Stops the in-process server (as a crash would not: gracefully). */
  restartServer(): Promise<void>;
}

/**
 * A whole tracker for end-to-end tests: real PostgreSQL, the simulator over HTTP, the server
 * over real gRPC sockets, agents as separate processes. Everything stops at teardown.
 */
export async function startCluster(t: TestLike, options: ClusterOptions = {}): Promise<Cluster> {
  const db = await testDatabase(t);
  const sim = await startSimulator({ seed: 7, idsPerPlatform: 2000, ...options.sim });
  t.teardown(() => sim.close());

  const o = sim.sim.options;
  const headroom = options.realmHeadroom ?? 1000;
  const realms = [
    { platform: "xbox" as const, firstId: o.xboxFirstId, lastId: o.xboxFirstId + o.idsPerPlatform + headroom - 1 },
    { platform: "ps" as const, firstId: o.psFirstId, lastId: o.psFirstId + o.idsPerPlatform + headroom - 1 },
  ];
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "tracker-e2e-"));
  t.teardown(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  const config = loadServerConfig({
    env: {},
    overrides: {
      databaseUrl: db.url,
      dataDir,
      "agent.listen": "127.0.0.1:0",
      "admin.listen": "127.0.0.1:0",
      "metrics.listen": "127.0.0.1:0",
      "api.baseUrl": `${sim.url}/wotx`,
      "api.requestTimeoutMs": 2000,
      "api.retryInitialMs": 50,
      "api.retryMaxMs": 500,
      "lease.checkMs": 200,
      "ingest.flushMs": 50,
      // A test with one agent would otherwise wait 10 minutes for a second fetcher.
      "verify.waitMs": 2000,
      "realms.xbox": `${realms[0].firstId}-${realms[0].lastId}`,
      "realms.ps": `${realms[1].firstId}-${realms[1].lastId}`,
      ...options.server,
    },
  });
  const log: Logger = process.env.E2E_LOG ? createLogger("e2e-server") : silentLogger();

  const agents: Spawned[] = [];
  const cluster: Cluster = {
    db,
    sim,
    config,
    dataDir,
    realms,
    agents,
    server: await startTrackerServer(config, log),
    admin: null as unknown as AdminClient,
    startAgent(name, extraArgs = []) {
      const home = path.join(dataDir, `agent-${name}`);
      const tokens = { adminAddress: `127.0.0.1:${cluster.server.adminPort}`, adminToken: readAdminToken(dataDir) };
      const agent = spawnEnrolledAgent(
        tokens,
        name,
        ["run", "--server", `127.0.0.1:${cluster.server.agentPort}`, "--name", name, ...extraArgs],
        { TRACKER_AGENT_HOME: home, LOG_LEVEL: process.env.E2E_LOG ? "info" : "warn" },
      );
      agents.push(agent);
      return agent;
    },
    async runRound(statDay, timeoutMs) {
      const round = await cluster.admin.call("startRound", { statDay });
      await cluster.waitRoundDone(round.id, timeoutMs);
      return round.id;
    },
    async waitRoundDone(roundId, timeoutMs = 120_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const { rounds } = await cluster.admin.call("listRounds", { limit: 10 });
        const round = rounds.find((r) => r.id === roundId);
        if (round?.state === "done") return;
        if (Date.now() > deadline) {
          throw new Error(`round ${roundId} not done after ${timeoutMs} ms: ${JSON.stringify(round)}`);
        }
        await new Promise((r) => setTimeout(r, 200));
      }
    },
    async restartServer() {
      await cluster.server.stop();
      cluster.server = await startTrackerServer({ ...config, agentListen: `127.0.0.1:${cluster.server.agentPort}`, adminListen: `127.0.0.1:${cluster.server.adminPort}` }, log);
    },
  };
  cluster.admin = new AdminClient(`127.0.0.1:${cluster.server.adminPort}`, readAdminToken(dataDir));
  t.teardown(async () => {
    await Promise.all(agents.map((a) => a.stop("SIGTERM", 5000)));
    cluster.admin.close();
    await cluster.server.stop();
  });

  const key = options.apiKey ?? { applicationId: "demo-key", requestsPerSecond: 200 };
  await cluster.admin.call("addApiKey", key);
  return cluster;
}

export function readAdminToken(dataDir: string): string {
  return fs.readFileSync(path.join(dataDir, "admin-token"), "utf8").trim();
}
