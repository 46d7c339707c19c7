import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import {
  freeLoopbackPort,
  startEmbeddedPostgres,
  type EmbeddedDatabase,
} from "../../server/db/embedded";
import { openDatabase, type Sql } from "../../server/db/pool";
import { silentLogger } from "../../shared/log";
import { startSimulator, type RunningSimulator, type SimulatorServerOptions } from "../sim/server";
import { AdminClient } from "./admin-client";
import { distEntry, spawnNode, type Spawned } from "./child-process";
import { readAdminToken } from "./cluster";
import { spawnEnrolledAgent } from "./enrolled-agent-spawn";
import { testDatabase } from "./pg";

interface TestLike {
  teardown(fn: () => unknown): void;
  comment(...message: unknown[]): void;
}

export interface ProcessClusterOptions {
  sim?: SimulatorServerOptions;
  /** Server settings by dotted key, passed as --set key=value. */
  server?: Record<string, string | number>;
  /** The API key registered through the admin service. */
  apiKey?: { applicationId: string; requestsPerSecond: number };
  /** Extra id room above each platform's population, for new accounts. @default 1000 */
  realmHeadroom?: number;
  /** A PostgreSQL of the test's own, which it may stop and start. @default false */
  ownPostgres?: boolean;
}

export interface ProcessCluster {
  /** The test's own connection to the tracker's database. */
  sql: Sql;
  sim: RunningSimulator;
  dataDir: string;
  realms: { platform: "xbox" | "ps"; firstId: number; lastId: number }[];
  agentPort: number;
  adminPort: number;
  /** The server's command line (--set key=value pairs), for a second coordinator beside it. */
  serverArgs: readonly string[];
  admin: AdminClient;
  /** The running server process, or null while it is down. */
  server: Spawned | null;
  agents: Map<string, Spawned>;
  startServer(): Promise<Spawned>;
  /** Kills the server with a signal (SIGKILL: no cleanup at all) and waits for its exit. */
  killServer(signal?: NodeJS.Signals): Promise<void>;
  /** Starts an agent process; `server` overrides the address it connects to (a proxy). */
  startAgent(name: string, options?: { server?: string; capacity?: number }): Spawned;
  killAgent(name: string, signal?: NodeJS.Signals): Promise<void>;
  startRound(statDay: string): Promise<number>;
  /** Waits, reading the database, until the round is done; tolerates a database away. */
  waitRoundDone(roundId: number, timeoutMs?: number): Promise<void>;
  /** Waits until at least n batches of the round are done. */
  waitBatchesDone(roundId: number, n: number, timeoutMs?: number): Promise<void>;
  batchCounts(roundId: number): Promise<Record<string, number>>;
  /** Stops the test's own PostgreSQL (ownPostgres only). */
  stopPostgres(): Promise<void>;
  startPostgres(): Promise<void>;
}

/**
 * A whole tracker with the server as a child process (`node dist/server/main.js`), so that a
 * test can kill it with a real signal and start it again on the same ports and data. Agents
 * are child processes too; the simulator and PostgreSQL run beside the test.
 */
export async function startProcessCluster(
  t: TestLike,
  options: ProcessClusterOptions = {},
): Promise<ProcessCluster> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "tracker-faults-"));
  fs.chmodSync(dataDir, 0o755);
  t.teardown(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  const pg = await openPostgres(t, dataDir, options.ownPostgres === true);
  const sql = openDatabase(pg.url, { log: silentLogger(), max: 2 });
  t.teardown(() => sql.end({ timeout: 2 }));

  const sim = await startSimulator({ seed: 11, idsPerPlatform: 2000, ...options.sim });
  t.teardown(() => sim.close());
  const realms = realmsOf(sim, options.realmHeadroom ?? 1000);

  const agentPort = await freeLoopbackPort();
  const adminPort = await freeLoopbackPort();
  const settings: Record<string, string | number> = {
    databaseUrl: pg.url,
    dataDir,
    "agent.listen": `127.0.0.1:${agentPort}`,
    "admin.listen": `127.0.0.1:${adminPort}`,
    "metrics.listen": "",
    "api.baseUrl": `${sim.url}/wotx`,
    "api.requestTimeoutMs": 2000,
    "api.retryInitialMs": 50,
    "api.retryMaxMs": 500,
    "lease.ttlMs": 4000,
    "lease.checkMs": 200,
    "ingest.flushMs": 50,
    "realms.xbox": `${realms[0].firstId}-${realms[0].lastId}`,
    "realms.ps": `${realms[1].firstId}-${realms[1].lastId}`,
    ...options.server,
  };
  const args = Object.entries(settings).flatMap(([k, v]) => ["--set", `${k}=${v}`]);

  const agents = new Map<string, Spawned>();
  const cluster: ProcessCluster = {
    sql,
    sim,
    dataDir,
    realms,
    agentPort,
    adminPort,
    serverArgs: args,
    admin: null as unknown as AdminClient,
    server: null,
    agents,
    async startServer() {
      const server = spawnNode(distEntry("server/main.js"), args, {
        LOG_LEVEL: process.env.FAULTS_LOG ?? "info",
      });
      cluster.server = server;
      await server.waitForLine(/"msg":"server ready"/, 60_000);
      return server;
    },
    async killServer(signal = "SIGKILL") {
      const server = cluster.server;
      cluster.server = null;
      if (server) await server.stop(signal, 5000);
    },
    startAgent(name, agentOptions = {}) {
      const address = agentOptions.server ?? `127.0.0.1:${agentPort}`;
      const agentArgs = ["run", "--server", address, "--name", name];
      if (agentOptions.capacity) agentArgs.push("--capacity", String(agentOptions.capacity));
      const adminAddress = `127.0.0.1:${adminPort}`;
      const tokens = { adminAddress, adminToken: readAdminToken(dataDir) };
      const agent = spawnEnrolledAgent(tokens, name, agentArgs, {
        TRACKER_AGENT_HOME: path.join(dataDir, `agent-${name}`),
        LOG_LEVEL: process.env.FAULTS_LOG ?? "warn",
      });
      agents.set(name, agent);
      return agent;
    },
    async killAgent(name, signal = "SIGKILL") {
      const agent = agents.get(name);
      agents.delete(name);
      if (agent) await agent.stop(signal, 5000);
    },
    async startRound(statDay) {
      const round = await cluster.admin.call("startRound", { statDay });
      return Number(round.id);
    },
    async waitRoundDone(roundId, timeoutMs = 120_000) {
      try {
        await waitFor(timeoutMs, `round ${roundId} done`, async () => {
          const [row] = await sql`SELECT state FROM rounds WHERE id = ${roundId}`;
          return row?.state === "done";
        });
      } catch (err) {
        const counts = await cluster.batchCounts(roundId).catch(() => ({}));
        t.comment(`batches of round ${roundId}: ${JSON.stringify(counts)}`);
        t.comment(`server log tail:\n${cluster.server?.lines.slice(-15).join("\n")}`);
        for (const [name, agent] of agents) {
          t.comment(`agent ${name} log tail:\n${agent.lines.slice(-5).join("\n")}`);
        }
        throw err;
      }
    },
    async waitBatchesDone(roundId, n, timeoutMs = 60_000) {
      await waitFor(timeoutMs, `${n} batches of round ${roundId} done`, async () => {
        const counts = await cluster.batchCounts(roundId);
        return (counts.done ?? 0) >= n;
      });
    },
    async batchCounts(roundId) {
      const rows = await sql`
        SELECT state, count(*)::int AS n FROM batches WHERE round_id = ${roundId} GROUP BY state`;
      return Object.fromEntries(rows.map((r) => [r.state as string, r.n as number]));
    },
    stopPostgres: () => pg.stop(),
    startPostgres: () => pg.start(),
  };

  await cluster.startServer();
  cluster.admin = new AdminClient(`127.0.0.1:${adminPort}`, readAdminToken(dataDir));
  t.teardown(async () => {
    await Promise.all([...agents.values()].map((a) => a.stop("SIGKILL", 2000)));
    cluster.admin.close();
    await cluster.killServer("SIGKILL");
  });

  const key = options.apiKey ?? { applicationId: "demo-key", requestsPerSecond: 200 };
  await cluster.admin.call("addApiKey", key);
  return cluster;
}

interface TestPostgres {
  url: string;
  stop(): Promise<void>;
  start(): Promise<void>;
}

/** The shared test database, or a cluster of the test's own that it can stop and start. */
async function openPostgres(t: TestLike, dataDir: string, own: boolean): Promise<TestPostgres> {
  if (!own) {
    const db = await testDatabase(t);
    const refuse = () => Promise.reject(new Error("this cluster has no PostgreSQL of its own"));
    return { url: db.url, stop: refuse, start: refuse };
  }

  const pgDir = path.join(dataDir, "pg");
  const port = await freeLoopbackPort();
  const log = silentLogger();
  const boot = () => startEmbeddedPostgres({ dataDir: pgDir, port, log, durable: false });
  let running: EmbeddedDatabase | null = await boot();
  const url = running.url;
  t.teardown(async () => {
    await running?.stop();
    running = null;
  });
  return {
    url,
    async stop() {
      await running?.stop();
      running = null;
    },
    async start() {
      running ??= await boot();
    },
  };
}

function realmsOf(sim: RunningSimulator, headroom: number): ProcessCluster["realms"] {
  const o = sim.sim.options;
  const room = o.idsPerPlatform + headroom - 1;
  return [
    { platform: "xbox", firstId: o.xboxFirstId, lastId: o.xboxFirstId + room },
    { platform: "ps", firstId: o.psFirstId, lastId: o.psFirstId + room },
  ];
}

/** Polls check every 200 ms until it returns true; errors (a database away) count as false. */
export async function waitFor(
  timeoutMs: number,
  what: string,
  check: () => Promise<boolean>,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown = null;
  for (;;) {
    try {
      if (await check()) return;
      lastError = null;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() > deadline) {
      const why = lastError ? ` (last error: ${(lastError as Error).message})` : "";
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${why}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Simulator options: a population and one server-kind key ("demo-key") at a request rate. */
export function simWithKey(idsPerPlatform: number, rps: number): SimulatorServerOptions {
  const key = { applicationId: "demo-key", kind: "server" as const, requestsPerSecond: rps };
  return { idsPerPlatform, keys: [key] };
}
