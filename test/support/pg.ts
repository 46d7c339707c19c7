import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import postgres from "postgres";
import tap from "tap";
import { silentLogger } from "../../shared/log";
import { startEmbeddedPostgres } from "../../server/db/embedded";
import { migrate } from "../../server/db/migrate";
import { openDatabase, type Sql } from "../../server/db/pool";

/** The part of a tap test this helper uses. */
interface TestLike {
  teardown(fn: () => unknown): void;
}

export interface TestDatabase {
  sql: Sql;
  url: string;
  /** Name of the fresh database, for pg_terminate_backend and the like. */
  name: string;
  /** A second connection to the same server's maintenance database. */
  admin: Sql;
}

export interface TestDatabaseOptions {
  /** Apply the migrations. @default true */
  migrate?: boolean;
  /** Pool size. @default 4 */
  max?: number;
}

let server: Promise<string> | null = null;

/**
 * A fresh database for one test: on DATABASE_URL's server when set, otherwise on an embedded
 * cluster started once per test file (process) in a temp dir and removed when the file ends.
 * The database is dropped at the test's teardown.
 */
export async function testDatabase(
  t: TestLike,
  options: TestDatabaseOptions = {},
): Promise<TestDatabase> {
  server ??= serverUrl();
  const serverUrlText = await server;
  const name = `tracker_test_${randomBytes(6).toString("hex")}`;
  const admin = postgres(serverUrlText, { max: 1, onnotice: false });
  await admin.unsafe(`CREATE DATABASE ${name}`);

  const url = withDatabase(serverUrlText, name);
  const sql = openDatabase(url, { log: silentLogger(), max: options.max ?? 4 });
  t.teardown(async () => {
    await sql.end({ timeout: 5 });
    await admin.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end({ timeout: 5 });
  });
  if (options.migrate !== false) await migrate(sql, { log: silentLogger() });
  return { sql, url, name, admin: admin as unknown as Sql };
}

async function serverUrl(): Promise<string> {
  if (process.env.DATABASE_URL) return process.env.DATABASE_URL;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tracker-pg-"));
  fs.chmodSync(dir, 0o755);
  const embedded = await startEmbeddedPostgres({
    dataDir: dir,
    log: silentLogger(),
    durable: false,
  });
  tap.teardown(async () => {
    await embedded.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  return embedded.url;
}

function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}
