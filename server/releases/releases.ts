import fs from "node:fs";
import path from "node:path";
import type { Sql } from "postgres";
import { TrackerError } from "../../shared/errors";
import type { ReleaseKey } from "./release-key";
import { checkVersion, copyAndSign, findExecutables, type SignedFile } from "./release-files";

/** Directory inside the data directory where published executables are kept. */
export const RELEASES_DIR = "releases";

export interface ReleaseFileRow {
  version: string;
  os: string;
  arch: string;
  path: string;
  size: number;
  sha256: string;
  signature: Buffer;
}

export interface ReleaseRow {
  version: string;
  publishedAt: Date;
  files: Omit<ReleaseFileRow, "version" | "signature" | "path">[];
}

/** Copies, signs and records every executable in `directory` as release `version`. */
export async function publishRelease(
  sql: Sql,
  options: { dataDir: string; key: ReleaseKey; version: string; directory: string },
): Promise<ReleaseRow> {
  const { version, directory } = options;
  const problem = checkVersion(version);
  if (problem) throw new TrackerError("INVALID_ARGUMENT", problem);
  if (!path.isAbsolute(directory) || !fs.existsSync(directory)) {
    throw new TrackerError("INVALID_ARGUMENT", `directory must be an absolute path on the server: ${directory}`);
  }
  const found = findExecutables(directory);
  if (found.length === 0) {
    throw new TrackerError("INVALID_ARGUMENT", `no tracker-agent-<os>-<arch> files in ${directory}`);
  }
  const [existing] = await sql`SELECT 1 FROM releases WHERE version = ${version}`;
  if (existing) throw new TrackerError("INVALID_ARGUMENT", `release ${version} was already published`);

  const storeDir = path.join(options.dataDir, RELEASES_DIR, version);
  const files: SignedFile[] = [];
  for (const f of found) {
    files.push(await copyAndSign(f.file, storeDir, { version, os: f.os, arch: f.arch }, options.key));
  }

  await sql.begin(async (tx) => {
    const [release] = await tx`INSERT INTO releases (version) VALUES (${version}) RETURNING id`;
    for (const f of files) {
      await tx`
        INSERT INTO release_files (release_id, os, arch, path, size, sha256, signature)
        VALUES (${release.id}, ${f.os}, ${f.arch}, ${f.path}, ${f.size}, ${f.sha256}, ${f.signature})`;
    }
  });
  return (await listReleases(sql)).find((r) => r.version === version)!;
}

/** Releases newest first, each with its files. */
export async function listReleases(sql: Sql): Promise<ReleaseRow[]> {
  const rows = await sql`
    SELECT r.id, r.version, r.published_at, f.os, f.arch, f.size, f.sha256
    FROM releases r LEFT JOIN release_files f ON f.release_id = r.id
    ORDER BY r.id DESC, f.os, f.arch
    LIMIT 1000`;
  const byId = new Map<number, ReleaseRow>();
  for (const row of rows) {
    const id = Number(row.id);
    if (!byId.has(id)) {
      byId.set(id, { version: String(row.version), publishedAt: row.published_at as Date, files: [] });
    }
    if (row.os) {
      byId.get(id)!.files.push({
        os: String(row.os),
        arch: String(row.arch),
        size: Number(row.size),
        sha256: String(row.sha256),
      });
    }
  }
  return [...byId.values()];
}

/** The newest release's file for a platform, or null when that release has none for it. */
export async function newestReleaseFile(sql: Sql, os: string, arch: string): Promise<ReleaseFileRow | null> {
  const [row] = await sql`
    SELECT r.version, f.* FROM releases r
    LEFT JOIN release_files f ON f.release_id = r.id AND f.os = ${os} AND f.arch = ${arch}
    ORDER BY r.id DESC LIMIT 1`;
  return row?.path ? toFileRow(row) : null;
}

export async function releaseFile(sql: Sql, version: string, os: string, arch: string): Promise<ReleaseFileRow | null> {
  const [row] = await sql`
    SELECT r.version, f.* FROM releases r JOIN release_files f ON f.release_id = r.id
    WHERE r.version = ${version} AND f.os = ${os} AND f.arch = ${arch}`;
  return row ? toFileRow(row) : null;
}

function toFileRow(row: Record<string, unknown>): ReleaseFileRow {
  return {
    version: String(row.version),
    os: String(row.os),
    arch: String(row.arch),
    path: String(row.path),
    size: Number(row.size),
    sha256: String(row.sha256),
    signature: row.signature as Buffer,
  };
}
