import { randomBytes, timingSafeEqual, createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";

/** File in the data directory that holds the admin token (owner-only). */
export const ADMIN_TOKEN_FILE = "admin-token";

/**
 * The admin token: created on first start, kept in the data directory with mode 0600,
 * replaced by rotate(). Compared in constant time.
 */
export class AdminToken {
  private digest: Buffer;

  private constructor(
    private readonly file: string,
    token: string,
  ) {
    this.digest = sha256(token);
  }

  /** Loads the token, creating it when absent; `created` tells the caller to print it once. */
  static loadOrCreate(dataDir: string): { adminToken: AdminToken; created: string | null } {
    const file = path.join(dataDir, ADMIN_TOKEN_FILE);
    if (fs.existsSync(file)) {
      const token = fs.readFileSync(file, "utf8").trim();
      if (token.length >= 16) return { adminToken: new AdminToken(file, token), created: null };
    }
    const token = newToken();
    writeSecret(file, token);
    return { adminToken: new AdminToken(file, token), created: token };
  }

  matches(candidate: string): boolean {
    return timingSafeEqual(sha256(candidate), this.digest);
  }

  /** Replaces the token on disk and in memory; returns the new one. */
  rotate(): string {
    const token = newToken();
    writeSecret(this.file, token);
    this.digest = sha256(token);
    return token;
  }
}

function newToken(): string {
  return `bt_${randomBytes(24).toString("base64url")}`;
}

function sha256(text: string): Buffer {
  return createHash("sha256").update(text).digest();
}

/** Writes a secret readable by the owner only, replacing any old file atomically. */
export function writeSecret(file: string, text: string): void {
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, `${text}\n`, { mode: 0o600 });
  fs.chmodSync(tmp, 0o600);
  fs.renameSync(tmp, file);
}
