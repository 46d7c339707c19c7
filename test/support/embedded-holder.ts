import { startEmbeddedPostgres } from "../../server/db/embedded";
import { silentLogger } from "../../shared/log";

/**
 * Starts an embedded cluster in the data directory given as the only argument, prints its URL
 * and the postmaster's pid file as one JSON line, and stops it on SIGTERM. Tests kill it with
 * SIGKILL to leave the postmaster behind, as a killed server does.
 */
async function main(): Promise<void> {
  const dataDir = process.argv[2];
  const db = await startEmbeddedPostgres({ dataDir, log: silentLogger(), durable: false });
  process.stdout.write(`${JSON.stringify({ event: "started", url: db.url })}\n`);
  process.on("SIGTERM", () => {
    void db.stop().then(() => process.exit(0));
  });
  setInterval(() => undefined, 60_000);
}

void main();
