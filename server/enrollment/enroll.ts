import { randomBytes } from "node:crypto";
import type { Sql } from "postgres";
import type { EnrollRequest } from "../../shared/gen/tracker/v1/agent";
import { decodeEnrollmentToken } from "../../shared/enrollment-token";
import { TrackerError } from "../../shared/errors";
import { hashSecret, newSecret } from "./secrets";

export interface NewCredential {
  agentId: string;
  secret: string;
}

/**
 * Trades an unused, unexpired token for a new agent and its credential, in one transaction so
 * a token can never enroll two agents.
 */
export async function enrollAgent(sql: Sql, request: EnrollRequest, address: string): Promise<NewCredential> {
  const tokenSecret = tokenSecretOf(request.token);
  const agentId = `agt-${randomBytes(6).toString("hex")}`;
  const secret = newSecret();

  await sql.begin(async (tx) => {
    const [token] = await tx`
      SELECT id, name FROM enrollment_tokens
      WHERE secret_hash = ${hashSecret(tokenSecret)} AND used_at IS NULL AND expires_at > now()
      FOR UPDATE`;
    if (!token) {
      throw new TrackerError(
        "ENROLLMENT_TOKEN_INVALID",
        "this enrollment token is unknown, already used or expired: ask the admin for a new one",
      );
    }
    const name = String(token.name || request.agentName).slice(0, 64);
    await tx`
      INSERT INTO agents (id, name, version, os, arch, address, secret_hash, enrolled_at)
      VALUES (${agentId}, ${name}, ${request.version.slice(0, 32)}, ${request.os.slice(0, 32)},
              ${request.arch.slice(0, 32)}, ${address}, ${hashSecret(secret)}, now())`;
    await tx`UPDATE enrollment_tokens SET used_at = now(), agent_id = ${agentId} WHERE id = ${token.id}`;
  });
  return { agentId, secret };
}

/** The request may carry the whole token or only its secret. */
function tokenSecretOf(token: string): string {
  if (!token.trim().startsWith("btenroll")) return token.trim();
  try {
    return decodeEnrollmentToken(token).secret;
  } catch (err) {
    throw new TrackerError("ENROLLMENT_TOKEN_INVALID", (err as Error).message);
  }
}
