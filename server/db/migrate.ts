import fs from "node:fs";
import path from "node:path";
import type { Logger } from "../../shared/log";
import type { Sql } from "./pool";

/** Key of the advisory lock that serialises migrations between coordinators. */
const MIGRATION_LOCK_KEY = 7_201_914_001;
const MIGRATION_FILE = /^(\d{4})_([a-z0-9_]+)\.sql$/;

export interface Migration {
  version: number;
  name: string;
  file: string;
}

/** Thrown when the database was migrated by a newer server than this one. */
export class SchemaTooNewError extends Error {
  readonly code = "SCHEMA_TOO_NEW";
  constructor(
    readonly databaseVersion: number,
    readonly codeVersion: number,
  ) {
    super(
      `database schema is at version ${databaseVersion} but this server knows migrations up to ` +
        `version ${codeVersion}; run a server of the newer version`,
    );
  }
}

/**
 * Directory of the .sql migrations. tsc does not copy .sql files into dist/, so it is found from
 * the repository root (the directory holding package.json), which works from .ts and from dist.
 */
export function migrationsDir(from: string = __dirname): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, "package.json"))) {
      return path.join(dir, "server", "db", "migrations");
    }
    if (path.dirname(dir) === dir) throw new Error(`no package.json above ${from}`);
  }
}

export function listMigrations(dir: string = migrationsDir()): Migration[] {
  const migrations = fs
    .readdirSync(dir)
    .map((file) => ({ file, match: MIGRATION_FILE.exec(file) }))
    .filter((entry) => entry.match !== null)
    .map(({ file, match }) => ({ version: Number(match![1]), name: match![2], file }))
    .sort((a, b) => a.version - b.version);
  migrations.forEach((m, i) => {
    if (i > 0 && m.version === migrations[i - 1].version) {
      throw new Error(`two migrations have version ${m.version} in ${dir}`);
    }
  });
  return migrations.map((m) => ({ ...m, file: path.join(dir, m.file) }));
}

export interface MigrateOptions {
  log: Logger;
  /** Directory of the NNNN_name.sql files. @default the repository's server/db/migrations */
  dir?: string;
}

/**
 * Applies the migrations the database lacks, in one transaction under an advisory lock so that
 * coordinators starting together apply each file once. Returns the versions applied now.
 * Throws SchemaTooNewError on a database migrated past the newest file here.
 */
export async function migrate(sql: Sql, options: MigrateOptions): Promise<number[]> {
  const migrations = listMigrations(options.dir);
  const codeVersion = migrations.at(-1)?.version ?? 0;

  const applied = await sql.begin(async (tx) => {
    await tx`SELECT pg_advisory_xact_lock(${MIGRATION_LOCK_KEY})`;
    await tx`
      CREATE TABLE IF NOT EXISTS schema_migrations (
        version     int PRIMARY KEY,
        name        text NOT NULL,
        applied_at  timestamptz NOT NULL DEFAULT now()
      )`;
    const [{ version }] = await tx`
      SELECT coalesce(max(version), 0) AS version FROM schema_migrations`;
    if (version > codeVersion) throw new SchemaTooNewError(version, codeVersion);

    const pending = migrations.filter((m) => m.version > version);
    for (const m of pending) {
      await tx.unsafe(fs.readFileSync(m.file, "utf8")).simple();
      await tx`INSERT INTO schema_migrations (version, name) VALUES (${m.version}, ${m.name})`;
    }
    return pending.map((m) => m.version);
  });

  if (applied.length > 0) options.log.info({ applied, codeVersion }, "migrations applied");
  else options.log.debug({ codeVersion }, "schema up to date");
  return applied;
}
