import type { Realm, SetRealmRequest } from "../../shared/gen/tracker/v1/admin";
import { TrackerError } from "../../shared/errors";
import type { AdminContext } from "./handlers";

/** Ids above this cannot be sent to the API. */
const MAX_ACCOUNT_ID = Number.MAX_SAFE_INTEGER;

async function listRealms(_req: unknown, ctx: AdminContext) {
  const rows = await ctx.sql`SELECT platform, first_id, last_id, enabled FROM realms ORDER BY id`;
  return { realms: rows.map(toRealm) };
}

async function setRealm(req: SetRealmRequest, ctx: AdminContext): Promise<Realm> {
  if (req.platform !== "xbox" && req.platform !== "ps") {
    throw new TrackerError("INVALID_ARGUMENT", `platform must be "xbox" or "ps", not "${req.platform}"`);
  }
  if (!(req.firstId >= 1 && req.lastId >= req.firstId && req.lastId <= MAX_ACCOUNT_ID)) {
    throw new TrackerError("INVALID_ARGUMENT", "need 1 <= first_id <= last_id");
  }
  const [row] = await ctx.sql`
    INSERT INTO realms (platform, first_id, last_id, enabled)
    VALUES (${req.platform}, ${req.firstId}, ${req.lastId}, ${req.enabled})
    ON CONFLICT (platform) DO UPDATE
      SET first_id = excluded.first_id, last_id = excluded.last_id,
          enabled = excluded.enabled, updated_at = now()
    RETURNING platform, first_id, last_id, enabled`;
  return toRealm(row);
}

function toRealm(row: Record<string, unknown>): Realm {
  return {
    platform: String(row.platform),
    firstId: Number(row.first_id),
    lastId: Number(row.last_id),
    enabled: Boolean(row.enabled),
  };
}

export const realmCalls = { listRealms, setRealm };
