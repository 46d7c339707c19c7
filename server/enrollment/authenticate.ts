import type { Metadata } from "@grpc/grpc-js";
import type { Sql } from "postgres";
import { AGENT_ID_METADATA, AGENT_SECRET_METADATA } from "../../shared/agent-credential";
import { TrackerError } from "../../shared/errors";
import { secretMatches } from "./secrets";

/**
 * The agent id a call's credential proves, or a coded refusal: no credential, a wrong one, a
 * revoked one, or a banned agent. Every AgentService call but Enroll goes through here.
 */
export async function authenticateAgent(sql: Sql, metadata: Metadata): Promise<string> {
  const agentId = first(metadata, AGENT_ID_METADATA);
  const secret = first(metadata, AGENT_SECRET_METADATA);
  if (!agentId || !secret) {
    throw new TrackerError(
      "AGENT_NOT_ENROLLED",
      "no agent credential: enroll this agent first with `tracker-agent enroll <token>`",
    );
  }

  const [row] = await sql`SELECT secret_hash, revoked_at, banned FROM agents WHERE id = ${agentId}`;
  if (!row || !secretMatches(secret, row.secret_hash as string | null)) {
    throw new TrackerError(
      "AGENT_CREDENTIAL_INVALID",
      `the credential of agent ${agentId} is not valid here: enroll again with a new token`,
    );
  }
  if (row.revoked_at) {
    throw new TrackerError(
      "AGENT_REVOKED",
      `agent ${agentId} was revoked by the admin: enroll again with a new token`,
    );
  }
  if (row.banned) throw new TrackerError("AGENT_BANNED", `agent ${agentId} is banned`);
  return agentId;
}

function first(metadata: Metadata, key: string): string {
  const value = metadata.get(key)[0];
  return typeof value === "string" ? value : "";
}
