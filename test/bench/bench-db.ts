import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import postgres from "postgres";
import { startEmbeddedPostgres } from "../../server/db/embedded";
import { silentLogger } from "../../shared/log";

/** One PostgreSQL for the whole benchmark run; each figure gets a fresh database on it. */
export interface BenchDatabase {
  /** A URL for a new, empty database named after the figure. */
  create(name: string): Promise<string>;
  /** Drops the databases and stops an embedded server. */
  stop(): Promise<void>;
  /** The postmaster's pid of the embedded server; null for a DATABASE_URL server. */
  postmasterPid(): number | null;
}

/**
 * DATABASE_URL's server when set, otherwise an embedded cluster in a temp dir with the
 * server's own (durable) settings, so ingest pays the same commit cost as in production.
 */
export async function startBenchDatabase(): Promise<BenchDatabase> {
  let baseUrl = process.env.DATABASE_URL;
  let stopEmbedded = async () => {};
  let dir = "";
  if (!baseUrl) {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "tracker-bench-pg-"));
    fs.chmodSync(dir, 0o755);
    const embedded = await startEmbeddedPostgres({ dataDir: dir, log: silentLogger() });
    baseUrl = embedded.url;
    stopEmbedded = () => embedded.stop();
  }

  const admin = postgres(withDatabase(baseUrl, "postgres"), { max: 1, onnotice: false });
  const created: string[] = [];
  return {
    async create(name) {
      const db = `tracker_bench_${name}_${process.pid}`;
      await admin.unsafe(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`);
      await admin.unsafe(`CREATE DATABASE ${db}`);
      created.push(db);
      return withDatabase(baseUrl, db);
    },
    postmasterPid() {
      if (!dir) return null;
      // postmaster.pid: the first line is the pid.
      const pid = Number(fs.readFileSync(path.join(dir, "pgdata", "postmaster.pid"), "utf8").split("\n")[0]);
      return Number.isInteger(pid) && pid > 0 ? pid : null;
    },
    async stop() {
      for (const db of created) {
        await admin.unsafe(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`).catch(() => undefined);
      }
      await admin.end({ timeout: 5 });
      await stopEmbedded();
      if (dir) fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}
