import type { AddApiKeyRequest, ApiKey, ApiKeyRequest } from "../../shared/gen/tracker/v1/admin";
import { TrackerError } from "../../shared/errors";
import type { AdminContext } from "./handlers";

const UNIQUE_VIOLATION = "23505";
/** Highest budget accepted for one key; far above anything WG grants. */
const MAX_REQUESTS_PER_SECOND = 10_000;

/** An application_id shown with all but its last 4 characters hidden. */
export function maskApplicationId(applicationId: string): string {
  const tail = applicationId.slice(-4);
  return `${"*".repeat(Math.max(0, applicationId.length - 4))}${tail}`;
}

async function addApiKey(req: AddApiKeyRequest, ctx: AdminContext): Promise<ApiKey> {
  const kind = req.kind || "application";
  if (!/^[A-Za-z0-9_-]{4,128}$/.test(req.applicationId)) {
    // The value itself is not echoed: it is a secret.
    throw new TrackerError(
      "INVALID_ARGUMENT",
      "application_id must be 4-128 letters, digits, _ or -",
    );
  }
  if (!(req.requestsPerSecond > 0 && req.requestsPerSecond <= MAX_REQUESTS_PER_SECOND)) {
    throw new TrackerError(
      "INVALID_ARGUMENT",
      `requests_per_second must be above 0 and at most ${MAX_REQUESTS_PER_SECOND}`,
    );
  }
  if (kind !== "application" && kind !== "ip") {
    throw new TrackerError("INVALID_ARGUMENT", `kind must be "application" or "ip", not "${kind}"`);
  }
  let row;
  try {
    [row] = await ctx.sql`
      INSERT INTO api_keys (application_id, requests_per_second, kind)
      VALUES (${req.applicationId}, ${req.requestsPerSecond}, ${kind})
      RETURNING id, application_id, requests_per_second, kind, enabled`;
  } catch (err) {
    if ((err as { code?: string }).code === UNIQUE_VIOLATION) {
      throw new TrackerError("ALREADY_EXISTS", "this application_id is already registered");
    }
    throw err;
  }
  await ctx.hub.keyShares.reload();
  return toApiKey(row, ctx);
}

async function listApiKeys(_req: unknown, ctx: AdminContext) {
  const rows = await ctx.sql`
    SELECT id, application_id, requests_per_second, kind, enabled FROM api_keys ORDER BY id`;
  return { keys: rows.map((r) => toApiKey(r, ctx)) };
}

/** The key id of a request, or INVALID_ARGUMENT. */
function keyId(req: ApiKeyRequest): number {
  if (!(req.id > 0)) throw new TrackerError("INVALID_ARGUMENT", "id is required (see ListApiKeys)");
  return req.id;
}

async function setEnabled(
  req: ApiKeyRequest,
  ctx: AdminContext,
  enabled: boolean,
): Promise<ApiKey> {
  keyId(req);
  const [row] = await ctx.sql`
    UPDATE api_keys SET enabled = ${enabled} WHERE id = ${req.id}
    RETURNING id, application_id, requests_per_second, kind, enabled`;
  if (!row) throw new TrackerError("NOT_FOUND", `API key ${req.id} does not exist`);
  await ctx.hub.keyShares.reload();
  return toApiKey(row, ctx);
}

async function removeApiKey(req: ApiKeyRequest, ctx: AdminContext) {
  keyId(req);
  const rows = await ctx.sql`DELETE FROM api_keys WHERE id = ${req.id} RETURNING id`;
  if (rows.length === 0) throw new TrackerError("NOT_FOUND", `API key ${req.id} does not exist`);
  await ctx.hub.keyShares.reload();
  return { removed: true };
}

function toApiKey(row: Record<string, unknown>, ctx: AdminContext): ApiKey {
  const id = Number(row.id);
  return {
    id,
    applicationId: maskApplicationId(String(row.application_id)),
    requestsPerSecond: Number(row.requests_per_second),
    kind: String(row.kind),
    enabled: Boolean(row.enabled),
    agents: ctx.hub.keyShares.holdersOf(id),
  };
}

export const apiKeyCalls = {
  addApiKey,
  listApiKeys,
  disableApiKey: (req: ApiKeyRequest, ctx: AdminContext) => setEnabled(req, ctx, false),
  enableApiKey: (req: ApiKeyRequest, ctx: AdminContext) => setEnabled(req, ctx, true),
  removeApiKey,
};
