import type { Sql } from "postgres";
import { encodeEnrollmentToken } from "../../shared/enrollment-token";
import { hashSecret, newSecret } from "./secrets";

/** A token left unused expires after this many hours unless the admin says otherwise. */
export const DEFAULT_TOKEN_HOURS = 72;

export interface EnrollmentTokenRow {
  id: number;
  name: string;
  createdAt: Date;
  expiresAt: Date;
  usedAt: Date | null;
  agentId: string | null;
}

export interface NewEnrollmentToken {
  name: string;
  expiresInHours: number;
  /** host:port agents will connect to. */
  serverAddress: string;
  /** Pinned by the agent; empty when the agent service runs without TLS. */
  fingerprint: string;
}

/** Creates a one-time token. The whole token exists only in the answer; the table has its hash. */
export async function createEnrollmentToken(
  sql: Sql,
  request: NewEnrollmentToken,
): Promise<{ row: EnrollmentTokenRow; token: string }> {
  const secret = newSecret();
  const hours = request.expiresInHours > 0 ? request.expiresInHours : DEFAULT_TOKEN_HOURS;
  const [row] = await sql`
    INSERT INTO enrollment_tokens (secret_hash, name, expires_at)
    VALUES (${hashSecret(secret)}, ${request.name}, now() + ${hours} * interval '1 hour')
    RETURNING *`;
  const token = encodeEnrollmentToken({
    serverAddress: request.serverAddress,
    secret,
    fingerprint: request.fingerprint,
  });
  return { row: toRow(row), token };
}

export async function listEnrollmentTokens(sql: Sql): Promise<EnrollmentTokenRow[]> {
  const rows = await sql`SELECT * FROM enrollment_tokens ORDER BY id DESC LIMIT 1000`;
  return rows.map(toRow);
}

function toRow(row: Record<string, unknown>): EnrollmentTokenRow {
  return {
    id: Number(row.id),
    name: String(row.name),
    createdAt: row.created_at as Date,
    expiresAt: row.expires_at as Date,
    usedAt: (row.used_at as Date | null) ?? null,
    agentId: (row.agent_id as string | null) ?? null,
  };
}
