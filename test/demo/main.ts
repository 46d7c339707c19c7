import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import * as grpc from "@grpc/grpc-js";
import type { Status } from "../../shared/gen/tracker/v1/admin";
import { AdminClient } from "../support/admin-client";
import { distEntry, spawnNode, type Spawned } from "../support/child-process";
import { ProgressDisplay, progressLine } from "./progress";
import { compareSummary, printSummary, type Comparison } from "./summary";

const USAGE = `Usage: make demo [DEMO_ARGS="--ids-per-platform N --agents N --rps N --keep"]

Runs the whole tracker on this machine: an embedded PostgreSQL (or DATABASE_URL), the
Wargaming API simulator, the server and several agents, each a separate process. Round 1
measures simulated day 1, the simulator plays day 2, round 2 measures it; the summary is
compared with the simulator's truth. Exit code 0 only when everything matches.

  --ids-per-platform N   ids per platform in the simulator (default 100000)
  --agents N             agents to start (default 3)
  --rps N                the demo API key's requests per second (default 300)
  --seed N               simulator seed (default 1)
  --keep                 keep the data directory instead of removing it
`;

interface DemoOptions {
  idsPerPlatform: number;
  agents: number;
  rps: number;
  seed: number;
  keep: boolean;
}

function parseOptions(argv: string[]): DemoOptions {
  const o: DemoOptions = { idsPerPlatform: 100_000, agents: 3, rps: 300, seed: 1, keep: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const num = () => {
      const n = Number(argv[++i]);
      if (!Number.isInteger(n) || n < 1) fail(`${arg} needs a whole number above 0`);
      return n;
    };
    if (arg === "--ids-per-platform") o.idsPerPlatform = num();
    else if (arg === "--agents") o.agents = num();
    else if (arg === "--rps") o.rps = num();
    else if (arg === "--seed") o.seed = num();
    else if (arg === "--keep") o.keep = true;
    else if (arg === "--help" || arg === "-h") {
      process.stdout.write(USAGE);
      process.exit(0);
    } else fail(`unknown argument ${arg}`);
  }
  return o;
}

function fail(message: string): never {
  process.stderr.write(`demo: ${message}\n\n${USAGE}`);
  process.exit(2);
}

const children: Spawned[] = [];

async function main(): Promise<boolean> {
  const o = parseOptions(process.argv.slice(2));
  const started = Date.now();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "battle-tracker-demo-"));
  cleanup = () => {
    if (o.keep) return process.stderr.write(`demo: data kept in ${dataDir}\n`) && undefined;
    fs.rmSync(dataDir, { recursive: true, force: true });
  };
  say(`data directory ${dataDir}${process.env.DATABASE_URL ? " (database: DATABASE_URL)" : " (embedded PostgreSQL)"}`);

  try {
    const sim = await startSimulatorProcess(o);
    const headroom = Math.max(1000, Math.ceil(o.idsPerPlatform * 0.05));
    const realms = {
      xbox: { firstId: sim.firstId.xbox, lastId: sim.firstId.xbox + o.idsPerPlatform + headroom - 1 },
      ps: { firstId: sim.firstId.ps, lastId: sim.firstId.ps + o.idsPerPlatform + headroom - 1 },
    };
    const server = await startServerProcess(dataDir, sim.url);
    const admin = new AdminClient(`127.0.0.1:${server.adminPort}`, readToken(dataDir));

    await admin.call("addApiKey", { applicationId: "demo-key", requestsPerSecond: o.rps, kind: "application" });
    for (const [platform, r] of Object.entries(realms)) {
      await admin.call("setRealm", { platform, firstId: r.firstId, lastId: r.lastId, enabled: true });
    }
    say(`API key demo-key at ${o.rps} requests/s; realms xbox ${realms.xbox.firstId}-${realms.xbox.lastId}, ps ${realms.ps.firstId}-${realms.ps.lastId}`);

    for (let i = 1; i <= o.agents; i++) {
      // As a volunteer would: a one-time token from the admin, `enroll`, then `run`.
      const env = { TRACKER_AGENT_HOME: path.join(dataDir, `agent-${i}`), LOG_LEVEL: "warn" };
      const { token } = await admin.call("createEnrollmentToken", { name: `demo-agent-${i}` });
      const enrolling = spawnNode(distEntry("agent/main.js"), ["enroll", token], env);
      await enrolling.waitForLine(/^enrolled as /, 30_000);
      await enrolling.stop();
      children.push(spawnNode(distEntry("agent/main.js"), ["run", "--name", `demo-agent-${i}`], env));
    }
    say(`${o.agents} agents enrolled over TLS and started`);

    const day1 = await simJson(sim.url, "/sim/truth?day=1");
    await runRound(admin, day1.date);

    const day2 = await simJson(sim.url, "/sim/advance-day", "POST");
    say(`simulator played day 2 (${day2.date})`);
    await runRound(admin, day2.date);

    const summary = await admin.call("getDailySummary", { statDay: day2.date });
    const truths: Record<string, Comparison["truth"]> = {};
    for (const [platform, r] of Object.entries(realms)) {
      const t = await simJson(sim.url, `/sim/truth?day=2&platform=${platform}&from=${r.firstId}&to=${r.lastId}`);
      truths[platform] = { ...t[platform], accounts: t.range.accounts };
    }
    const comparisons = compareSummary(summary, truths);
    printSummary(day2.date, comparisons);
    admin.close();

    const ok = comparisons.every((c) => c.matches);
    say(`${ok ? "MATCH" : "MISMATCH"}: the tracker's numbers ${ok ? "equal" : "differ from"} the simulator's truth; wall time ${((Date.now() - started) / 1000).toFixed(1)} s`);
    return ok;
  } finally {
    await stopAll();
    cleanup();
  }
}

async function startSimulatorProcess(o: DemoOptions) {
  const faults = JSON.stringify({ sourceNotAvailable: 0.01, edge5xx: 0.005, truncated: 0.002 });
  const sim = spawnNode(distEntry("test/sim/main.js"), [
    "--port", "0", "--seed", String(o.seed), "--ids-per-platform", String(o.idsPerPlatform),
    "--key", `demo-key:server:${o.rps}`, "--faults", faults,
  ]);
  children.push(sim);
  const line = await sim.waitForLine(/"event":"listening"/, 60_000);
  const url = JSON.parse(line).url as string;
  const info = await simJson(url, "/sim/info");
  say(`simulator listening on ${url}: ${o.idsPerPlatform} ids per platform, faults ${faults}`);
  return { url, firstId: info.firstId as { xbox: number; ps: number } };
}

async function startServerProcess(dataDir: string, simUrl: string) {
  const server = spawnNode(distEntry("server/main.js"), [], {
    TRACKER_DATA_DIR: dataDir,
    TRACKER_API_BASE_URL: `${simUrl}/wotx`,
    TRACKER_AGENT_LISTEN: "127.0.0.1:0",
    TRACKER_ADMIN_LISTEN: "127.0.0.1:0",
    TRACKER_METRICS_LISTEN: "127.0.0.1:0",
    TRACKER_API_REQUEST_TIMEOUT_MS: "5000",
    LOG_LEVEL: process.env.LOG_LEVEL ?? "info",
  });
  children.push(server);
  const line = await server.waitForLine(/"msg":"server ready"/, 120_000);
  const ready = JSON.parse(line);
  say(`server ready: agents on port ${ready.agentPort}, admin on port ${ready.adminPort}`);
  return { agentPort: ready.agentPort as number, adminPort: ready.adminPort as number };
}

/** Starts a round through the admin service and follows it with WatchStatus until done. */
async function runRound(admin: AdminClient, statDay: string): Promise<void> {
  const round = await admin.call("startRound", { statDay });
  say(`round ${round.id} started for stat day ${statDay}: ${round.batchesTotal} batches`);
  const display = new ProgressDisplay();
  await new Promise<void>((resolve, reject) => {
    const stream = admin.watchStatus({ intervalSeconds: 1 });
    stream.on("data", (status: Status) => {
      if (status.round?.id !== round.id) return;
      if (status.round.state === "done" || status.round.state === "cancelled") {
        display.done(progressLine(status));
        stream.cancel();
        resolve();
      } else {
        display.update(progressLine(status));
      }
    });
    stream.on("error", (err: grpc.ServiceError) => {
      if (err.code !== grpc.status.CANCELLED) reject(err);
    });
  });
}

async function simJson(url: string, route: string, method = "GET") {
  const res = await fetch(`${url}${route}`, { method });
  if (!res.ok) throw new Error(`simulator ${route}: HTTP ${res.status} ${await res.text()}`);
  return res.json();
}

function readToken(dataDir: string): string {
  return fs.readFileSync(path.join(dataDir, "admin-token"), "utf8").trim();
}

async function stopAll(): Promise<void> {
  // Agents first, so they return their leases to a running server.
  const [sim, server, ...agents] = children;
  await Promise.all(agents.map((a) => a.stop("SIGTERM", 10_000)));
  if (server) await server.stop("SIGTERM", 20_000);
  if (sim) await sim.stop("SIGTERM", 5000);
}

function say(text: string): void {
  process.stdout.write(`demo: ${text}\n`);
}

/** The data directory of this run, removed on every way out unless --keep. */
let cleanup: () => void = () => undefined;

/** Stops every child and removes the data directory, then exits; used on signals and EPIPE. */
function abandon(code: number, why: string): void {
  process.stderr.write(`demo: ${why}; stopping the simulator, server and agents\n`);
  void stopAll().then(() => {
    cleanup();
    process.exit(code);
  });
}

process.on("SIGINT", () => abandon(130, "interrupted"));
process.on("SIGTERM", () => abandon(143, "terminated"));
// A closed stdout (e.g. `make demo | head`) must not leave the children running.
process.stdout.on("error", () => abandon(1, "output closed"));

main().then(
  (ok) => process.exit(ok ? 0 : 1),
  async (err) => {
    process.stderr.write(`demo failed: ${err instanceof Error ? err.stack : String(err)}\n`);
    await stopAll();
    process.exit(1);
  },
);
