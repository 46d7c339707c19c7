import type {
  AgentRequest,
  CreateEnrollmentTokenRequest,
  EnrollmentToken,
} from "../../shared/gen/tracker/v1/admin";
import { TrackerError } from "../../shared/errors";
import {
  createEnrollmentToken as createToken,
  listEnrollmentTokens as listTokens,
  type EnrollmentTokenRow,
} from "../enrollment/tokens";
import type { AdminContext } from "./handlers";

/** Longest life of an unused token: 90 days. */
const MAX_TOKEN_HOURS = 90 * 24;

async function createEnrollmentToken(
  req: CreateEnrollmentTokenRequest,
  ctx: AdminContext,
): Promise<EnrollmentToken> {
  if (req.name.length > 64) throw new TrackerError("INVALID_ARGUMENT", "name must be at most 64 characters");
  if (req.expiresInHours > MAX_TOKEN_HOURS) {
    throw new TrackerError("INVALID_ARGUMENT", `expires_in_hours must be at most ${MAX_TOKEN_HOURS}`);
  }
  const identity = ctx.hub.identity;
  if (!identity) throw new TrackerError("SHUTTING_DOWN", "the agent service is not listening yet");

  const { row, token } = await createToken(ctx.sql, {
    name: req.name,
    expiresInHours: req.expiresInHours,
    serverAddress: identity.serverAddress,
    fingerprint: identity.fingerprint,
  });
  return { ...toMessage(row, identity.serverAddress), token };
}

async function listEnrollmentTokens(_req: unknown, ctx: AdminContext) {
  const rows = await listTokens(ctx.sql);
  return { tokens: rows.map((r) => toMessage(r, ctx.hub.identity?.serverAddress ?? "")) };
}

/** Revokes the credential for good, ends the agent's stream and returns its leases. */
async function revokeAgent(req: AgentRequest, ctx: AdminContext) {
  if (!req.agentId) throw new TrackerError("INVALID_ARGUMENT", "agent_id is required");
  const [row] = await ctx.sql`
    UPDATE agents SET revoked_at = COALESCE(revoked_at, now()) WHERE id = ${req.agentId}
    RETURNING id, name, version, os, arch, address, last_seen, batches_done, failures, banned, offences`;
  if (!row) throw new TrackerError("NOT_FOUND", `agent ${req.agentId} does not exist`);

  const reason = req.reason ? `: ${req.reason}` : "";
  const message = `agent ${req.agentId} was revoked by the admin${reason}; enroll again with a new token`;
  ctx.hub.disconnect(req.agentId, new TrackerError("AGENT_REVOKED", message));
  return {
    id: String(row.id),
    name: String(row.name),
    version: String(row.version),
    os: String(row.os),
    arch: String(row.arch),
    address: String(row.address),
    connected: false,
    lastSeen: (row.last_seen as Date).toISOString(),
    batchesDone: Number(row.batches_done),
    failures: Number(row.failures),
    banned: Boolean(row.banned),
    offences: Number(row.offences),
  };
}

function toMessage(row: EnrollmentTokenRow, serverAddress: string): EnrollmentToken {
  return {
    id: row.id,
    token: "",
    name: row.name,
    createdAt: row.createdAt.toISOString(),
    expiresAt: row.expiresAt.toISOString(),
    usedAt: row.usedAt?.toISOString() ?? "",
    agentId: row.agentId ?? "",
    serverAddress,
  };
}

export const enrollmentCalls = { createEnrollmentToken, listEnrollmentTokens, revokeAgent };
