import fs from "node:fs";
import path from "node:path";
import { freeLoopbackPort } from "../../server/db/embedded";
import { RELEASE_KEY_FILE } from "../../server/releases/release-key";
import { TLS_DIR } from "../../server/tls/server-tls";
import { distEntry, spawnNode, type Spawned } from "./child-process";
import type { ProcessCluster } from "./process-cluster";

interface TestLike {
  teardown(fn: () => unknown): void;
}

export interface SecondCoordinator {
  agentPort: number;
  dataDir: string;
  /** The running process, or null once killed. */
  server: Spawned | null;
  kill(signal?: NodeJS.Signals): Promise<void>;
}

/** Settings the second coordinator must not share with the first: its ports and data dir. */
const OWN_SETTINGS = ["dataDir=", "agent.listen=", "admin.listen="];

/**
 * A second server process on the cluster's database, as an operator would set one up: its own
 * data directory holding copies of the first's TLS directory (CA, certificate and key, so agents
 * find the certificate they pinned) and release key; its own ports.
 */
export async function startSecondCoordinator(
  t: TestLike,
  cluster: Pick<ProcessCluster, "dataDir" | "serverArgs">,
): Promise<SecondCoordinator> {
  const dataDir = `${cluster.dataDir}-second`;
  fs.mkdirSync(dataDir, { mode: 0o755 });
  t.teardown(() => fs.rmSync(dataDir, { recursive: true, force: true }));
  fs.cpSync(path.join(cluster.dataDir, TLS_DIR), path.join(dataDir, TLS_DIR), { recursive: true });
  fs.copyFileSync(
    path.join(cluster.dataDir, RELEASE_KEY_FILE),
    path.join(dataDir, RELEASE_KEY_FILE),
  );

  const agentPort = await freeLoopbackPort();
  const adminPort = await freeLoopbackPort();
  const isOwn = (pair: string) => OWN_SETTINGS.some((setting) => pair.startsWith(setting));
  const shared = pairs(cluster.serverArgs).filter((pair) => !isOwn(pair));
  const own = [`dataDir=${dataDir}`, `agent.listen=127.0.0.1:${agentPort}`];
  own.push(`admin.listen=127.0.0.1:${adminPort}`);
  const args = [...shared, ...own].flatMap((p) => ["--set", p]);

  const second: SecondCoordinator = {
    agentPort,
    dataDir,
    server: spawnNode(distEntry("server/main.js"), args, {
      LOG_LEVEL: process.env.FAULTS_LOG ?? "info",
    }),
    async kill(signal = "SIGKILL") {
      const server = second.server;
      second.server = null;
      if (server) await server.stop(signal, 5000);
    },
  };
  t.teardown(() => second.kill("SIGKILL"));
  await second.server!.waitForLine(/"msg":"server ready"/, 60_000);
  return second;
}

/** The key=value pairs of a `--set k=v --set k=v …` command line. */
function pairs(args: readonly string[]): string[] {
  return args.filter((_arg, i) => i % 2 === 1);
}
