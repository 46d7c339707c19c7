import type { Agent, AgentRequest } from "../../shared/gen/tracker/v1/admin";
import { TrackerError } from "../../shared/errors";
import type { AdminContext } from "./handlers";

async function listAgents(_req: unknown, ctx: AdminContext) {
  const rows = await ctx.sql`SELECT * FROM agents ORDER BY last_seen DESC LIMIT 10000`;
  return { agents: rows.map((r) => toAgent(r, ctx)) };
}

async function setBanned(req: AgentRequest, ctx: AdminContext, banned: boolean): Promise<Agent> {
  if (!req.agentId)
    throw new TrackerError("INVALID_ARGUMENT", "agent_id is required (see ListAgents)");
  const [row] =
    await ctx.sql`UPDATE agents SET banned = ${banned} WHERE id = ${req.agentId} RETURNING *`;
  if (!row) throw new TrackerError("NOT_FOUND", `agent ${req.agentId} does not exist`);
  if (banned) {
    const reason = req.reason ? `: ${req.reason.slice(0, 200)}` : "";
    const sessions = ctx.hub.disconnect(
      req.agentId,
      new TrackerError("AGENT_BANNED", `agent ${req.agentId} is banned${reason}`),
    );
    // Leases it holds through another coordinator go back too; their results will be refused.
    const leases = await ctx.sql`
      UPDATE batches SET state = 'pending', lease_id = NULL, agent_id = NULL, lease_expires = NULL,
             last_error = 'agent banned'
       WHERE agent_id = ${req.agentId} AND state = 'leased'
      RETURNING id`;
    ctx.log.info(
      { agentId: req.agentId, reason: req.reason, sessions, leasesReturned: leases.length },
      "agent banned",
    );
    ctx.hub.wake();
  }
  return toAgent(row, ctx);
}

function toAgent(row: Record<string, unknown>, ctx: AdminContext): Agent {
  const id = String(row.id);
  const connected = [...ctx.hub.sessions].some((s) => s.agentId === id);
  return {
    id,
    name: String(row.name),
    version: String(row.version),
    os: String(row.os),
    arch: String(row.arch),
    address: String(row.address),
    connected,
    lastSeen: connected ? new Date().toISOString() : new Date(row.last_seen as Date).toISOString(),
    batchesDone: Number(row.batches_done),
    failures: Number(row.failures),
    banned: Boolean(row.banned),
    offences: Number(row.offences),
  };
}

export const agentCalls = {
  listAgents,
  banAgent: (req: AgentRequest, ctx: AdminContext) => setBanned(req, ctx, true),
  unbanAgent: (req: AgentRequest, ctx: AdminContext) => setBanned(req, ctx, false),
};
